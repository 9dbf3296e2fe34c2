// CONFORMANCE: the direct Bedrock path (src/bedrock/direct) against the AWS SDK client (src/bedrock/client.ts),
// the same scenarios against fresh emulators, with identical observable results.
import t from 'tap'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { Agent as HttpsAgent } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime'
import { NodeHttpHandler } from '@smithy/node-http-handler'
import { Agent } from 'undici'
import { bedrockFromClient, createBedrockClient } from '../../src/bedrock/client.js'
import type { Bedrock } from '../../src/bedrock/client.js'
import { createDirectBedrock } from '../../src/bedrock/direct/index.js'
import type { Config } from '../../src/config.js'
import { startEmulator } from '../../src/emulator/server.js'
import type { Emulator, EmulatorOptions, Script } from '../../src/emulator/server.js'
import { toProxyError } from '../../src/errors.js'
import { ERROR_STATUS, STREAM_EXCEPTION_TYPES } from '../../src/emulator/errors.js'
import { setTimeout as sleep } from 'node:timers/promises'

const CREDENTIALS = { accessKeyId: 'AKIDCONFORMANCE00000', secretAccessKey: 'conformance-secret-0000000000' }
const PROFILE = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0'
const BASE = 'anthropic.claude-sonnet-4-5-20250929-v1:0'
const KINDS = ['sdk', 'direct'] as const
type Kind = (typeof KINDS)[number]

/** The SDK's default chain and the direct one both read these, as in a deployment. */
function useEnvCredentials (credentials = CREDENTIALS): void {
  process.env.AWS_ACCESS_KEY_ID = credentials.accessKeyId
  process.env.AWS_SECRET_ACCESS_KEY = credentials.secretAccessKey
  delete process.env.AWS_SESSION_TOKEN
}

function settingsFor (emulator: Emulator, overrides: Partial<Config['bedrock']> = {}): Config['bedrock'] {
  return {
    region: 'us-east-1',
    endpoint: emulator.url,
    apiKey: undefined,
    inferenceGeo: 'us',
    maxAttempts: 1,
    controlPlaneEndpoint: undefined,
    client: 'direct',
    ...overrides
  }
}

interface Tls { key: Buffer; cert: Buffer; cleanup: () => void }

/** A self-signed certificate for 127.0.0.1 and localhost. */
function selfSigned (): Tls {
  const dir = mkdtempSync(join(tmpdir(), 'direct-tls-'))
  const key = join(dir, 'key.pem')
  const cert = join(dir, 'cert.pem')
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', key, '-out', cert
  ], { stdio: 'ignore' })
  return { key: readFileSync(key), cert: readFileSync(cert), cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}

/** One implementation, as the proxy would build it; `ca` trusts a test certificate. */
function build (kind: Kind, settings: Config['bedrock'], ca?: Buffer): { bedrock: Bedrock; close: () => Promise<void> } {
  if (kind === 'sdk') {
    const client = ca === undefined
      ? createBedrockClient(settings)
      : new BedrockRuntimeClient({
        region: settings.region,
        endpoint: settings.endpoint,
        maxAttempts: settings.maxAttempts,
        requestHandler: new NodeHttpHandler({ httpsAgent: new HttpsAgent({ ca, keepAlive: true }) })
      })
    const bedrock = bedrockFromClient(client)
    return { bedrock, close: async () => bedrock.close() }
  }
  const dispatcher = ca === undefined ? undefined : new Agent({ connect: { ca } })
  const bedrock = createDirectBedrock(settings, dispatcher === undefined ? {} : { dispatcher })
  return {
    bedrock,
    close: async () => {
      bedrock.close()
      await dispatcher?.close()
    }
  }
}

interface Run {
  readonly emulator: Emulator
  readonly bedrock: Bedrock
}

/**
 * Runs `scenario` once per implementation, each against its own fresh emulator
 * started with `options` (so prompt-cache state and ids line up), and returns
 * what each observed.
 */
async function sideBySide<T> (
  options: EmulatorOptions | (() => EmulatorOptions),
  scenario: (run: Run, kind: Kind) => Promise<T>,
  overrides: Partial<Config['bedrock']> = {},
  tls?: Tls
): Promise<Record<Kind, T>> {
  const results: Partial<Record<Kind, T>> = {}
  for (const kind of KINDS) {
    const fresh = typeof options === 'function' ? options() : options
    const emulator = await startEmulator({ ...fresh, ...(tls === undefined ? {} : { tls: { key: tls.key, cert: tls.cert } }) })
    const { bedrock, close } = build(kind, settingsFor(emulator, overrides), tls?.cert)
    try {
      results[kind] = await scenario({ emulator, bedrock }, kind)
    } finally {
      await close()
      await emulator.close()
    }
  }
  return results as Record<Kind, T>
}

const never = (): AbortSignal => new AbortController().signal

/** A Bedrock body whose last user message scripts the emulator. */
function bodyBytes (text = 'hello there', script?: Script): Uint8Array {
  const content = script === undefined ? text : `${text}\n@emulator ${JSON.stringify(script)}`
  return Buffer.from(JSON.stringify({
    anthropic_version: 'bedrock-2023-05-31',
    max_tokens: 100,
    messages: [{ role: 'user', content }]
  }))
}

/** The run-dependent timings Bedrock puts in message_stop's metrics, zeroed for comparison. */
function stable (bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('utf8').replace(/"(invocationLatency|firstByteLatency)":\d+/g, '"$1":0')
}

/** Every event of a stream, as stable text. */
async function drain (events: AsyncIterable<Uint8Array>): Promise<string[]> {
  const out: string[] = []
  for await (const event of events) out.push(stable(event))
  return out
}

interface ErrorView {
  name: string
  message: string
  status: number | undefined
  fault: unknown
  requestIdPresent: boolean
  aws: boolean
  proxy: { status: number; type: string; message: string }
}

/** What the proxy can see of a failure. */
function view (error: unknown): ErrorView {
  const e = error as Error & { $fault?: unknown; $metadata?: { httpStatusCode?: number; requestId?: string } }
  const proxy = toProxyError(error)
  return {
    name: e.name,
    message: e.message,
    status: e.$metadata?.httpStatusCode,
    fault: e.$fault,
    requestIdPresent: typeof e.$metadata?.requestId === 'string',
    aws: e instanceof Error && ('$metadata' in e || '$fault' in e),
    proxy: { status: proxy.statusCode, type: proxy.type, message: proxy.message }
  }
}

async function failure (work: Promise<unknown>): Promise<unknown> {
  try {
    await work
  } catch (error) {
    return error
  }
  throw new Error('expected a failure')
}

/** Headers both implementations must send identically: the SDK's telemetry, user agents, dates and signatures left out. */
const VARYING = new Set(['user-agent', 'x-amz-user-agent', 'x-amz-date', 'amz-sdk-invocation-id', 'amz-sdk-request'])

function comparableHeaders (emulator: Emulator, headers: Record<string, string | string[] | undefined>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(headers)) {
    if (VARYING.has(name)) continue
    if (name === 'host') out.host = value === new URL(emulator.url).host ? '<emulator>' : value
    else if (name === 'authorization' && typeof value === 'string') {
      // The scheme and credential scope; signed-header lists differ by the SDK's own telemetry headers.
      out.authorization = value.replace(/\/\d{8}\//, '/<date>/').replace(/, ?SignedHeaders=.*$/, '')
    } else out[name] = value
  }
  return out
}

// ---------------------------------------------------------------------------------------------
// Scenarios

useEnvCredentials()
const SIGV4 = { credentials: CREDENTIALS }

t.test('invoke, stream and countTokens: same bytes, same requests on the wire (SigV4 verified)', async (t) => {
  const seen = await sideBySide(SIGV4, async ({ emulator, bedrock }) => {
    const invoked = await bedrock.invoke(PROFILE, bodyBytes('hello there'), never())
    const invokeHeaders = comparableHeaders(emulator, emulator.lastRequest()!.headers)
    const invokeRecordId = emulator.lastRequest()!.id
    const streamed = await bedrock.invokeStream(PROFILE, bodyBytes('stream me', { textChunks: 5, thinking: true }), never())
    const events = await drain(streamed.events)
    const streamHeaders = comparableHeaders(emulator, emulator.lastRequest()!.headers)
    const streamRecordId = emulator.lastRequest()!.id
    const counted = await bedrock.countTokens(BASE, bodyBytes('hello there'), never())
    const countRecord = emulator.lastRequest()!
    return {
      invokeBody: stable(invoked.body),
      invokeRequestId: invoked.requestId === invokeRecordId,
      invokeHeaders,
      events,
      streamRequestId: streamed.requestId === streamRecordId,
      streamHeaders,
      inputTokens: counted.inputTokens,
      countRequestId: counted.requestId === countRecord.id,
      countHeaders: comparableHeaders(emulator, countRecord.headers),
      countBody: countRecord.body,
      operations: emulator.requests.map((r) => [r.operation, r.modelId, r.httpVersion, r.status])
    }
  })
  t.same(seen.direct, seen.sdk)
  t.ok(seen.sdk.invokeRequestId && seen.sdk.streamRequestId && seen.sdk.countRequestId, 'request ids are the emulator\'s')
  t.ok(seen.sdk.events.length >= 10, 'thinking, five text deltas and the frame events')
  t.match(seen.sdk.events.at(-1), /^\{"type":"message_stop"/)
  t.match(seen.direct.invokeHeaders, { accept: 'application/json', 'content-type': 'application/json' })
  t.match(seen.direct.streamHeaders, { 'x-amzn-bedrock-accept': 'application/json', 'content-type': 'application/json' })
  t.notOk('accept' in seen.direct.streamHeaders, 'the stream sends its accept as X-Amzn-Bedrock-Accept only')
  t.notOk('accept' in seen.direct.countHeaders)
  t.match(seen.direct.invokeHeaders.authorization, /^AWS4-HMAC-SHA256 Credential=AKIDCONFORMANCE00000\/<date>\/us-east-1\/bedrock\/aws4_request$/)
})

t.test('every Bedrock error before the body: same name, message, status, fault and proxy mapping', async (t) => {
  const names = Object.keys(ERROR_STATUS)
  const seen = await sideBySide(SIGV4, async ({ bedrock }) => {
    const out: Record<string, unknown> = {}
    for (const name of names) {
      const script = { error: { type: name, message: `scripted ${name}` } }
      out[`invoke ${name}`] = view(await failure(bedrock.invoke(PROFILE, bodyBytes('x', script), never())))
      out[`stream ${name}`] = view(await failure(bedrock.invokeStream(PROFILE, bodyBytes('x', script), never())))
    }
    out['count ValidationException'] = view(await failure(bedrock.countTokens(BASE, bodyBytes('x', { error: { type: 'ValidationException' } }), never())))
    out['count profile id'] = view(await failure(bedrock.countTokens(PROFILE, bodyBytes('x'), never())))
    out['unknown model'] = view(await failure(bedrock.invoke('anthropic.nope-v1:0', bodyBytes('x'), never())))
    return out
  })
  t.same(seen.direct, seen.sdk)
  for (const name of names) {
    t.match(seen.direct[`invoke ${name}`], { name, message: `scripted ${name}`, status: ERROR_STATUS[name], requestIdPresent: true, aws: true })
  }
})

t.test('exception frames mid-stream: thrown from iteration with the same name, message and fault', async (t) => {
  const types = [...STREAM_EXCEPTION_TYPES]
  const seen = await sideBySide(SIGV4, async ({ bedrock }) => {
    const out: Record<string, unknown> = {}
    for (const type of types) {
      const streamed = await bedrock.invokeStream(PROFILE, bodyBytes('x', { streamError: { type, message: `mid ${type}`, afterEvents: 3 } }), never())
      const events: string[] = []
      const error = await failure((async () => { for await (const event of streamed.events) events.push(stable(event)) })())
      const v = view(error)
      out[type] = { events, name: v.name, message: v.message, fault: v.fault, aws: v.aws, proxy: v.proxy }
    }
    return out
  })
  t.same(seen.direct, seen.sdk)
  t.match(seen.direct.throttlingException, { name: 'ThrottlingException', message: 'mid throttlingException', aws: true, proxy: { status: 429 } })
  t.match(seen.direct.modelStreamErrorException, { name: 'ModelStreamErrorException', proxy: { status: 500, type: 'api_error' } })
  t.equal((seen.direct.validationException as { events: unknown[] }).events.length, 3)
})

t.test('broken frames and resets: the same failures', async (t) => {
  const faults = ['corrupt-message-crc', 'corrupt-prelude-crc', 'truncated-frame', 'reset-after-events'] as const
  const seen = await sideBySide(SIGV4, async ({ bedrock }) => {
    const out: Record<string, unknown> = {}
    for (const type of faults) {
      let count = 0
      // The SDK may meet a reset while still in send(): the failure is compared wherever it surfaces.
      const error = await failure((async () => {
        const streamed = await bedrock.invokeStream(PROFILE, bodyBytes('x', { fault: { type, afterEvents: 2 } }), never())
        for await (const _ of streamed.events) count++
      })())
      const v = view(error)
      // A reset reads as ECONNRESET to the SDK's Node handler and as a closed socket to undici: same mapping, own words.
      out[type] = type === 'reset-after-events' ? { aws: v.aws, proxy: { status: v.proxy.status, type: v.proxy.type } } : { count, name: v.name, message: v.message, proxy: v.proxy }
    }
    return out
  })
  t.same(seen.direct, seen.sdk)
  t.match(seen.direct['truncated-frame'], { message: 'Truncated event message received.' })
  t.match(seen.direct['corrupt-message-crc'], { message: /message checksum/ })
})

t.test('SigV4: a wrong secret and an unknown key id are refused alike', async (t) => {
  const attempt = async (credentials: typeof CREDENTIALS): Promise<Record<Kind, ErrorView>> => {
    useEnvCredentials(credentials)
    try {
      return await sideBySide(SIGV4, async ({ bedrock }) => view(await failure(bedrock.invoke(PROFILE, bodyBytes(), never()))))
    } finally {
      useEnvCredentials()
    }
  }
  const wrongSecret = await attempt({ ...CREDENTIALS, secretAccessKey: 'not-the-secret' })
  t.same(wrongSecret.direct, wrongSecret.sdk)
  t.match(wrongSecret.direct, { name: 'InvalidSignatureException', status: 403, fault: 'client', proxy: { status: 403 } })
  const wrongKey = await attempt({ ...CREDENTIALS, accessKeyId: 'AKIDSOMEONEELSE00000' })
  t.same(wrongKey.direct, wrongKey.sdk)
  t.match(wrongKey.direct, { name: 'UnrecognizedClientException', status: 403 })
})

t.test('Bedrock API keys: Authorization Bearer, no SigV4; a wrong key refused', async (t) => {
  const good = await sideBySide({ ...SIGV4, apiKey: 'the-api-key' }, async ({ emulator, bedrock }) => {
    const invoked = stable((await bedrock.invoke(PROFILE, bodyBytes(), never())).body)
    const invokeHeaders = comparableHeaders(emulator, emulator.lastRequest()!.headers)
    const events = await drain((await bedrock.invokeStream(PROFILE, bodyBytes('s'), never())).events)
    const tokens = (await bedrock.countTokens(BASE, bodyBytes(), never())).inputTokens
    return { invoked, invokeHeaders, events, tokens, countHeaders: comparableHeaders(emulator, emulator.lastRequest()!.headers) }
  }, { apiKey: 'the-api-key' })
  t.same(good.direct, good.sdk)
  t.equal(good.direct.invokeHeaders.authorization, 'Bearer the-api-key')
  t.notOk('x-amz-date' in good.direct.invokeHeaders || 'x-amz-content-sha256' in good.direct.invokeHeaders)
  const bad = await sideBySide({ ...SIGV4, apiKey: 'the-api-key' }, async ({ bedrock }) =>
    view(await failure(bedrock.invoke(PROFILE, bodyBytes(), never()))), { apiKey: 'wrong' })
  t.same(bad.direct, bad.sdk)
  t.match(bad.direct, { name: 'UnrecognizedClientException', status: 403 })
})

t.test('model ids with ":" and "/" (ARNs) reach Bedrock intact and signed', async (t) => {
  const profileArn = 'arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-opus-4-8'
  const foundationArn = `arn:aws:bedrock:us-east-1::foundation-model/${BASE}`
  const seen = await sideBySide(SIGV4, async ({ emulator, bedrock }) => {
    const invoked = stable((await bedrock.invoke(profileArn, bodyBytes(), never())).body)
    const events = await drain((await bedrock.invokeStream(profileArn, bodyBytes(), never())).events)
    const tokens = (await bedrock.countTokens(foundationArn, bodyBytes(), never())).inputTokens
    const odd = view(await failure(bedrock.invoke("model (with) 'odd'*!chars ~ü", bodyBytes(), never())))
    return { invoked, events: events.length, tokens, odd, ids: emulator.requests.map((r) => r.modelId), statuses: emulator.requests.map((r) => r.status) }
  })
  t.same(seen.direct, seen.sdk)
  t.same(seen.direct.ids, [profileArn, profileArn, foundationArn, "model (with) 'odd'*!chars ~ü"])
  t.match(seen.direct.odd, { name: 'ValidationException', message: 'The provided model identifier is invalid.' })
})

t.test('TLS with a self-signed certificate the client is told to trust', async (t) => {
  const tls = selfSigned()
  t.teardown(tls.cleanup)
  const seen = await sideBySide(SIGV4, async ({ emulator, bedrock }) => {
    const invoked = stable((await bedrock.invoke(PROFILE, bodyBytes(), never())).body)
    const events = await drain((await bedrock.invokeStream(PROFILE, bodyBytes('tls'), never())).events)
    const tokens = (await bedrock.countTokens(BASE, bodyBytes(), never())).inputTokens
    return { https: emulator.url.startsWith('https://'), invoked, events, tokens, versions: emulator.requests.map((r) => r.httpVersion) }
  }, {}, tls)
  t.same(seen.direct, seen.sdk)
  t.same(seen.direct.versions, ['1.1', '1.1', '1.1'])
  t.ok(seen.direct.https)
})

t.test('abort: before the answer both raise AbortError; mid-stream both end the upstream request', async (t) => {
  const seen = await sideBySide(SIGV4, async ({ emulator, bedrock }) => {
    const early = new AbortController()
    const pending = failure(bedrock.invoke(PROFILE, bodyBytes('x', { firstEventDelayMs: 5_000 }), early.signal))
    setTimeout(() => early.abort(new Error('client closed the connection')), 50)
    const before = view(await pending)
    const preAborted = new AbortController()
    preAborted.abort()
    const already = view(await failure(bedrock.invoke(PROFILE, bodyBytes(), preAborted.signal)))

    const mid = new AbortController()
    const streamed = await bedrock.invokeStream(PROFILE, bodyBytes('x', { eventDelayMs: 30, textChunks: 50 }), mid.signal)
    let count = 0
    const error = await failure((async () => { for await (const _ of streamed.events) if (++count === 3) mid.abort() })())
    for (let i = 0; i < 100 && !emulator.lastRequest()!.aborted; i++) await sleep(10)
    return {
      before: { name: before.name, message: before.message },
      already: { name: already.name, message: already.message },
      mid: { count, aborted: emulator.lastRequest()!.aborted, sent: emulator.lastRequest()!.eventsSent < 50 },
      midName: (error as Error).name
    }
  })
  t.same({ ...seen.direct, midName: undefined }, { ...seen.sdk, midName: undefined })
  t.same(seen.direct.before, { name: 'AbortError', message: 'Request aborted' })
  t.ok(seen.direct.mid.aborted, 'the emulator saw the request aborted')
  // The SDK reports an abort mid-stream as the socket's ECONNRESET ("aborted"); the direct path names it.
  t.equal(seen.direct.midName, 'AbortError')
})

t.test('backpressure: a paused consumer stalls the emulator, then the stream completes', async (t) => {
  // About 55 MB of frames: far more than the socket buffers and undici's stream buffer hold together.
  const many = { text: 'lorem ipsum dolor sit amet '.repeat(150), repeat: 10_000, textChunks: 10_000 }
  const seen = await sideBySide(SIGV4, async ({ emulator, bedrock }) => {
    const streamed = await bedrock.invokeStream(PROFILE, bodyBytes('x', many), never())
    const iterator = streamed.events[Symbol.asyncIterator]()
    await iterator.next()
    await sleep(300)
    const sentWhilePaused = emulator.lastRequest()!.eventsSent
    await sleep(200)
    const stalled = emulator.lastRequest()!.eventsSent === sentWhilePaused
    let count = 1
    while (!(await iterator.next()).done) count++
    return { stalled, pausedBelowTotal: sentWhilePaused < count, count, sentAtEnd: emulator.lastRequest()!.eventsSent === count }
  })
  t.same(seen.direct, seen.sdk)
  t.same(seen.direct, { stalled: true, pausedBelowTotal: true, count: seen.sdk.count, sentAtEnd: true })
  t.ok(seen.direct.count > 10_000)
})

t.test('retries: a first-attempt 503, throttle or reset is retried once; others are not', async (t) => {
  // A fresh counter for each emulator: its first request fails, the rest answer normally.
  const firstFails = (script: Script) => (): EmulatorOptions => {
    let calls = 0
    return { ...SIGV4, respond: () => (++calls === 1 ? script : undefined) }
  }
  for (const [label, script] of [
    ['ServiceUnavailableException', { error: { type: 'ServiceUnavailableException' } }],
    ['InternalServerException', { error: { type: 'InternalServerException' } }],
    ['ThrottlingException', { error: { type: 'ThrottlingException' } }],
    ['reset before headers', { fault: { type: 'reset-before-headers' } }],
    ['load balancer 502', { fault: { type: 'non-json-5xx', status: 502 } }]
  ] as Array<[string, Script]>) {
    const seen = await sideBySide(firstFails(script), async ({ emulator, bedrock }) => {
      const invoked = stable((await bedrock.invoke(PROFILE, bodyBytes(), never())).body)
      const attempts = emulator.requests.length
      emulator.clear()
      const events = await drain((await bedrock.invokeStream(PROFILE, bodyBytes(), never())).events)
      return { invoked, attempts, events: events.length, streamAttempts: emulator.requests.length }
    }, { maxAttempts: 2 })
    t.same(seen.direct, seen.sdk, label)
    t.equal(seen.direct.attempts, 2, `${label}: retried once`)
  }
  const always = (script: Script): EmulatorOptions => ({ ...SIGV4, respond: () => script })
  for (const [label, script] of [
    ['ValidationException', { error: { type: 'ValidationException' } }],
    ['AccessDeniedException', { error: { type: 'AccessDeniedException' } }],
    ['ModelTimeoutException', { error: { type: 'ModelTimeoutException' } }],
    ['ServiceUnavailableException', { error: { type: 'ServiceUnavailableException' } }]
  ] as Array<[string, Script]>) {
    const seen = await sideBySide(always(script), async ({ emulator, bedrock }) => {
      const error = view(await failure(bedrock.invoke(PROFILE, bodyBytes(), never())))
      return { name: error.name, status: error.status, attempts: emulator.requests.length }
    }, { maxAttempts: 2 })
    t.same(seen.direct, seen.sdk, `${label}: the same number of attempts`)
  }
  const once = await sideBySide(always({ error: { type: 'ServiceUnavailableException' } }), async ({ emulator, bedrock }) => {
    await failure(bedrock.invoke(PROFILE, bodyBytes(), never()))
    return emulator.requests.length
  }, { maxAttempts: 1 })
  t.same(once, { sdk: 1, direct: 1 }, 'maxAttempts 1: no retry')
})

t.test('a load balancer\'s non-JSON 5xx: the same proxy error (the SDK\'s SyntaxError is an Unknown error here)', async (t) => {
  const seen = await sideBySide({ ...SIGV4, respond: () => ({ fault: { type: 'non-json-5xx', status: 502 } }) }, async ({ bedrock }) =>
    view(await failure(bedrock.invoke(PROFILE, bodyBytes(), never()))))
  t.same({ status: seen.direct.status, aws: seen.direct.aws, proxy: { status: seen.direct.proxy.status, type: seen.direct.proxy.type } },
    { status: seen.sdk.status, aws: seen.sdk.aws, proxy: { status: seen.sdk.proxy.status, type: seen.sdk.proxy.type } })
  t.match(seen.sdk, { name: 'SyntaxError', status: 502 })
  t.match(seen.direct, { name: 'Unknown', status: 502, fault: 'server', message: 'Bedrock answered HTTP 502 with a body that is not JSON (text/html)' })
  const json = await sideBySide({ ...SIGV4, respond: () => ({ fault: { type: 'non-json-5xx', status: 503, body: '{"message":"busy"}', contentType: 'application/json' } }) },
    async ({ bedrock }) => view(await failure(bedrock.invoke(PROFILE, bodyBytes(), never()))))
  t.same(json.direct, json.sdk, 'a JSON 5xx without an error type: identical')
  t.match(json.direct, { name: 'Unknown', message: 'busy', fault: 'server', status: 503 })
})
