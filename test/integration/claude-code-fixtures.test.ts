/**
 * Requests recorded from real Claude Code versions (scripts/capture-claude-code.mjs) replayed
 * through the proxy: each must become a Bedrock body the emulator accepts, with nothing the model
 * needs lost: the same system prompt, tools, conversation content and settings.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { request } from 'undici'
import { TOKEN } from '../helpers/config.js'
import { startStack } from '../helpers/stack.js'

interface Fixture {
  claudeCodeVersion: string
  scenario: string
  url: string
  headers: Record<string, string>
  body: Record<string, any>
}

const DIR = fileURLToPath(new URL('../fixtures/claude-code/', import.meta.url))
const fixtures = readdirSync(DIR).filter((name) => name.endsWith('.json')).map((name) => ({ name, fixture: JSON.parse(readFileSync(DIR + name, 'utf8')) as Fixture }))

/** What the proxy is allowed to change in a block: only `cache_control.scope` goes. */
function unscoped (value: unknown): unknown {
  if (Array.isArray(value)) return value.map(unscoped)
  if (value === null || typeof value !== 'object') return value
  const result: Record<string, unknown> = {}
  for (const [key, child] of Object.entries(value)) {
    if (key === 'cache_control' && child !== null && typeof child === 'object') {
      const { scope: _scope, ...rest } = child as Record<string, unknown>
      result[key] = rest
    } else {
      result[key] = unscoped(child)
    }
  }
  return result
}

const blocksOf = (content: unknown): unknown[] => typeof content === 'string' ? [{ type: 'text', text: content }] : content as unknown[]
const sortedJson = (items: unknown[]): string[] => items.map((item) => JSON.stringify(item)).sort()

t.test('recorded Claude Code requests', async (t) => {
  t.ok(fixtures.length >= 20, `${fixtures.length} fixtures`)
  const versions = new Set(fixtures.map((f) => f.fixture.claudeCodeVersion))
  t.ok(versions.size >= 4, `versions: ${[...versions].join(', ')}`)
  const all = JSON.stringify(fixtures.map((f) => f.fixture))
  for (const feature of ['"role":"system"', '"context_management"', '"output_config"', '"defer_loading"', '"cache_control"', '"thinking"']) {
    t.ok(all.includes(feature), `the fixtures cover ${feature}`)
  }

  // The emulated account has no Claude Opus 5.5 yet (discovery is issue 7): its requests go to
  // Opus 4.8, a model of the same family, so the body rules under test are the same.
  const stack = await startStack({ env: { MODEL_MAP: '{"claude-opus-5-5":"us.anthropic.claude-opus-4-8"}', LOG_LEVEL: 'warn' } })
  t.teardown(() => stack.close())

  for (const { name, fixture } of fixtures) {
    t.test(name, async (t) => {
      const response = await request(`${stack.url}${fixture.url}`, {
        method: 'POST',
        headers: { ...fixture.headers, 'x-api-key': TOKEN },
        body: JSON.stringify(fixture.body)
      })
      const text = await response.body.text()
      t.equal(response.statusCode, 200, text.slice(0, 300))
      const upstream = stack.emulator.lastRequest()!
      t.equal(upstream.status, 200, 'Bedrock (the emulator) accepted the body')
      if (fixture.body.stream === true) t.match(text, /event: message_stop/)
      const sent = upstream.body as Record<string, any>
      const original = fixture.body

      t.same(sent.system, unscoped(original.system), 'system prompt')
      t.same(sent.max_tokens, original.max_tokens)
      t.same(sent.thinking, original.thinking)
      t.same(sent.metadata, original.metadata === undefined ? undefined : { user_id: original.metadata.user_id })
      for (const key of ['temperature', 'top_p', 'top_k', 'stop_sequences', 'tool_choice']) t.same(sent[key], original[key], key)
      t.same((sent.tools ?? []).map((tool: any) => [tool.name, tool.description, tool.input_schema]),
        (original.tools ?? []).map((tool: any) => [tool.name, tool.description, tool.input_schema]), 'every tool, with its schema')

      const conversation = original.messages.filter((m: any) => m.role !== 'system')
      t.ok(sent.messages.every((m: any) => m.role === 'user' || m.role === 'assistant'), 'only user and assistant turns')
      t.equal(sent.messages.length, conversation.length, 'system entries fold into turns; no turn is added or lost')
      t.same(sortedJson(sent.messages.flatMap((m: any) => blocksOf(m.content))),
        sortedJson(unscoped(original.messages.flatMap((m: any) => blocksOf(m.content))) as unknown[]), 'every content block arrives')
    })
  }
})
