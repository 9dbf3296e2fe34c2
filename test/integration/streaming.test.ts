import { connect } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import { request } from 'undici'
import { TOKEN } from '../helpers/config.js'
import { directive, parseSse, startStack, type Stack } from '../helpers/stack.js'

const headers = { 'x-api-key': TOKEN, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' }

function streamBody (content: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 1024, stream: true, messages: [{ role: 'user', content }], ...extra })
}

async function waitFor (check: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(10)
  }
}

t.test('events are relayed in order as SSE; Bedrock metrics stripped; headers copied', async (t) => {
  const stack = await startStack()
  t.teardown(() => stack.close())
  const response = await request(`${stack.url}/v1/messages`, { method: 'POST', headers: { ...headers, origin: 'https://app.example.com' }, body: streamBody('Stream me') })
  t.equal(response.statusCode, 200)
  t.equal(response.headers['content-type'], 'text/event-stream; charset=utf-8')
  t.equal(response.headers['cache-control'], 'no-cache')
  t.match(response.headers['request-id'], /^req_/)
  t.equal(response.headers['access-control-allow-origin'], '*', 'CORS headers survive the raw write')
  t.match(response.headers['access-control-expose-headers'], /request-id/)
  const text = await response.body.text()
  t.notMatch(text, /invocationMetrics/)
  const events = parseSse(text)
  const names = events.map((e) => e.event)
  t.same(names.slice(0, 2), ['message_start', 'content_block_start'])
  t.same(names.slice(-3), ['content_block_stop', 'message_delta', 'message_stop'])
  t.ok(names.slice(2, -3).length > 0 && names.slice(2, -3).every((name) => name === 'content_block_delta'))
  t.equal(events[0]!.event, 'message_start')
  t.equal(events.at(-1)!.event, 'message_stop')
  t.same(events.at(-1)!.data, { type: 'message_stop' })
  for (const { event, data } of events) t.equal(data.type, event, 'event name matches the data type')
  const reply = events.filter((e) => e.data.delta?.type === 'text_delta').map((e) => e.data.delta.text).join('')
  t.equal(reply, 'You said: Stream me')

  await waitFor(() => stack.logs.some((l) => l.msg === 'request' && l.stream === true), 'the request log line')
  const line = stack.logs.find((l) => l.msg === 'request' && l.stream === true)!
  t.match(line, { status: 200, ttfbMs: Number, bedrockRequestId: stack.emulator.lastRequest()!.id, usage: { input: Number, output: Number } })
  t.equal(stack.emulator.lastRequest()!.operation, 'InvokeModelWithResponseStream')
})

t.test('thinking and tool use stream through unchanged', async (t) => {
  const stack = await startStack()
  t.teardown(() => stack.close())
  const response = await request(`${stack.url}/v1/messages`, {
    method: 'POST',
    headers,
    body: streamBody(directive({ text: 'Let me check.', toolUse: { name: 'get_weather', input: { city: 'Paris' } } }), {
      thinking: { type: 'enabled', budget_tokens: 1024 },
      tools: [{ name: 'get_weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }]
    })
  })
  const events = parseSse(await response.body.text())
  const deltas = events.filter((e) => e.event === 'content_block_delta').map((e) => e.data.delta.type)
  t.ok(deltas.includes('thinking_delta'))
  t.ok(deltas.includes('signature_delta'))
  t.ok(deltas.includes('input_json_delta'))
  const json = events.filter((e) => e.data.delta?.type === 'input_json_delta').map((e) => e.data.delta.partial_json).join('')
  t.same(JSON.parse(json), { city: 'Paris' })
  t.equal(events.find((e) => e.event === 'message_delta')!.data.delta.stop_reason, 'tool_use')
})

t.test('a failure after the first event becomes an error event, then the end', async (t) => {
  const stack = await startStack()
  t.teardown(() => stack.close())
  const table: Array<[Record<string, unknown>, string, RegExp]> = [
    [{ streamError: { type: 'modelStreamErrorException', message: 'model broke', afterEvents: 2 } }, 'api_error', /model broke/],
    [{ streamError: { type: 'throttlingException', message: 'slow down', afterEvents: 3 } }, 'rate_limit_error', /slow down/],
    [{ streamError: { type: 'serviceUnavailableException', afterEvents: 1 } }, 'overloaded_error', /./],
    [{ streamError: { type: 'modelTimeoutException', afterEvents: 1 } }, 'timeout_error', /./],
    [{ streamError: { type: 'validationException', afterEvents: 1 } }, 'invalid_request_error', /./],
    [{ endWithoutStop: true }, 'api_error', /before message_stop/]
  ]
  for (const [script, type, message] of table) {
    const response = await request(`${stack.url}/v1/messages`, { method: 'POST', headers, body: streamBody(directive(script)) })
    t.equal(response.statusCode, 200, 'the status was already sent')
    const events = parseSse(await response.body.text())
    t.equal(events[0]!.event, 'message_start')
    const last = events.at(-1)!
    t.equal(last.event, 'error', JSON.stringify(script))
    t.match(last.data, { type: 'error', error: { type, message }, request_id: response.headers['request-id'] })
    t.notOk(events.some((e) => e.event === 'message_stop'))
  }
})

t.test('ping events keep a silent stream alive', async (t) => {
  const stack = await startStack({ env: { PING_INTERVAL_MS: '40' } })
  t.teardown(() => stack.close())
  const response = await request(`${stack.url}/v1/messages`, { method: 'POST', headers, body: streamBody(directive({ text: 'a b', textChunks: 2, eventDelayMs: 150 })) })
  const events = parseSse(await response.body.text())
  const pings = events.filter((e) => e.event === 'ping')
  t.ok(pings.length >= 3, `saw ${pings.length} pings`)
  t.same(pings[0]!.data, { type: 'ping' })
  t.equal(events.at(-1)!.event, 'message_stop')
})

t.test('no pings when PING_INTERVAL_MS=0', async (t) => {
  const stack = await startStack({ env: { PING_INTERVAL_MS: '0' } })
  t.teardown(() => stack.close())
  const response = await request(`${stack.url}/v1/messages`, { method: 'POST', headers, body: streamBody(directive({ text: 'a b', textChunks: 2, eventDelayMs: 60 })) })
  t.notOk(parseSse(await response.body.text()).some((e) => e.event === 'ping'))
})

async function rawStream (stack: Stack, body: string): Promise<import('node:net').Socket> {
  const url = new URL(stack.url)
  const socket = connect(Number(url.port), url.hostname)
  await new Promise((resolve) => socket.once('connect', resolve))
  socket.write(`POST /v1/messages HTTP/1.1\r\nhost: ${url.host}\r\nx-api-key: ${TOKEN}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`)
  return socket
}

t.test('a client that disconnects aborts the Bedrock call', async (t) => {
  const stack = await startStack()
  t.teardown(() => stack.close())
  const socket = await rawStream(stack, streamBody(directive({ text: 'word '.repeat(200), textChunks: 200, eventDelayMs: 20 })))
  await new Promise((resolve) => socket.once('data', resolve))
  await waitFor(() => (stack.emulator.lastRequest()?.eventsSent ?? 0) >= 3, 'a few events')
  socket.destroy()
  await waitFor(() => stack.emulator.lastRequest()!.aborted, 'the upstream abort')
  const sent = stack.emulator.lastRequest()!.eventsSent
  t.ok(sent < 100, `Bedrock stopped after ${sent} of 200+ events`)
  await waitFor(() => stack.emulator.activeStreams() === 0, 'no open upstream streams')
  await waitFor(() => stack.logs.some((l) => l.msg === 'request' && l.aborted === true), 'the log line')
  t.match(stack.logs.find((l) => l.msg === 'request' && l.aborted === true), { status: 499, stream: true })
})

t.test('a client that disconnects before a JSON answer aborts the call too', async (t) => {
  const stack = await startStack()
  t.teardown(() => stack.close())
  const body = JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 10, messages: [{ role: 'user', content: directive({ firstEventDelayMs: 2000 }) }] })
  const url = new URL(stack.url)
  const socket = connect(Number(url.port), url.hostname)
  await new Promise((resolve) => socket.once('connect', resolve))
  socket.write(`POST /v1/messages HTTP/1.1\r\nhost: ${url.host}\r\nx-api-key: ${TOKEN}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`)
  await waitFor(() => stack.emulator.lastRequest() !== undefined, 'the upstream call')
  socket.destroy()
  await waitFor(() => stack.emulator.lastRequest()!.aborted, 'the upstream abort')
  t.pass('upstream saw the abort')
})

t.test('a reader that stops reading slows Bedrock down instead of filling memory', async (t) => {
  const stack = await startStack()
  t.teardown(() => stack.close())
  const events = 20_000
  const socket = await rawStream(stack, streamBody(directive({ text: 'x'.repeat(1000), repeat: events, textChunks: events })))
  socket.pause()
  await waitFor(() => (stack.emulator.lastRequest()?.eventsSent ?? 0) > 0, 'the stream to start')
  let previous = -1
  // Wait until the pipeline is full and the emulator is blocked.
  for (let i = 0; i < 100 && stack.emulator.lastRequest()!.eventsSent !== previous; i++) {
    previous = stack.emulator.lastRequest()!.eventsSent
    await sleep(100)
  }
  const stalledAt = stack.emulator.lastRequest()!.eventsSent
  t.ok(stalledAt < events / 2, `Bedrock stalled at ${stalledAt} of ${events} events (~${Math.round(stalledAt / 1000)} MB in socket buffers)`)
  t.ok(process.memoryUsage().rss < 1024 * 1024 * 1024)
  socket.resume()
  let received = 0
  socket.on('data', (chunk: Buffer) => { received += chunk.length })
  await waitFor(() => stack.emulator.lastRequest()!.eventsSent >= events, 'the rest of the stream once reading resumes', 20_000)
  t.ok(received > 0)
  socket.destroy()
})

t.test('a Bedrock that goes silent is abandoned after UPSTREAM_IDLE_TIMEOUT_MS', async (t) => {
  const stack = await startStack({ env: { UPSTREAM_IDLE_TIMEOUT_MS: '300', PING_INTERVAL_MS: '100' } })
  t.teardown(() => stack.close())
  const before = Date.now()
  const stalled = await request(`${stack.url}/v1/messages`, { method: 'POST', headers, body: streamBody(directive({ firstEventDelayMs: 3000 })) })
  t.equal(stalled.statusCode, 504, 'silent before the first event: a plain 504 the client can retry')
  t.equal(stalled.headers['x-should-retry'], 'true')
  t.match(await stalled.body.json(), { type: 'error', error: { type: 'timeout_error', message: 'Bedrock sent nothing for 300 ms; the call was abandoned.' } })
  t.ok(Date.now() - before < 2000)

  const silentMidway = await request(`${stack.url}/v1/messages`, { method: 'POST', headers, body: streamBody(directive({ text: 'a b c', textChunks: 3, eventDelayMs: 3000 })) })
  t.equal(silentMidway.statusCode, 200)
  const events = parseSse(await silentMidway.body.text())
  t.ok(events.some((e) => e.event === 'ping'), 'pings kept the client side alive meanwhile')
  t.match(events.at(-1), { event: 'error', data: { error: { type: 'timeout_error' } } }, 'silent after the first event: an error event')

  const json = await request(`${stack.url}/v1/messages`, { method: 'POST', headers, body: JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 5, messages: [{ role: 'user', content: directive({ firstEventDelayMs: 3000 }) }] }) })
  t.equal(json.statusCode, 504, 'a JSON answer that never comes')
  await json.body.dump()

  const midway = await request(`${stack.url}/v1/messages`, { method: 'POST', headers, body: streamBody(directive({ text: 'a b c', textChunks: 3, eventDelayMs: 100, firstEventDelayMs: 0 })) })
  t.equal(midway.statusCode, 200, 'events every 100 ms are not idle')
  t.equal(parseSse(await midway.body.text()).at(-1)!.event, 'message_stop')

  await waitFor(() => stack.emulator.activeStreams() === 0, 'the abandoned upstream stream to close')
  t.ok(stack.emulator.requests.some((r) => r.aborted), 'the stalled Bedrock call was aborted')
})

t.test('a slow reader is not mistaken for a silent Bedrock', async (t) => {
  const stack = await startStack({ env: { UPSTREAM_IDLE_TIMEOUT_MS: '200' } })
  t.teardown(() => stack.close())
  const events = 20_000
  const socket = await rawStream(stack, streamBody(directive({ text: 'x'.repeat(1000), repeat: events, textChunks: events })))
  socket.pause()
  await sleep(600)
  socket.resume()
  let text = ''
  socket.on('data', (chunk: Buffer) => { text += chunk.toString('latin1') })
  await waitFor(() => text.includes('event: message_stop') || text.includes('event: error'), 'the end of the stream', 20_000)
  t.notOk(text.includes('event: error'), 'no timeout error: Bedrock was waiting on us')
  socket.destroy()
})
