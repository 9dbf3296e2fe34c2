// The direct Bedrock path's own pieces: label encoding, endpoints, the credential cache, event-stream
// framing (incl. `error` frames the emulator does not send), abort on a paused stream, close().
import t from 'tap'
import type { Test } from 'tap'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { EventStreamCodec } from '@smithy/core/event-streams'
import { extendedEncodeURIComponent } from '@smithy/core/protocols'
import { cachedCredentials, createDirectBedrock, defaultEndpoint, encodeLabel } from '../../src/bedrock/direct/index.js'
import type { Credentials } from '../../src/bedrock/direct/index.js'
import { sanitizeErrorCode } from '../../src/bedrock/direct/errors.js'
import { frames } from '../../src/bedrock/direct/event-stream.js'
import { startEmulator } from '../../src/emulator/server.js'
import { chunkFrame } from '../../src/emulator/eventstream.js'

const codec = new EventStreamCodec((b) => Buffer.from(b).toString('utf8'), (s) => Buffer.from(s, 'utf8'))
const frame = (headers: Record<string, string>, body: string): Uint8Array => codec.encode({
  headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, { type: 'string', value: v }])),
  body: Buffer.from(body)
})
const body = Buffer.from(JSON.stringify({ anthropic_version: 'bedrock-2023-05-31', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }))
const never = (): AbortSignal => new AbortController().signal

t.test('model ids are encoded as the SDK encodes its labels', async (t) => {
  for (const id of ['anthropic.claude-sonnet-4-5-20250929-v1:0', 'us.anthropic.claude-opus-4-8',
    'arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-opus-4-8',
    "a (b) 'c' *!~ü/+%20&=?#", 'plain_id-1.2~x']) {
    t.equal(encodeLabel(id), extendedEncodeURIComponent(id), id)
  }
})

t.test('default endpoints', async (t) => {
  t.equal(defaultEndpoint('us-east-1'), 'https://bedrock-runtime.us-east-1.amazonaws.com')
  t.equal(defaultEndpoint('cn-north-1'), 'https://bedrock-runtime.cn-north-1.amazonaws.com.cn')
  t.equal(sanitizeErrorCode('ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/'), 'ThrottlingException')
  t.equal(sanitizeErrorCode('aws.protocoltests#FooError'), 'FooError')
})

t.test('credentials: resolved once, refreshed before expiry, one refresh for concurrent callers', async (t) => {
  let calls = 0
  let lifetimeMs = 60 * 60_000
  const provider = async (): Promise<Credentials> => {
    calls++
    await sleep(5)
    return { accessKeyId: `AKID${calls}`, secretAccessKey: 's', expiration: new Date(Date.now() + lifetimeMs) }
  }
  const cached = cachedCredentials(provider)
  const first = await Promise.all([cached(), cached(), cached()])
  t.equal(calls, 1)
  t.same(first.map((c) => c.accessKeyId), ['AKID1', 'AKID1', 'AKID1'])
  t.equal((await cached()).accessKeyId, 'AKID1', 'kept while far from expiry')
  lifetimeMs = 60_000
  const soon = cachedCredentials(provider)
  t.equal((await soon()).accessKeyId, 'AKID2')
  t.equal((await soon()).accessKeyId, 'AKID3', 'within five minutes of expiry: refreshed')
  const forever = cachedCredentials(async () => ({ accessKeyId: 'STATIC', secretAccessKey: 's' }))
  t.equal((await forever()).accessKeyId, 'STATIC')
})

t.test('session tokens are sent as x-amz-security-token and signed', async (t) => {
  const emulator = await startEmulator({ credentials: { accessKeyId: 'AKIDTEMP', secretAccessKey: 'temp-secret' } })
  t.teardown(() => emulator.close())
  const bedrock = createDirectBedrock({ region: 'us-east-1', endpoint: emulator.url, apiKey: undefined, maxAttempts: 1 } as never,
    { credentials: async () => ({ accessKeyId: 'AKIDTEMP', secretAccessKey: 'temp-secret', sessionToken: 'the-session' }) })
  t.teardown(() => bedrock.close())
  await bedrock.invoke('us.anthropic.claude-sonnet-4-5-20250929-v1:0', body, never())
  t.equal(emulator.lastRequest()?.headers['x-amz-security-token'], 'the-session')
  t.match(emulator.lastRequest()?.headers.authorization, /SignedHeaders=[^,]*x-amz-security-token/)
})

t.test('framing: frames split anywhere, error frames, truncation', async (t) => {
  const wire = Buffer.concat([chunkFrame({ type: 'a' }, 0), chunkFrame({ type: 'b' }, 1)])
  async function * bytewise (): AsyncGenerator<Uint8Array> { for (const byte of wire) yield Buffer.from([byte]) }
  const seen: string[] = []
  for await (const f of frames(bytewise())) seen.push(String(f.headers[':event-type']?.value))
  t.same(seen, ['chunk', 'chunk'])
  async function * cut (): AsyncGenerator<Uint8Array> { yield wire.subarray(0, wire.length - 3) }
  await t.rejects((async () => { for await (const _ of frames(cut())) { /* drain */ } })(), { message: 'Truncated event message received.' })
})

/** A tiny Bedrock stand-in that answers a stream with the given frames. */
async function serve (t: Test, parts: Uint8Array[]): Promise<string> {
  const server = createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream', 'x-amzn-requestid': 'req-1' })
      for (const part of parts) res.write(part)
      res.end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

t.test('an `error` frame and an unknown exception type are thrown as AWS errors', async (t) => {
  const url = await serve(t, [
    chunkFrame({ type: 'message_start' }, 0),
    frame({ ':message-type': 'event', ':event-type': 'somethingNew' }, '{}'),
    frame({ ':message-type': 'error', ':error-code': 'InternalFailure', ':error-message': 'it broke' }, '')
  ])
  const bedrock = createDirectBedrock({ region: 'us-east-1', endpoint: url, apiKey: 'k', maxAttempts: 1 } as never)
  t.teardown(() => bedrock.close())
  const streamed = await bedrock.invokeStream('m', body, never())
  t.equal(streamed.requestId, 'req-1')
  const events: string[] = []
  await t.rejects((async () => { for await (const e of streamed.events) events.push(Buffer.from(e).toString()) })(),
    { name: 'InternalFailure', message: 'it broke', $fault: 'server', $metadata: { requestId: 'req-1' } })
  t.same(events, ['{"type":"message_start"}'], 'unknown event types are skipped')

  const url2 = await serve(t, [frame({ ':message-type': 'exception', ':exception-type': 'brandNewException' }, '{"message":"x"}')])
  const other = createDirectBedrock({ region: 'us-east-1', endpoint: url2, apiKey: 'k', maxAttempts: 1 } as never)
  t.teardown(() => other.close())
  const s2 = await other.invokeStream('m', body, never())
  await t.rejects((async () => { for await (const _ of s2.events) { /* drain */ } })(), { name: 'brandNewException', message: '{"message":"x"}' })
})

t.test('abort while the consumer is paused ends the upstream request; close() ends the pool', async (t) => {
  const emulator = await startEmulator()
  t.teardown(() => emulator.close())
  const bedrock = createDirectBedrock({ region: 'us-east-1', endpoint: emulator.url, apiKey: 'k', maxAttempts: 1 } as never)
  const controller = new AbortController()
  const script = '@emulator {"text":"' + 'y'.repeat(4000) + '","repeat":5000,"textChunks":5000}'
  const streamed = await bedrock.invokeStream('us.anthropic.claude-sonnet-4-5-20250929-v1:0',
    Buffer.from(JSON.stringify({ anthropic_version: 'bedrock-2023-05-31', max_tokens: 10, messages: [{ role: 'user', content: `x\n${script}` }] })), controller.signal)
  const iterator = streamed.events[Symbol.asyncIterator]()
  await iterator.next()
  await sleep(100)
  controller.abort(new Error('client went away'))
  await t.rejects(iterator.next(), { name: 'AbortError', message: 'Request aborted', cause: { message: 'client went away' } })
  for (let i = 0; i < 100 && emulator.lastRequest()?.aborted !== true; i++) await sleep(10)
  t.equal(emulator.lastRequest()?.aborted, true)
  t.equal(emulator.activeStreams(), 0)
  bedrock.close()
  await t.rejects(bedrock.invoke('us.anthropic.claude-sonnet-4-5-20250929-v1:0', body, never()), /closed|destroyed/i)
})
