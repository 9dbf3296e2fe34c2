// The transport: backpressure, client aborts, closing with open streams, the control routes and
// the request log, over raw HTTP/1.1 and HTTP/2 clients.
import t from 'tap'
import { connect as h2connect } from 'node:http2'
import { connect } from 'node:net'
import type { Socket } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { startEmulator } from '../../src/emulator/server.js'
import type { Emulator, Script } from '../../src/emulator/server.js'
import { body, client, invoke } from '../helpers/emulator-sdk.js'

const STREAM_PATH = `/model/${encodeURIComponent('us.anthropic.claude-sonnet-4-5-20250929-v1:0')}/invoke-with-response-stream`
const directive = (script: Script): string => JSON.stringify(body(`go\n@emulator ${JSON.stringify(script)}`))

/** Sends a raw HTTP/1.1 stream request and returns the socket, unread. */
function rawStreamRequest(emulator: Emulator, script: Script): Socket {
  const payload = directive(script)
  const socket = connect(emulator.port, '127.0.0.1')
  socket.pause()
  socket.write(
    `POST ${STREAM_PATH} HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: Bearer k\r\n` +
      `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(payload)}\r\n\r\n${payload}`,
  )
  return socket
}

async function until(check: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not reached in time')
    await sleep(10)
  }
}

// 4,000 text deltas of 4 KB each: about 22 MB of frames, far more than socket buffers hold.
const LONG: Script = { text: 'x'.repeat(4000), repeat: 4000, textChunks: 4000 }
// message_start, block start, 4,000 deltas, block stop, message_delta, message_stop.
const LONG_EVENTS = 4000 + 5

t.test('a client that stops reading stalls production (backpressure)', async (t) => {
  const emulator = await startEmulator()
  t.teardown(() => emulator.close())
  const socket = rawStreamRequest(emulator, LONG)
  t.teardown(() => socket.destroy())
  await until(() => (emulator.lastRequest()?.eventsSent ?? 0) > 0)
  await sleep(300)
  const stalled = emulator.lastRequest()?.eventsSent ?? 0
  await sleep(200)
  t.equal(emulator.lastRequest()?.eventsSent, stalled, 'no progress while the client does not read')
  t.ok(stalled < LONG_EVENTS / 2, `only ${stalled} of ${LONG_EVENTS} events written`)
  t.equal(emulator.activeStreams(), 1)

  // Reading resumes production, all the way to the end.
  let received = 0
  socket.on('data', (chunk: Buffer) => (received += chunk.length))
  socket.resume()
  await until(() => emulator.lastRequest()?.eventsSent === LONG_EVENTS, 8000)
  await until(() => emulator.activeStreams() === 0)
  // The last frames may still be in socket buffers when the emulator has finished writing.
  await until(() => received > 20_000_000, 8000).catch(() => undefined)
  t.ok(received > 20_000_000, `read ${received} bytes`)
  t.equal(emulator.lastRequest()?.aborted, false)
})

t.test('a client that goes away: aborted, production stops', async (t) => {
  const emulator = await startEmulator()
  t.teardown(() => emulator.close())
  const socket = rawStreamRequest(emulator, { text: 'tick tock', repeat: 1000, eventDelayMs: 5 })
  await until(() => (emulator.lastRequest()?.eventsSent ?? 0) >= 5)
  socket.destroy()
  await until(() => emulator.lastRequest()?.aborted === true)
  await until(() => emulator.activeStreams() === 0)
  const sent = emulator.lastRequest()?.eventsSent ?? 0
  await sleep(100)
  t.equal(emulator.lastRequest()?.eventsSent, sent, 'no more events after the abort')
  t.ok(sent < 2000)
})

t.test('an HTTP/2 stream reset is an abort too', async (t) => {
  const emulator = await startEmulator()
  t.teardown(() => emulator.close())
  const session = h2connect(emulator.url)
  t.teardown(() => session.destroy())
  const req = session.request({
    ':method': 'POST', ':path': STREAM_PATH, authorization: 'Bearer k', 'content-type': 'application/json',
  })
  req.end(directive({ text: 'a b c', repeat: 1000, eventDelayMs: 5 }))
  req.on('data', () => {})
  req.on('error', () => {})
  await until(() => (emulator.lastRequest()?.eventsSent ?? 0) >= 3)
  t.equal(emulator.lastRequest()?.httpVersion, '2.0')
  req.close()
  await until(() => emulator.lastRequest()?.aborted === true)
  await until(() => emulator.activeStreams() === 0)
})

t.test('close() ends open streams and h2 sessions', async (t) => {
  const emulator = await startEmulator({ eventDelayMs: 20 })
  const c = client(emulator)
  t.teardown(() => c.destroy())
  const session = h2connect(emulator.url)
  session.on('error', () => {})
  const sessionClosed = new Promise((resolve) => session.once('close', resolve))
  const socket = rawStreamRequest(emulator, { text: 'slow', repeat: 100 })
  socket.on('error', () => {})
  const socketClosed = new Promise((resolve) => socket.once('close', resolve))
  socket.resume()
  await until(() => emulator.activeStreams() === 1)
  await emulator.close()
  await Promise.all([sessionClosed, socketClosed])
  t.equal(emulator.activeStreams(), 0)
  t.equal(emulator.lastRequest()?.aborted, true)
  await t.rejects(fetch(`${emulator.url}/_emulator/requests`), 'nothing listens any more')
})

t.test('control routes and the request log', async (t) => {
  const emulator = await startEmulator({ maxRecorded: 3 })
  t.teardown(() => emulator.close())
  const c = client(emulator)
  t.teardown(() => c.destroy())
  for (const word of ['a', 'b', 'c', 'd']) await invoke(c, body(word))
  t.equal(emulator.requests.length, 3, 'maxRecorded keeps the newest')
  t.equal((emulator.requests[0]?.body as { messages: Array<{ content: string }> }).messages[0]?.content, 'b')
  t.equal(emulator.lastRequest(), emulator.requests[2])

  const listed = (await (await fetch(`${emulator.url}/_emulator/requests`)).json()) as Array<{ id: string }>
  t.same(listed.map((r) => r.id), emulator.requests.map((r) => r.id))
  t.match(listed[0], { operation: 'InvokeModel', httpVersion: '2.0', status: 200, aborted: false, eventsSent: 0 })
  t.equal((await fetch(`${emulator.url}/_emulator/requests`, { method: 'DELETE' })).status, 204)
  t.equal(emulator.requests.length, 0)
  await invoke(c, body('e'))
  emulator.clear()
  t.equal(emulator.lastRequest(), undefined)
})

t.test('InvokeModel success headers', async (t) => {
  const emulator = await startEmulator()
  t.teardown(() => emulator.close())
  const reply = await fetch(`${emulator.url}/model/us.anthropic.claude-haiku-4-5-20251001-v1%3A0/invoke`, {
    method: 'POST',
    headers: { authorization: 'Bearer k' },
    body: JSON.stringify(body()),
  })
  t.equal(reply.status, 200)
  t.equal(reply.headers.get('content-type'), 'application/json')
  const message = (await reply.json()) as { usage: { input_tokens: number; output_tokens: number } }
  t.equal(reply.headers.get('x-amzn-bedrock-input-token-count'), String(message.usage.input_tokens))
  t.equal(reply.headers.get('x-amzn-bedrock-output-token-count'), String(message.usage.output_tokens))
  t.match(reply.headers.get('x-amzn-bedrock-invocation-latency'), /^\d+$/)
  t.equal(reply.headers.get('x-amzn-requestid'), emulator.lastRequest()?.id)
  t.equal(emulator.lastRequest()?.modelId, 'us.anthropic.claude-haiku-4-5-20251001-v1:0')

  const streamed = await fetch(`${emulator.url}${STREAM_PATH}`, { method: 'POST', headers: { authorization: 'Bearer k' }, body: JSON.stringify(body()) })
  t.equal(streamed.headers.get('content-type'), 'application/vnd.amazon.eventstream')
  t.equal(streamed.headers.get('x-amzn-bedrock-content-type'), 'application/json')
  t.ok((await streamed.arrayBuffer()).byteLength > 100)
})
