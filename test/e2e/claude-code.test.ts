/**
 * The real Claude Code CLI through the proxy in front of the emulator: what
 * the proxy's main users run, on every CI run, offline.
 */
import t from 'tap'
import { TOKEN } from '../helpers/config.js'
import { CLAUDE_CODE_VERSION, ensureClaudeCode, runClaude } from '../helpers/claude-code.js'
import { CURRENT_ACCOUNT, directive, startStack, waitForDiscovery, type Stack, type StackOptions } from '../helpers/stack.js'

ensureClaudeCode()

/** The proxy with discovery on, in front of an account that has today's models, as a team would run it. */
async function stackWith (options: StackOptions = {}): Promise<Stack> {
  const stack = await startStack({ ...options, emulator: { account: CURRENT_ACCOUNT, ...options.emulator } })
  await waitForDiscovery(stack)
  return stack
}

const bodies = (stack: Stack): any[] => stack.emulator.requests.map((r) => r.body)

function env (stack: Stack, extra: Record<string, string> = {}): Record<string, string> {
  return { ANTHROPIC_BASE_URL: stack.url, ANTHROPIC_AUTH_TOKEN: TOKEN, CLAUDE_CODE_MAX_RETRIES: '0', ...extra }
}

t.test(`Claude Code ${CLAUDE_CODE_VERSION}: a plain answer, with ANTHROPIC_AUTH_TOKEN and with ANTHROPIC_API_KEY`, async (t) => {
  const stack = await stackWith()
  t.teardown(() => stack.close())
  const bearer = await runClaude(['Hello through the proxy'], env(stack))
  t.equal(bearer.exitCode, 0, bearer.stderr)
  t.equal(bearer.json.is_error, false)
  t.match(bearer.json.result, /^You said: /)
  const upstream = stack.emulator.requests.filter((r) => r.operation === 'InvokeModelWithResponseStream')
  t.ok(upstream.length >= 1)
  t.ok(upstream.every((r) => r.status === 200), 'Bedrock accepted every body Claude Code produced')

  const apiKey = await runClaude(['Hello with an API key'], { ANTHROPIC_BASE_URL: stack.url, ANTHROPIC_API_KEY: TOKEN, CLAUDE_CODE_MAX_RETRIES: '0' })
  t.equal(apiKey.json.is_error, false)
  t.match(apiKey.json.result, /^You said: /)

  const wrong = await runClaude(['Hello'], { ANTHROPIC_BASE_URL: stack.url, ANTHROPIC_AUTH_TOKEN: 'not-the-token-at-all', CLAUDE_CODE_MAX_RETRIES: '0' })
  t.equal(wrong.json.is_error, true)
  t.equal(wrong.json.api_error_status, 401)
})

t.test('a tool loop: Claude Code runs Bash and sends the tool_result back', async (t) => {
  const stack = await stackWith()
  t.teardown(() => stack.close())
  const prompt = `Run the check\n${directive({ text: 'Running it.', toolUse: { name: 'Bash', input: { command: 'echo proxy-tool-$((6*7))', description: 'Echo a marker' } } })}`
  const run = await runClaude([prompt, '--allowedTools', 'Bash'], env(stack))
  t.equal(run.json.is_error, false, run.stderr)
  t.equal(run.json.result, 'Tool result received: proxy-tool-42', 'the shell really ran, and its output came back through Bedrock')
  t.equal(run.json.num_turns, 2)
  const last = bodies(stack).at(-1)
  const toolResult = last.messages.at(-1).content.find((block: any) => block.type === 'tool_result')
  t.match(toolResult, { type: 'tool_result', content: 'proxy-tool-42' })
  const toolUseTurn = last.messages.at(-2)
  t.ok(toolUseTurn.content.some((block: any) => block.type === 'tool_use' && block.name === 'Bash'), 'the tool_use turn went back as Bedrock sent it')
})

t.test('extended thinking and model choice by name and by variable', async (t) => {
  const stack = await stackWith()
  t.teardown(() => stack.close())
  const cases: Array<[string, string[], Record<string, string>, string]> = [
    ['--model with an Anthropic name', ['--model', 'claude-sonnet-4-5'], {}, 'us.anthropic.claude-sonnet-4-5-20250929-v1:0'],
    ['ANTHROPIC_MODEL', [], { ANTHROPIC_MODEL: 'claude-haiku-4-5' }, 'us.anthropic.claude-haiku-4-5-20251001-v1:0'],
    ['ANTHROPIC_DEFAULT_SONNET_MODEL with --model sonnet', ['--model', 'sonnet'], { ANTHROPIC_DEFAULT_SONNET_MODEL: 'claude-sonnet-4-6' }, 'us.anthropic.claude-sonnet-4-6'],
    ['ANTHROPIC_DEFAULT_OPUS_MODEL with --model opus', ['--model', 'opus'], { ANTHROPIC_DEFAULT_OPUS_MODEL: 'claude-opus-4-7' }, 'us.anthropic.claude-opus-4-7'],
    ['the default model, unconfigured (found by discovery)', [], {}, 'us.anthropic.claude-opus-5-5']
  ]
  for (const [name, args, extra, bedrockModelId] of cases) {
    stack.emulator.clear()
    const run = await runClaude(['Think about it', ...args], env(stack, extra))
    t.equal(run.json.is_error, false, `${name}: ${run.json.result}`)
    const main = stack.emulator.requests.filter((r) => r.operation === 'InvokeModelWithResponseStream' && (r.body as any).thinking !== undefined)
    t.ok(main.length > 0, `${name}: a request with thinking`)
    t.equal(main.at(-1)!.modelId, bedrockModelId, name)
  }
  const thinking = stack.emulator.requests.map((r) => (r.body as any).thinking).filter(Boolean)
  t.ok(thinking.some((value) => value.type === 'enabled' || value.type === 'adaptive'), 'thinking reached Bedrock')
})

t.test('a Bedrock failure surfaces as Claude Code’s own API error, without a hang', async (t) => {
  const stack = await stackWith()
  t.teardown(() => stack.close())
  const throttled = await runClaude([`hi\n${directive({ error: { type: 'ThrottlingException', message: 'Too many requests, please wait' } })}`], env(stack))
  t.equal(throttled.json.is_error, true)
  t.equal(throttled.json.api_error_status, 429)
  t.match(throttled.json.result, /429.*Too many requests, please wait/)

  let calls = 0
  const flaky = await stackWith({
    emulator: {
      respond: (request) => {
        if (request.operation !== 'InvokeModelWithResponseStream' || !JSON.stringify(request.body).includes('flaky-marker')) return undefined
        calls++
        return calls === 1 ? { error: { type: 'InternalServerException', message: 'transient' } } : { text: 'recovered' }
      }
    }
  })
  t.teardown(() => flaky.close())
  const retried = await runClaude(['flaky-marker'], env(flaky, { CLAUDE_CODE_MAX_RETRIES: '2' }))
  t.equal(retried.json.is_error, false)
  t.equal(retried.json.result, 'recovered', 'Claude Code retried the retryable 500 and got through')
  t.equal(calls, 2)
})
