// Upstream faults through the proxy (issue 6, item 2): the emulator breaks the connection, the
// frames or the reply (script `fault`, docs/emulator.md), and every time a typed Anthropic error
// reaches the client — a real status before the first byte, `event: error` after it — within a
// bounded time, and the proxy stays healthy. Exception frames mid-stream for five of the six types
// are in test/integration/streaming.test.ts ("a failure after the first event ..."); the sixth
// (internalServerException) mid-stream, and all six as the very first frame, are here.
import t from 'tap'
import type { Test } from 'tap'
import { setTimeout as sleep } from 'node:timers/promises'
import { request } from 'undici'
import { TOKEN } from '../helpers/config.js'
import { directive, parseSse, startStack, type Stack } from '../helpers/stack.js'

const IDLE_MS = 400
const headers = { 'x-api-key': TOKEN, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' }
/** No wait in this file may exceed this: a hang fails the test instead of stalling the run. */
const BOUND_MS = 5000

function messageBody (script: Record<string, unknown> | undefined, stream: boolean): string {
  const content = script === undefined ? 'plain request' : `go\n${directive(script)}`
  return JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 64, ...(stream ? { stream: true } : {}), messages: [{ role: 'user', content }] })
}

interface Seen { status: number; headers: Record<string, unknown>; text: string; ms: number }

async function post (stack: Stack, path: string, body: string): Promise<Seen> {
  const started = Date.now()
  const response = await request(`${stack.url}${path}`, { method: 'POST', headers, body, headersTimeout: BOUND_MS, bodyTimeout: BOUND_MS })
  const text = await response.body.text()
  return { status: response.statusCode, headers: response.headers, text, ms: Date.now() - started }
}

async function waitFor (check: () => boolean, what: string, ms = BOUND_MS): Promise<void> {
  const deadline = Date.now() + ms
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(10)
  }
}

/** /health answers and a normal request of each kind succeeds: the fault left nothing broken behind. */
async function assertHealthy (t: Test, stack: Stack, after: string): Promise<void> {
  const health = await request(`${stack.url}/health`, { headersTimeout: BOUND_MS, bodyTimeout: BOUND_MS })
  t.equal(health.statusCode, 200, `${after}: /health`)
  await health.body.dump()
  const json = await post(stack, '/v1/messages', messageBody(undefined, false))
  t.equal(json.status, 200, `${after}: a JSON message`)
  t.equal(JSON.parse(json.text).content[0].text, 'You said: plain request')
  const streamed = await post(stack, '/v1/messages', messageBody(undefined, true))
  t.equal(streamed.status, 200)
  t.equal(parseSse(streamed.text).at(-1)?.event, 'message_stop', `${after}: a stream`)
}

/** A plain HTTP error in the Anthropic shape, before any SSE byte. */
function assertHttpError (t: Test, seen: Seen, status: number, type: string, what: string): void {
  t.equal(seen.status, status, `${what}: status`)
  t.match(String(seen.headers['content-type']), /^application\/json/, `${what}: JSON, not SSE`)
  const body = JSON.parse(seen.text)
  t.match(body, { type: 'error', error: { type, message: String }, request_id: seen.headers['request-id'] }, `${what}: ${type}`)
  t.ok(body.error.message.length > 0)
}

/** A stream that began (status 200, message_start) and ended with one `event: error`. */
function assertStreamError (t: Test, seen: Seen, type: string, what: string): void {
  t.equal(seen.status, 200, `${what}: the status was already sent`)
  const events = parseSse(seen.text)
  t.equal(events[0]?.event, 'message_start', what)
  t.match(events.at(-1), { event: 'error', data: { type: 'error', error: { type, message: String }, request_id: seen.headers['request-id'] } }, `${what}: ${type}`)
  t.equal(events.filter((e) => e.event === 'error').length, 1)
  t.notOk(events.some((e) => e.event === 'message_stop'))
}

/**
 * `racy`: a reset that lands together with the events before it may destroy the response before
 * they are read, so the client gets the failure as a plain HTTP error instead; both are typed.
 */
type Expect = { status: number; type: string } | { event: string; racy?: { status: number; type: string } }
interface Case { name: string; fault: Record<string, unknown>; stream?: Expect; json?: Expect; maxAttempts?: number }

// What the client sees for each fault (status/type before the first byte, or the error event's type).
const CASES: Case[] = [
  { name: 'reset before any byte', fault: { type: 'reset-before-headers' }, stream: { status: 500, type: 'api_error' }, json: { status: 500, type: 'api_error' }, maxAttempts: 2 },
  { name: 'reset after the headers, before the first event', fault: { type: 'reset-after-events', afterEvents: 0 }, stream: { status: 500, type: 'api_error' }, maxAttempts: 2 },
  // The SDK may take the reset for a failure of the request itself and retry it once, even after
  // events were on the wire (they were never handed on): the client sees the second attempt.
  { name: 'reset mid-stream after 3 events', fault: { type: 'reset-after-events', afterEvents: 3 }, stream: { event: 'api_error', racy: { status: 500, type: 'api_error' } }, maxAttempts: 2 },
  { name: 'reset mid-body (JSON)', fault: { type: 'reset-after-events' }, json: { status: 500, type: 'api_error' }, maxAttempts: 2 },
  { name: 'stall after the headers', fault: { type: 'stall', afterEvents: 0 }, stream: { status: 504, type: 'timeout_error' }, json: { status: 504, type: 'timeout_error' } },
  { name: 'stall after 2 events', fault: { type: 'stall', afterEvents: 2 }, stream: { event: 'timeout_error' } },
  { name: 'corrupted message CRC, first frame', fault: { type: 'corrupt-message-crc', afterEvents: 0 }, stream: { status: 500, type: 'api_error' } },
  { name: 'corrupted message CRC mid-stream', fault: { type: 'corrupt-message-crc', afterEvents: 2 }, stream: { event: 'api_error' } },
  { name: 'corrupted prelude CRC, first frame', fault: { type: 'corrupt-prelude-crc', afterEvents: 0 }, stream: { status: 500, type: 'api_error' } },
  { name: 'corrupted prelude CRC mid-stream', fault: { type: 'corrupt-prelude-crc', afterEvents: 3 }, stream: { event: 'api_error' } },
  { name: 'truncated first frame', fault: { type: 'truncated-frame', afterEvents: 0 }, stream: { status: 500, type: 'api_error' } },
  { name: 'truncated frame mid-stream', fault: { type: 'truncated-frame', afterEvents: 2 }, stream: { event: 'api_error' }, json: { status: 500, type: 'api_error' } },
  { name: '502 text/html from a load balancer', fault: { type: 'non-json-5xx' }, stream: { status: 500, type: 'api_error' }, json: { status: 500, type: 'api_error' }, maxAttempts: 2 },
  { name: '503 text/plain', fault: { type: 'non-json-5xx', status: 503, contentType: 'text/plain', body: 'no healthy upstream' }, stream: { status: 529, type: 'overloaded_error' }, json: { status: 529, type: 'overloaded_error' }, maxAttempts: 2 },
  { name: '500 with an empty body', fault: { type: 'non-json-5xx', status: 500, body: '' }, stream: { status: 500, type: 'api_error' }, json: { status: 500, type: 'api_error' }, maxAttempts: 2 },
  { name: 'slow headers past the idle timeout', fault: { type: 'slow-headers', delayMs: 3000 }, stream: { status: 504, type: 'timeout_error' }, json: { status: 504, type: 'timeout_error' } }
]

let faultsInjected = 0

t.test('each upstream fault reaches the client as a typed error, bounded, and the proxy stays healthy', async (t) => {
  const stack = await startStack({ env: { UPSTREAM_IDLE_TIMEOUT_MS: String(IDLE_MS), PING_INTERVAL_MS: '100' } })
  t.teardown(() => stack.close())
  for (const { name, fault, stream, json, maxAttempts = 1 } of CASES) {
    for (const [mode, expect] of [['stream', stream], ['json', json]] as const) {
      if (expect === undefined) continue
      await t.test(`${name} (${mode})`, async (t) => {
        stack.emulator.clear()
        const seen = await post(stack, '/v1/messages', messageBody({ fault }, mode === 'stream'))
        faultsInjected++
        const what = `${name} (${mode})`
        if ('status' in expect) assertHttpError(t, seen, expect.status, expect.type, what)
        else if (expect.racy !== undefined && seen.status !== 200) assertHttpError(t, seen, expect.racy.status, expect.racy.type, what)
        else assertStreamError(t, seen, expect.event, what)
        t.ok(seen.ms < BOUND_MS, `answered in ${seen.ms} ms`)
        const attempts = stack.emulator.requests.filter((r) => r.fault === fault.type)
        t.ok(attempts.length >= 1 && attempts.length <= maxAttempts, `${attempts.length} upstream attempt(s), at most ${maxAttempts}`)
        await waitFor(() => stack.emulator.activeStreams() === 0, 'no upstream exchange left open')
        await assertHealthy(t, stack, what)
      })
    }
  }
  t.comment(`${faultsInjected} faults injected through the proxy`)
})

t.test('slow headers within the idle timeout are only slow', async (t) => {
  const stack = await startStack({ env: { UPSTREAM_IDLE_TIMEOUT_MS: String(IDLE_MS) } })
  t.teardown(() => stack.close())
  for (const stream of [true, false]) {
    const seen = await post(stack, '/v1/messages', messageBody({ fault: { type: 'slow-headers', delayMs: 200 } }, stream))
    t.equal(seen.status, 200)
    t.ok(seen.ms >= 190, `waited ${seen.ms} ms`)
    if (stream) t.equal(parseSse(seen.text).at(-1)?.event, 'message_stop')
    else t.equal(JSON.parse(seen.text).type, 'message')
  }
})

t.test('a reset on the first attempt only: the SDK retry answers, once', async (t) => {
  let attempts = 0
  const stack = await startStack({ emulator: { respond: () => (++attempts % 2 === 1 ? { fault: { type: 'reset-before-headers' } } : undefined) } })
  t.teardown(() => stack.close())
  for (const stream of [false, true]) {
    attempts = 0
    const seen = await post(stack, '/v1/messages', messageBody(undefined, stream))
    t.equal(seen.status, 200, stream ? 'stream' : 'json')
    t.equal(attempts, 2, 'exactly one retry')
  }
})

t.test('count_tokens: a reset and a load balancer page are typed errors too', async (t) => {
  const stack = await startStack()
  t.teardown(() => stack.close())
  const cases: Array<[Record<string, unknown>, number, string]> = [[{ type: 'reset-before-headers' }, 500, 'api_error'], [{ type: 'non-json-5xx', status: 503 }, 529, 'overloaded_error']]
  for (const [fault, status, type] of cases) {
    const seen = await post(stack, '/v1/messages/count_tokens', JSON.stringify({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: `go\n${directive({ fault })}` }] }))
    assertHttpError(t, seen, status, type, `count_tokens ${String(fault.type)}`)
    t.ok(stack.emulator.requests.filter((r) => r.operation === 'CountTokens').length <= 2)
    stack.emulator.clear()
  }
  await assertHealthy(t, stack, 'count_tokens faults')
})

t.test('every Bedrock exception type as the first frame is a real HTTP status', async (t) => {
  const stack = await startStack()
  t.teardown(() => stack.close())
  const table: Array<[string, number, string]> = [
    ['throttlingException', 429, 'rate_limit_error'],
    ['modelStreamErrorException', 500, 'api_error'],
    ['validationException', 400, 'invalid_request_error'],
    ['internalServerException', 500, 'api_error'],
    ['serviceUnavailableException', 529, 'overloaded_error'],
    ['modelTimeoutException', 504, 'timeout_error']
  ]
  for (const [type, status, errorType] of table) {
    const seen = await post(stack, '/v1/messages', messageBody({ streamError: { type, message: `first frame: ${type}`, afterEvents: 0 } }, true))
    assertHttpError(t, seen, status, errorType, type)
    t.match(JSON.parse(seen.text).error.message, `first frame: ${type}`)
  }
  // The one type test/integration/streaming.test.ts does not send mid-stream.
  const seen = await post(stack, '/v1/messages', messageBody({ streamError: { type: 'internalServerException', message: 'boom', afterEvents: 2 } }, true))
  assertStreamError(t, seen, 'api_error', 'internalServerException mid-stream')
  t.match(parseSse(seen.text).at(-1)?.data.error.message, /boom/)
  await assertHealthy(t, stack, 'exception frames')
})
