import t from 'tap'
import { request } from 'undici'
import { BEDROCK_ERROR_TABLE } from '../helpers/bedrock-errors.js'
import { TOKEN } from '../helpers/config.js'
import { directive, startStack } from '../helpers/stack.js'

const headers = { 'x-api-key': TOKEN, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' }

t.test('a JSON message: Bedrock body, ids and answer', async (t) => {
  const stack = await startStack()
  t.teardown(() => stack.close())
  const response = await request(`${stack.url}/v1/messages`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 256, messages: [{ role: 'user', content: 'Hello there' }], temperature: 0.5 })
  })
  t.equal(response.statusCode, 200)
  t.match(response.headers['content-type'], /^application\/json/)
  t.match(response.headers['request-id'], /^req_/)
  const message = await response.body.json() as any
  t.match(message, { type: 'message', role: 'assistant', content: [{ type: 'text', text: 'You said: Hello there' }], stop_reason: 'end_turn', usage: { input_tokens: Number, output_tokens: Number } })

  const upstream = stack.emulator.lastRequest()!
  t.equal(upstream.operation, 'InvokeModel')
  t.equal(upstream.modelId, 'us.anthropic.claude-sonnet-4-5-20250929-v1:0')
  t.equal(upstream.headers['content-type'], 'application/json')
  t.equal(upstream.headers.accept, 'application/json')
  t.equal(upstream.httpVersion, '1.1', 'keep-alive HTTP/1.1 pool, not a new h2 session per call')
  t.same(upstream.body, { anthropic_version: 'bedrock-2023-05-31', max_tokens: 256, messages: [{ role: 'user', content: 'Hello there' }], temperature: 0.5 })

  const line = stack.logs.find((entry) => entry.msg === 'request' && entry.route === '/v1/messages')!
  t.match(line, {
    reqId: response.headers['request-id'], method: 'POST', status: 200, model: 'claude-sonnet-4-5',
    bedrockModelId: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0', bedrockRequestId: upstream.id,
    stream: false, latencyMs: Number, ttfbMs: Number, usage: { input: message.usage.input_tokens, output: message.usage.output_tokens }
  })
})

t.test("Claude Code's request reaches Bedrock in a form it accepts", async (t) => {
  const stack = await startStack()
  t.teardown(() => stack.close())
  const body = {
    model: 'claude-opus-4-5-20251101',
    max_tokens: 32000,
    metadata: { user_id: 'user_abc_account__session_123' },
    thinking: { type: 'enabled', budget_tokens: 31999 },
    context_management: { edits: [{ type: 'clear_thinking_20251015', keep: 'all' }] },
    output_config: { effort: 'high' },
    system: [{ type: 'text', text: 'You are Claude Code.', cache_control: { type: 'ephemeral', scope: 'global' } }],
    tools: [
      { name: 'Bash', description: 'Run a command', input_schema: { type: 'object', properties: { command: { type: 'string' } }, required: ['command'] } },
      { name: 'WebFetch', description: 'Fetch', input_schema: { type: 'object' }, defer_loading: true }
    ],
    messages: [
      { role: 'user', content: [{ type: 'text', text: 'list files', cache_control: { type: 'ephemeral' } }] },
      { role: 'system', content: 'The user switched to plan mode.' },
      { role: 'user', content: 'go on' }
    ],
    stream: false
  }
  const response = await request(`${stack.url}/v1/messages?beta=true`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${TOKEN}`,
      'content-type': 'application/json',
      'anthropic-version': '2023-06-01',
      'anthropic-beta': 'claude-code-20250219,interleaved-thinking-2025-05-14,context-management-2025-06-27,thinking-token-count-2026-05-13,prompt-caching-scope-2026-01-05,mid-conversation-system-2026-04-07,effort-2025-11-24,advanced-tool-use-2025-11-20,context-1m-2025-08-07',
      'x-app': 'cli'
    },
    body: JSON.stringify(body)
  })
  t.equal(response.statusCode, 200, await response.body.text())
  const sent = stack.emulator.lastRequest()!.body as any
  t.same(sent.anthropic_beta, ['interleaved-thinking-2025-05-14', 'context-management-2025-06-27', 'effort-2025-11-24', 'tool-search-tool-2025-10-19'])
  t.same(sent.metadata, body.metadata)
  t.same(sent.thinking, body.thinking)
  t.same(sent.context_management, body.context_management)
  t.notOk('output_config' in sent, 'Opus 4.5 predates output_config')
  t.same(sent.system, [{ type: 'text', text: 'You are Claude Code.', cache_control: { type: 'ephemeral' } }])
  t.same(sent.tools, body.tools, 'tool search is on, so defer_loading stays')
  t.same(sent.messages, [
    body.messages[0],
    { role: 'user', content: [{ type: 'text', text: 'The user switched to plan mode.' }, { type: 'text', text: 'go on' }] }
  ])
  t.notOk('model' in sent)
  t.notOk('stream' in sent)
  const debug = stack.logs.find((entry) => entry.msg === 'adapted request for Bedrock')!
  t.match(debug, { removedFields: ['output_config', 'system.0.cache_control.scope', 'messages.1.role'], droppedBetas: ['claude-code-20250219', 'thinking-token-count-2026-05-13', 'prompt-caching-scope-2026-01-05', 'mid-conversation-system-2026-04-07', 'context-1m-2025-08-07'] })
  t.notMatch(JSON.stringify(debug), /plan mode|Claude Code\./, 'field names, never content')
})

t.test('a 6 MB body with an image and a PDF goes through intact', async (t) => {
  const stack = await startStack()
  t.teardown(() => stack.close())
  const image = Buffer.alloc(3.5 * 1024 * 1024, 7).toString('base64')
  const pdf = Buffer.from('%PDF-1.4 ' + 'x'.repeat(1024 * 1024)).toString('base64')
  const content = [
    { type: 'image', source: { type: 'base64', media_type: 'image/png', data: image } },
    { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: pdf }, citations: { enabled: true } },
    { type: 'text', text: 'describe both' }
  ]
  const payload = JSON.stringify({ model: 'claude-haiku-4-5', max_tokens: 64, messages: [{ role: 'user', content }] })
  t.ok(payload.length > 5.5 * 1024 * 1024)
  const response = await request(`${stack.url}/v1/messages`, { method: 'POST', headers, body: payload })
  t.equal(response.statusCode, 200)
  await response.body.dump()
  t.same((stack.emulator.lastRequest()!.body as any).messages[0].content, content)
})

t.test('each Bedrock error maps to its status, type and retry advice', async (t) => {
  const stack = await startStack()
  t.teardown(() => stack.close())
  for (const [name, status, type, shouldRetry, retryAfter] of BEDROCK_ERROR_TABLE) {
    for (const stream of [false, true]) {
      const response = await request(`${stack.url}/v1/messages`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 10, stream, messages: [{ role: 'user', content: directive({ error: { type: name, message: `scripted ${name}` } }) }] })
      })
      const label = `${name}${stream ? ' (stream)' : ''}`
      t.equal(response.statusCode, status, label)
      t.equal(response.headers['x-should-retry'], shouldRetry, `${label}: x-should-retry`)
      t.equal(response.headers['retry-after'], retryAfter, `${label}: retry-after`)
      t.match(response.headers['content-type'], /application\/json/, `${label}: a JSON error, not an event stream`)
      t.same(await response.body.json(), { type: 'error', error: { type, message: `scripted ${name}` }, request_id: response.headers['request-id'] }, label)
    }
  }
})

t.test('Bedrock refusing a body is a 400 with its message', async (t) => {
  const stack = await startStack()
  t.teardown(() => stack.close())
  const response = await request(`${stack.url}/v1/messages`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ model: 'anthropic.claude-sonnet-4-5-20250929-v1:0', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] })
  })
  t.equal(response.statusCode, 400)
  t.match(await response.body.json(), { error: { type: 'invalid_request_error', message: /on-demand throughput isn.t supported/ } })
})

t.test('an unreachable Bedrock is a retryable 500, not a hang', async (t) => {
  const stack = await startStack({ env: { AWS_ENDPOINT_URL_BEDROCK_RUNTIME: 'http://127.0.0.1:9' } })
  t.teardown(() => stack.close())
  const response = await request(`${stack.url}/v1/messages`, {
    method: 'POST', headers, body: JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] })
  })
  t.equal(response.statusCode, 500)
  t.equal(response.headers['x-should-retry'], 'true')
  t.match(await response.body.json(), { type: 'error', error: { type: 'api_error' } })
})
