// Fault injection (script `fault`): resets, stalls, broken frames, a load balancer's 5xx and slow
// headers, seen by the real SDK over HTTP/2 (its default) and HTTP/1.1, and on the wire.
import t from 'tap'
import type { Test } from 'tap'
import { connect } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { InvokeModelWithResponseStreamCommand } from '@aws-sdk/client-bedrock-runtime'
import { NodeHttpHandler } from '@smithy/node-http-handler'
import { crc32 } from 'node:zlib'
import { startEmulator } from '../../src/emulator/server.js'
import type { Emulator, Script } from '../../src/emulator/server.js'
import { body, client, invoke, PROFILE, stream } from '../helpers/emulator-sdk.js'

type Fault = NonNullable<Script['fault']>
const withFault = (fault: Fault, extra: Script = {}): Record<string, unknown> => body(`go\n@emulator ${JSON.stringify({ ...extra, fault })}`)

async function setup(t: Test) {
  const emulator = await startEmulator()
  t.teardown(() => emulator.close())
  const h2 = client(emulator)
  const h1 = client(emulator, { requestHandler: new NodeHttpHandler() })
  t.teardown(() => { h2.destroy(); h1.destroy() })
  return { emulator, clients: [['HTTP/2', h2], ['HTTP/1.1', h1]] as const }
}

/** Streams, collecting event types until the SDK throws; resolves to the events and the error. */
async function streamUntilError(c: Parameters<typeof stream>[0], b: unknown): Promise<{ seen: string[]; error: any }> {
  const seen: string[] = []
  try {
    const out = await c.send(new InvokeModelWithResponseStreamCommand({ modelId: PROFILE, body: JSON.stringify(b), contentType: 'application/json', accept: 'application/json' }))
    for await (const part of out.body ?? []) seen.push(JSON.parse(new TextDecoder().decode(part.chunk?.bytes)).type)
    return { seen, error: undefined }
  } catch (error) {
    return { seen, error }
  }
}

/** A raw HTTP/1.1 stream request; resolves with every byte received and how the socket ended. */
function rawStream(emulator: Emulator, b: unknown, ms = 3000): Promise<{ bytes: Buffer; reset: boolean }> {
  const payload = JSON.stringify(b)
  return new Promise((resolve, reject) => {
    const socket = connect(emulator.port, '127.0.0.1')
    const chunks: Buffer[] = []
    let reset = false
    const timer = setTimeout(() => { socket.destroy(); reject(new Error('raw request timed out')) }, ms)
    socket.on('data', (chunk: Buffer) => chunks.push(chunk))
    socket.on('error', (error: NodeJS.ErrnoException) => { reset = error.code === 'ECONNRESET' })
    socket.on('close', () => { clearTimeout(timer); resolve({ bytes: Buffer.concat(chunks), reset }) })
    socket.write(
      `POST /model/${encodeURIComponent(PROFILE)}/invoke-with-response-stream HTTP/1.1\r\nhost: x\r\nauthorization: Bearer k\r\n` +
        `connection: close\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(payload)}\r\n\r\n${payload}`,
    )
  })
}

/** The event-stream bytes of a chunked HTTP/1.1 response. */
function dechunk(raw: Buffer): Buffer {
  let at = raw.indexOf('\r\n\r\n') + 4
  const parts: Buffer[] = []
  while (at < raw.length) {
    const eol = raw.indexOf('\r\n', at)
    if (eol < 0) break
    const size = parseInt(raw.subarray(at, eol).toString('latin1'), 16)
    if (!(size > 0)) break
    parts.push(raw.subarray(eol + 2, eol + 2 + size))
    at = eol + 2 + size + 2
  }
  return Buffer.concat(parts)
}

t.test('reset-before-headers: no status line, the connection is reset', async (t) => {
  const { emulator, clients } = await setup(t)
  for (const [name, c] of clients) {
    emulator.clear()
    const { seen, error } = await streamUntilError(c, withFault({ type: 'reset-before-headers' }))
    t.same(seen, [], name)
    t.match(error, { message: name === 'HTTP/2' ? /NGHTTP2_INTERNAL_ERROR/ : /ECONNRESET/ }, name)
    await t.rejects(invoke(c, withFault({ type: 'reset-before-headers' })), name === 'HTTP/2' ? /NGHTTP2_INTERNAL_ERROR/ : /ECONNRESET/)
    t.match(emulator.requests, [{ fault: 'reset-before-headers', status: undefined }, { fault: 'reset-before-headers' }])
  }
  const raw = await rawStream(emulator, withFault({ type: 'reset-before-headers' }))
  t.equal(raw.bytes.length, 0, 'not a byte')
  t.ok(raw.reset, 'a TCP reset (ECONNRESET), not a clean close')
})

t.test('reset-after-events: N intact events, then a reset', async (t) => {
  const { emulator, clients } = await setup(t)
  for (const [name, c] of clients) {
    const { seen, error } = await streamUntilError(c, withFault({ type: 'reset-after-events', afterEvents: 3 }))
    t.same(seen, ['message_start', 'content_block_start', 'content_block_delta'], name)
    t.ok(error, `${name}: ${error?.message}`)
    t.match(emulator.lastRequest(), { fault: 'reset-after-events', eventsSent: 3, status: 200 })
    await t.rejects(invoke(c, withFault({ type: 'reset-after-events' })), `${name}: InvokeModel reset mid-body`)
  }
  const raw = await rawStream(emulator, withFault({ type: 'reset-after-events', afterEvents: 0 }))
  t.match(raw.bytes.toString('latin1'), /^HTTP\/1\.1 200 OK/, 'afterEvents 0: headers, then the reset')
  t.ok(raw.reset)
})

t.test('corrupt-message-crc and corrupt-prelude-crc: the SDK rejects the frame', async (t) => {
  const { emulator, clients } = await setup(t)
  for (const [name, c] of clients) {
    const message = await streamUntilError(c, withFault({ type: 'corrupt-message-crc' }))
    t.same(message.seen, ['message_start', 'content_block_start'], `${name}: afterEvents defaults to 2`)
    t.match(message.error, { message: /message checksum/ }, name)
    const prelude = await streamUntilError(c, withFault({ type: 'corrupt-prelude-crc', afterEvents: 0 }))
    t.same(prelude.seen, [])
    t.match(prelude.error, { message: /prelude checksum/ }, name)
  }
  // On the wire: the third frame's prelude is intact and its message CRC is off by one flipped byte.
  const raw = await rawStream(emulator, withFault({ type: 'corrupt-message-crc', afterEvents: 2 }))
  t.notOk(raw.reset, 'a clean end after the bad frame')
  let stream = dechunk(raw.bytes)
  const frames: Buffer[] = []
  while (stream.length >= 12) {
    const total = stream.readUInt32BE(0)
    frames.push(stream.subarray(0, total))
    stream = stream.subarray(total)
  }
  t.equal(frames.length, 3)
  const bad = frames[2]!
  t.equal(bad.readUInt32BE(8), crc32(bad.subarray(0, 8)), 'prelude CRC intact')
  t.equal(bad.readUInt32BE(bad.length - 4) ^ 0xff, crc32(bad.subarray(0, bad.length - 4)), 'message CRC broken in its last byte')
  const past = await streamUntilError(clients[0][1], withFault({ type: 'corrupt-prelude-crc', afterEvents: 99 }))
  t.equal(past.seen.at(-1), 'message_delta', 'past the end: the last frame (message_stop) is the broken one')
  t.match(past.error, { message: /prelude checksum/ })
})

t.test('truncated-frame: half a frame, then a clean end', async (t) => {
  const { emulator, clients } = await setup(t)
  for (const [name, c] of clients) {
    const { seen, error } = await streamUntilError(c, withFault({ type: 'truncated-frame', afterEvents: 1 }))
    t.same(seen, ['message_start'], name)
    t.match(error, { message: /Truncated event message/ }, name)
    const message = await c.send(new (await import('@aws-sdk/client-bedrock-runtime')).InvokeModelCommand({
      modelId: PROFILE, body: JSON.stringify(withFault({ type: 'truncated-frame' })), contentType: 'application/json', accept: 'application/json',
    }))
    const text = new TextDecoder().decode(message.body)
    t.throws(() => JSON.parse(text), SyntaxError, `${name}: InvokeModel gets a 200 whose body is half a JSON document`)
  }
  const raw = await rawStream(emulator, withFault({ type: 'truncated-frame', afterEvents: 0 }))
  t.notOk(raw.reset)
  const bytes = dechunk(raw.bytes)
  t.ok(bytes.length >= 12 && bytes.readUInt32BE(0) > bytes.length, 'the prelude promises more than was sent')
})

t.test('non-json-5xx: a load balancer page without x-amzn-ErrorType', async (t) => {
  const { emulator, clients } = await setup(t)
  const response = await fetch(`${emulator.url}/model/${encodeURIComponent(PROFILE)}/invoke`, {
    method: 'POST', headers: { authorization: 'Bearer k', 'content-type': 'application/json' }, body: JSON.stringify(withFault({ type: 'non-json-5xx' })),
  })
  t.equal(response.status, 502)
  t.equal(response.headers.get('content-type'), 'text/html')
  t.equal(response.headers.get('x-amzn-errortype'), null)
  t.match(await response.text(), /<h1>502 Bad Gateway<\/h1>/)
  const custom = await fetch(`${emulator.url}/model/${encodeURIComponent(PROFILE)}/invoke-with-response-stream`, {
    method: 'POST', headers: { authorization: 'Bearer k' }, body: JSON.stringify(withFault({ type: 'non-json-5xx', status: 503, body: 'upstream connect error', contentType: 'text/plain' })),
  })
  t.equal(custom.status, 503)
  t.equal(await custom.text(), 'upstream connect error')
  for (const [name, c] of clients) {
    const { error } = await streamUntilError(c, withFault({ type: 'non-json-5xx' }))
    t.match(error, { name: 'SyntaxError', $metadata: { httpStatusCode: 502 } }, `${name}: the SDK cannot parse it`)
  }
})

t.test('slow-headers: nothing, then a normal reply', async (t) => {
  const { emulator, clients } = await setup(t)
  for (const [name, c] of clients) {
    let started = Date.now()
    const events = await stream(c, withFault({ type: 'slow-headers', delayMs: 150 }))
    t.ok(Date.now() - started >= 140, `${name}: held back`)
    t.equal(events.at(-1).type, 'message_stop')
    started = Date.now()
    t.match((await invoke(c, withFault({ type: 'slow-headers', delayMs: 150 }))).content, [{ type: 'text' }])
    t.ok(Date.now() - started >= 140)
  }
  // A client that gives up during the wait is recorded as an abort; no reply is attempted after.
  const controller = new AbortController()
  const pending = fetch(`${emulator.url}/model/${encodeURIComponent(PROFILE)}/invoke`, {
    method: 'POST', headers: { authorization: 'Bearer k' }, body: JSON.stringify(withFault({ type: 'slow-headers', delayMs: 60_000 })), signal: controller.signal,
  }).catch((error: unknown) => error)
  await sleep(100)
  controller.abort()
  t.match(await pending, { name: 'AbortError' })
  for (let i = 0; i < 100 && !emulator.lastRequest()?.aborted; i++) await sleep(10)
  t.ok(emulator.lastRequest()?.aborted)
  t.equal(emulator.activeStreams(), 0)
})

t.test('stall: headers and N events, then silence until the client gives up', async (t) => {
  const { emulator, clients } = await setup(t)
  for (const [name, c] of clients) {
    const controller = new AbortController()
    const seen: string[] = []
    const out = await c.send(new InvokeModelWithResponseStreamCommand({ modelId: PROFILE, body: JSON.stringify(withFault({ type: 'stall', afterEvents: 2 })), contentType: 'application/json', accept: 'application/json' }), { abortSignal: controller.signal })
    const reading = (async () => {
      for await (const part of out.body ?? []) seen.push(JSON.parse(new TextDecoder().decode(part.chunk?.bytes)).type)
    })().catch((e: unknown) => e)
    await sleep(300)
    t.same(seen, ['message_start', 'content_block_start'], `${name}: two events, then nothing`)
    t.equal(emulator.activeStreams(), 1)
    controller.abort()
    await reading
    for (let i = 0; i < 100 && emulator.activeStreams() > 0; i++) await sleep(10)
    t.equal(emulator.activeStreams(), 0, `${name}: the stall ends with the client`)
    t.match(emulator.lastRequest(), { fault: 'stall', aborted: true, eventsSent: 2 })
  }
  // A stalled InvokeModel (half the JSON body, then nothing) also holds until the client leaves, and close() ends it.
  const pending = fetch(`${emulator.url}/model/${encodeURIComponent(PROFILE)}/invoke`, {
    method: 'POST', headers: { authorization: 'Bearer k' }, body: JSON.stringify(withFault({ type: 'stall' })),
  }).then((r) => r.text()).catch((error: unknown) => error)
  for (let i = 0; i < 100 && emulator.activeStreams() === 0; i++) await sleep(10)
  t.equal(emulator.activeStreams(), 1)
  await emulator.close()
  t.ok(await pending, 'the client saw the end when the emulator closed')
})

t.test('fault scripts are checked', async (t) => {
  const { clients } = await setup(t)
  const c = clients[0][1]
  const bad: Array<[unknown, RegExp]> = [
    [{ type: 'explode' }, /fault\.type must be one of reset-before-headers/],
    ['reset-before-headers', /fault\.type/],
    [{ type: 'stall', afterEvents: -1 }, /fault\.afterEvents/],
    [{ type: 'slow-headers', delayMs: 'soon' }, /fault\.delayMs/],
    [{ type: 'non-json-5xx', status: 404 }, /fault\.status/],
    [{ type: 'non-json-5xx', body: 5 }, /fault\.body/],
  ]
  for (const [fault, message] of bad) {
    await t.rejects(invoke(c, body(`go\n@emulator ${JSON.stringify({ fault })}`)), { name: 'ValidationException', message }, JSON.stringify(fault))
  }
})

t.test('respond() scripts faults per attempt: the SDK retry after a reset succeeds', async (t) => {
  let attempts = 0
  const emulator = await startEmulator({ respond: () => (++attempts === 1 ? { fault: { type: 'reset-before-headers' } } : undefined) })
  t.teardown(() => emulator.close())
  const c = client(emulator, { maxAttempts: 2, requestHandler: new NodeHttpHandler() })
  t.teardown(() => c.destroy())
  t.equal((await invoke(c, body('again'))).content[0].text, 'You said: again')
  t.equal(attempts, 2)
  t.match(emulator.requests, [{ fault: 'reset-before-headers' }, { status: 200 }])
})
