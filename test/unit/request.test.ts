import t from 'tap'
import { capabilitiesFor } from '../../src/translate/capabilities.js'
import { BEDROCK_ANTHROPIC_VERSION, toBedrockBody } from '../../src/translate/request.js'
import type { MessageCreateParams } from '../../src/types.js'

const sonnet45 = capabilitiesFor('claude-sonnet-4-5-20250929')
const opus48 = capabilitiesFor('claude-opus-4-8')
const user = (content: MessageCreateParams['messages'][number]['content']) => ({ role: 'user' as const, content })

function params (extra: Partial<MessageCreateParams> & Record<string, unknown> = {}): MessageCreateParams {
  return { model: 'claude-sonnet-4-5', max_tokens: 100, messages: [user('hi')], ...extra }
}

t.test('model and stream go, anthropic_version comes, everything else stays as sent', async (t) => {
  const input = params({
    stream: true,
    system: [{ type: 'text', text: 'be brief', cache_control: { type: 'ephemeral' } }],
    temperature: 0.2,
    top_p: 0.9,
    top_k: 5,
    stop_sequences: ['END'],
    tool_choice: { type: 'auto' },
    thinking: { type: 'enabled', budget_tokens: 2048 },
    tools: [{ name: 'get_weather', description: 'Weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } }, cache_control: { type: 'ephemeral', ttl: '1h' } }],
    metadata: { user_id: 'u-1' },
    messages: [
      user([{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } }, { type: 'text', text: 'what is this?' }]),
      { role: 'assistant', content: [{ type: 'thinking', thinking: 'hmm', signature: 'sig==' }, { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } }] },
      user([{ type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: '18C' }] }, { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0=' }, citations: { enabled: true } }])
    ]
  })
  const before = structuredClone(input)
  const { body, changes } = toBedrockBody(input, [], sonnet45)
  const { model: _model, stream: _stream, ...rest } = before
  t.same(body, { anthropic_version: BEDROCK_ANTHROPIC_VERSION, ...rest })
  t.same(changes, [])
  t.same(input, before, 'the input is not mutated')
  t.equal(body.messages, input.messages, 'unchanged sub-trees are shared, not copied')
})

t.test('betas become the anthropic_beta array; an empty list adds nothing', async (t) => {
  t.same(toBedrockBody(params(), ['interleaved-thinking-2025-05-14'], sonnet45).body.anthropic_beta, ['interleaved-thinking-2025-05-14'])
  t.notOk('anthropic_beta' in toBedrockBody(params(), [], sonnet45).body)
  t.notOk('anthropic_beta' in toBedrockBody(params({ anthropic_beta: ['x'] }), [], sonnet45).body, 'a client body array is replaced by the selected flags')
})

t.test('top-level fields Bedrock rejects are dropped and reported by name', async (t) => {
  const { body, changes } = toBedrockBody(params({
    service_tier: 'auto', container: 'c', mcp_servers: [], inference_geo: 'us', speed: 'fast', output_format: {}, brand_new_field: 1
  }), [], sonnet45)
  for (const key of ['service_tier', 'container', 'mcp_servers', 'inference_geo', 'speed', 'output_format', 'brand_new_field']) {
    t.notOk(key in body, key)
  }
  t.same(changes, ['service_tier', 'container', 'mcp_servers', 'inference_geo', 'speed', 'output_format', 'brand_new_field'])
})

t.test('metadata keeps only user_id', async (t) => {
  t.same(toBedrockBody(params({ metadata: { user_id: 'u', session: 's' } }), [], sonnet45).body.metadata, { user_id: 'u' })
  t.notOk('metadata' in toBedrockBody(params({ metadata: { tag: 'x' } }), [], sonnet45).body)
  t.same(toBedrockBody(params({ metadata: { tag: 'x' } }), [], sonnet45).changes, ['metadata.tag'])
})

t.test('context_management needs its beta', async (t) => {
  const cm = { edits: [{ type: 'clear_thinking_20251015' }] }
  t.same(toBedrockBody(params({ context_management: cm }), ['context-management-2025-06-27'], sonnet45).body.context_management, cm)
  const without = toBedrockBody(params({ context_management: cm }), [], sonnet45)
  t.notOk('context_management' in without.body)
  t.same(without.changes, ['context_management'])
})

t.test('output_config only from Claude 4.6 on', async (t) => {
  const oc = { effort: 'high' }
  t.same(toBedrockBody(params({ output_config: oc }), [], opus48).body.output_config, oc)
  const old = toBedrockBody(params({ output_config: oc }), [], sonnet45)
  t.notOk('output_config' in old.body)
  t.same(old.changes, ['output_config'])
})

t.test('defer_loading and eager_input_streaming need tool search', async (t) => {
  const tools = [
    { name: 'a', input_schema: { type: 'object' }, defer_loading: true },
    { name: 'b', input_schema: { type: 'object' }, eager_input_streaming: true },
    { name: 'c', input_schema: { type: 'object' } }
  ]
  const kept = toBedrockBody(params({ tools }), ['tool-search-tool-2025-10-19'], sonnet45)
  t.same(kept.body.tools, tools)
  const gated = toBedrockBody(params({ tools }), [], sonnet45)
  t.same(gated.body.tools, [{ name: 'a', input_schema: { type: 'object' } }, { name: 'b', input_schema: { type: 'object' } }, tools[2]])
  t.same(gated.changes, ['tools.0.defer_loading', 'tools.1.eager_input_streaming'])
})

t.test('cache_control.scope is removed wherever it appears, the marker kept', async (t) => {
  const scoped = { type: 'ephemeral' as const, scope: 'global' }
  const { body, changes } = toBedrockBody(params({
    system: [{ type: 'text', text: 's', cache_control: scoped }],
    tools: [{ name: 't', input_schema: {}, cache_control: scoped }],
    messages: [user([{ type: 'tool_result', tool_use_id: 'x', content: [{ type: 'text', text: 'r', cache_control: scoped }] }, { type: 'text', text: 'q', cache_control: scoped }])]
  }), [], sonnet45)
  t.same((body.system as any)[0].cache_control, { type: 'ephemeral' })
  t.same((body.tools as any)[0].cache_control, { type: 'ephemeral' })
  t.same((body.messages as any)[0].content[0].content[0].cache_control, { type: 'ephemeral' })
  t.same((body.messages as any)[0].content[1].cache_control, { type: 'ephemeral' })
  t.same(changes, ['tools.0.cache_control.scope', 'system.0.cache_control.scope', 'messages.0.content.0.content.0.cache_control.scope', 'messages.0.content.1.cache_control.scope'])
})

t.test('a mid-conversation system entry becomes user-turn content in place', async (t) => {
  const reminder = { role: 'system' as const, content: 'Remember: tests first.' }
  const cases: Array<[string, MessageCreateParams['messages'], unknown[]]> = [
    ['before a user turn', [user('a'), { role: 'assistant', content: 'b' }, reminder, user('c')],
      [user('a'), { role: 'assistant', content: 'b' }, user([{ type: 'text', text: 'Remember: tests first.' }, { type: 'text', text: 'c' }])]],
    ['after tool results', [{ role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'n', input: {} }] }, reminder, user([{ type: 'tool_result', tool_use_id: 't', content: 'ok' }, { type: 'text', text: 'go' }])],
      [{ role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'n', input: {} }] }, user([{ type: 'tool_result', tool_use_id: 't', content: 'ok' }, { type: 'text', text: 'Remember: tests first.' }, { type: 'text', text: 'go' }])]],
    ['at the end after a user turn', [user('a'), reminder], [user([{ type: 'text', text: 'a' }, { type: 'text', text: 'Remember: tests first.' }])]],
    ['at the end after an assistant turn', [user('a'), { role: 'assistant', content: 'b' }, reminder],
      [user('a'), { role: 'assistant', content: 'b' }, user([{ type: 'text', text: 'Remember: tests first.' }])]],
    ['before an assistant turn', [user('a'), reminder, { role: 'assistant', content: 'b' }],
      [user([{ type: 'text', text: 'a' }, { type: 'text', text: 'Remember: tests first.' }]), { role: 'assistant', content: 'b' }]]
  ]
  for (const [name, messages, expected] of cases) {
    const { body, changes } = toBedrockBody(params({ messages }), [], sonnet45)
    t.same(body.messages, expected, name)
    t.ok(changes.some((change) => /^messages\.\d+\.role$/.test(change)), `${name}: reported`)
  }
})
