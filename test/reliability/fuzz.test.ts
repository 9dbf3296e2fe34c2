// Fuzzing the proxy (issue 6, item 1) with fast-check: random and mutated Anthropic bodies, headers,
// auth, methods, paths and encodings. Property: every response is a valid answer (200 with a Message
// JSON, or SSE ending in message_stop) or a well-formed Anthropic error with a 4xx status (401 when
// no valid token reached a protected route, 404 for unknown routes); never a 5xx, never a hang, and
// the app answers normally afterwards.
//
// Bounded for `npm test`; FUZZ_RUNS scales it (`FUZZ_RUNS=20000 tap test/reliability/fuzz.test.ts`),
// FUZZ_SEED replays a run. In-process runs use app.inject with a stub Bedrock that always answers,
// so every refusal is the proxy's own; a tenth as many go over a real socket to the emulator.
import { gzipSync } from 'node:zlib'
import t from 'tap'
import type { Test } from 'tap'
import fc from 'fast-check'
import { request } from 'undici'
import type { FastifyInstance } from 'fastify'
import { buildApp, MAX_PATH_PARAM_LENGTH } from '../../src/app.js'
import type { Bedrock } from '../../src/bedrock/client.js'
import { OTHER_TOKEN, TOKEN, testConfig } from '../helpers/config.js'
import { startStack } from '../helpers/stack.js'

const positiveInt = (raw: string | undefined, fallback: number): number => {
  const n = Number(raw)
  return Number.isInteger(n) && n > 0 ? n : fallback
}
const RUNS = positiveInt(process.env.FUZZ_RUNS, 2000)
const SOCKET_RUNS = Math.max(30, Math.round(RUNS / 10))
const SEED = positiveInt(process.env.FUZZ_SEED, 20261124)
/** Per request; a hang fails the property instead of the whole run. */
const REQUEST_TIMEOUT_MS = 5000
const t0 = Date.now()

// ---------- a Bedrock that always answers, so the proxy's own decisions are what is fuzzed ----------

const MESSAGE = { id: 'msg_bdrk_fuzz', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', content: [{ type: 'text', text: 'ok' }], stop_reason: 'end_turn', stop_sequence: null, usage: { input_tokens: 3, output_tokens: 1 } }
const EVENTS = [
  { type: 'message_start', message: { ...MESSAGE, content: [], stop_reason: null, usage: { input_tokens: 3, output_tokens: 0 } } },
  { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
  { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'ok' } },
  { type: 'content_block_stop', index: 0 },
  { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 1 } },
  { type: 'message_stop' }
]
const encode = (value: unknown): Uint8Array => Buffer.from(JSON.stringify(value))
const stubBedrock: Bedrock = {
  invoke: async () => ({ body: encode(MESSAGE), requestId: 'stub' }),
  invokeStream: async () => ({
    requestId: 'stub',
    events: (async function * () { for (const event of EVENTS) yield encode(event) })()
  }),
  countTokens: async () => ({ inputTokens: 3, requestId: 'stub' }),
  close: () => {}
}

// ---------- generators ----------

const VALID_BODIES: Array<Record<string, unknown>> = [
  { model: 'claude-sonnet-4-5', max_tokens: 64, messages: [{ role: 'user', content: 'Hello' }] },
  { model: 'claude-sonnet-4-5-20250929', max_tokens: 64, stream: true, messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }] },
  { model: 'claude-haiku-4-5', max_tokens: 32, system: 'Be brief.', temperature: 0.5, messages: [{ role: 'user', content: 'a' }, { role: 'assistant', content: 'b' }, { role: 'user', content: 'c' }] },
  { model: 'claude-opus-4-6', max_tokens: 2048, thinking: { type: 'enabled', budget_tokens: 1024 }, metadata: { user_id: 'u1' }, messages: [{ role: 'user', content: 'think' }] },
  { model: 'claude-sonnet-4-5', max_tokens: 64, stream: true, tools: [{ name: 'get_weather', description: 'w', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }], tool_choice: { type: 'auto' }, messages: [{ role: 'user', content: 'weather?' }] }
]

const NASTY_MODELS = [
  'claude-sonnet-4-5[1m]', 'claude-sonnet-4-5-20250929[1m]', 'claude-sonnet-4-5[2m]', '[1m]', 'claude-nope-9', '', ' ', 'CLAUDE-SONNET-4-5',
  '../../etc/passwd', '..%2F..%2Fadmin', 'us.anthropic.claude-sonnet-4-5-20250929-v1:0/../../x', 'anthropic.claude-sonnet-4-5-20250929-v1:0?x=1#y',
  'arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-sonnet-4-5-20250929-v1:0', 'arn:aws:bedrock:us-east-1::foundation-model/../x',
  'claude\u0000sonnet', 'claude-sonnet-4-5\r\nx-injected: 1', '%00', 'x'.repeat(5000), 'global.anthropic.claude-opus-4-8', 'us.anthropic.claude-opus-4-8'
]

const longString = fc.integer({ min: 1, max: 200_000 }).map((n) => 'x'.repeat(n))
const deep = fc.integer({ min: 1, max: 1500 }).chain((depth) => fc.constantFrom('array', 'object').map((kind) => {
  let value: unknown = 'leaf'
  for (let i = 0; i < depth; i++) value = kind === 'array' ? [value] : { a: value }
  return value
}))
const nastyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1.5, 1e308, -0, '', '0', '64', 'null', '[]', '{}', '\u0000', '\ufeff', '\ud800', 'true', [], {}, [null], [[]], { type: 'text' }),
  fc.integer(), fc.double(), fc.string(), fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' }),
  fc.constantFrom(...NASTY_MODELS),
  fc.array(fc.anything({ maxDepth: 2 }), { maxLength: 5 }),
  fc.dictionary(fc.string(), fc.anything({ maxDepth: 2 }), { maxKeys: 5 }),
  longString, deep
)

type Path = Array<string | number>
const FIELD_PATHS: Path[] = [
  ['model'], ['max_tokens'], ['messages'], ['messages', 0], ['messages', 0, 'role'], ['messages', 0, 'content'], ['messages', 0, 'content', 0],
  ['messages', 0, 'content', 0, 'type'], ['messages', 0, 'content', 0, 'text'], ['stream'], ['system'], ['temperature'], ['top_p'], ['top_k'],
  ['stop_sequences'], ['metadata'], ['metadata', 'user_id'], ['thinking'], ['thinking', 'budget_tokens'], ['tools'], ['tools', 0], ['tools', 0, 'input_schema'],
  ['tool_choice'], ['anthropic_version'], ['anthropic_beta'], ['service_tier'], ['container'], ['context_management'], ['output_config'], ['__proto__'],
  ['constructor'], ['extra_field'], ['messages', 5], ['messages', 0, 'cache_control']
]

function setPath (root: unknown, path: Path, value: unknown, remove: boolean): unknown {
  if (path.length === 0) return value
  const copy: any = Array.isArray(root) ? [...root] : root !== null && typeof root === 'object' ? { ...root } : {}
  const [key, ...rest] = path
  if (rest.length === 0) {
    if (remove) delete copy[key as string]
    else Object.defineProperty(copy, key as string, { value, enumerable: true, writable: true, configurable: true })
  } else {
    copy[key as string] = setPath(copy[key as string], rest, value, remove)
  }
  return copy
}

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), path: fc.constantFrom(...FIELD_PATHS), value: nastyValue }),
  fc.record({ kind: fc.constant('delete' as const), path: fc.constantFrom(...FIELD_PATHS) }),
  fc.record({ kind: fc.constant('model' as const), value: fc.constantFrom(...NASTY_MODELS) })
)
const bodyValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(fc.constantFrom(...VALID_BODIES), fc.array(mutation, { minLength: 0, maxLength: 3 })).map(([base, mutations]) => {
    let body: unknown = base
    for (const m of mutations) body = m.kind === 'model' ? setPath(body, ['model'], m.value, false) : setPath(body, m.path, m.kind === 'set' ? m.value : undefined, m.kind === 'delete')
    return body
  }) },
  { weight: 1, arbitrary: nastyValue },
  { weight: 1, arbitrary: fc.anything() }
)

/** How the body travels: JSON text, mangled bytes, or none. */
const encoding = fc.constantFrom('json', 'json', 'json', 'bom', 'invalid-utf8', 'nul-bytes', 'truncated', 'gzip-claimed', 'gzip-real', 'empty', 'random-bytes', 'form')
function encodeBody (value: unknown, how: string, noise: Uint8Array): { payload: Buffer; headers: Record<string, string> } {
  const json = JSON.stringify(value) ?? 'undefined'
  const text = Buffer.from(json, 'utf8')
  switch (how) {
    case 'bom': return { payload: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), text]), headers: {} }
    case 'invalid-utf8': return { payload: Buffer.concat([text.subarray(0, text.length >> 1), Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xed, 0xa0, 0x80]), text.subarray(text.length >> 1)]), headers: {} }
    case 'nul-bytes': return { payload: Buffer.from(json.replace(/"/, '"\u0000'), 'utf8'), headers: {} }
    case 'truncated': return { payload: text.subarray(0, Math.max(0, text.length - 1 - (noise[0] ?? 0) % 20)), headers: {} }
    case 'gzip-claimed': return { payload: text, headers: { 'content-encoding': 'gzip' } }
    case 'gzip-real': return { payload: gzipSync(text), headers: { 'content-encoding': 'gzip' } }
    case 'empty': return { payload: Buffer.alloc(0), headers: {} }
    case 'random-bytes': return { payload: Buffer.from(noise), headers: {} }
    case 'form': return { payload: Buffer.from(`model=claude&max_tokens=5&json=${encodeURIComponent(json.slice(0, 100))}`), headers: {} }
    default: return { payload: text, headers: {} }
  }
}

type Auth = 'x-api-key' | 'bearer' | 'bearer-lower' | 'both' | 'none' | 'wrong-key' | 'wrong-bearer' | 'empty-bearer' | 'long-token' | 'basic' | 'key-with-spaces'
const AUTHS: Auth[] = ['x-api-key', 'x-api-key', 'bearer', 'bearer', 'bearer-lower', 'both', 'none', 'wrong-key', 'wrong-bearer', 'empty-bearer', 'long-token', 'basic', 'key-with-spaces']
const VALID_AUTH = new Set<Auth>(['x-api-key', 'bearer', 'bearer-lower', 'both'])
function authHeaders (auth: Auth): Record<string, string> {
  switch (auth) {
    case 'x-api-key': return { 'x-api-key': TOKEN }
    case 'bearer': return { authorization: `Bearer ${OTHER_TOKEN}` }
    case 'bearer-lower': return { authorization: `bearer ${TOKEN}` }
    case 'both': return { 'x-api-key': TOKEN, authorization: `Bearer ${TOKEN}` }
    case 'none': return {}
    case 'wrong-key': return { 'x-api-key': `${TOKEN}x` }
    case 'wrong-bearer': return { authorization: `Bearer ${TOKEN.slice(0, -1)}` }
    case 'empty-bearer': return { authorization: 'Bearer ' }
    case 'long-token': return { 'x-api-key': 'k'.repeat(20_000), authorization: `Bearer ${'b'.repeat(20_000)}` }
    case 'basic': return { authorization: `Basic ${Buffer.from(`user:${TOKEN}`).toString('base64')}` }
    case 'key-with-spaces': return { 'x-api-key': ` ${TOKEN} ` }
  }
}

const headerText = fc.oneof(
  fc.constantFrom('claude-code-20250219,interleaved-thinking-2025-05-14', 'context-1m-2025-08-07', ',,,', 'oauth-2025-04-20', 'x'.repeat(8000), 'advanced-tool-use-2025-11-20, ', 'interleaved-thinking-2025-05-14'.repeat(50)),
  fc.stringMatching(/^[\x20-\x7e]{0,200}$/)
)
const extraHeaders = fc.record({
  'anthropic-beta': fc.option(headerText, { nil: undefined }),
  'anthropic-version': fc.option(fc.constantFrom('2023-06-01', '2026-10-21', '', 'garbage', '9999-99-99'), { nil: undefined }),
  'content-type': fc.option(fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=latin1', '', '*/*', 'application/octet-stream', 'APPLICATION/JSON'), { nil: undefined }),
  'x-app': fc.option(fc.stringMatching(/^[\x21-\x7e]{0,50}$/), { nil: undefined }),
  origin: fc.option(fc.constantFrom('https://app.example.com', 'null', 'http://evil.example'), { nil: undefined })
}, { requiredKeys: [] })

const KNOWN_PATHS = ['/v1/messages', '/v1/messages?beta=true', '/v1/messages?beta=false', '/v1/messages?beta=true&beta=true', '/v1/messages?beta', '/v1/messages?beta=%00',
  '/v1/messages/count_tokens', '/v1/messages/count_tokens?beta=true', '/v1/models', '/v1/models?limit=5', '/v1/models/claude-sonnet-4-5', '/v1/models/claude-sonnet-4-5%5B1m%5D',
  '/v1/models/..%2F..%2Fetc', '/health', '/health?x=1']
const ODD_PATHS = ['/', '//v1/messages', '/v1//messages', '/v1/messages/', '/V1/MESSAGES', '/v1/messages%00', '/%', '/%ZZ', '/v1/%2e%2e/health', '/v1/messages/../models',
  '/v1/messages;x=1', '/v1/models/' + 'a'.repeat(10_000), '/' + 'a/'.repeat(3000), '/v1/messages?' + 'q=1&'.repeat(2000), '/v1/messages#frag', '/v1/models/%F0%9F%98%80', '/v1/models/%C3%28']
const pathArb = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...KNOWN_PATHS) },
  { weight: 2, arbitrary: fc.constantFrom(...ODD_PATHS) },
  { weight: 1, arbitrary: fc.webPath().map((p) => p === '' ? '/' : p.startsWith('/') ? p : `/${p}`) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('/v1/models/', '/v1/messages/'), fc.webSegment()).map(([a, b]) => a + b) }
)
const methodArb = fc.oneof({ weight: 6, arbitrary: fc.constant('POST') }, { weight: 2, arbitrary: fc.constant('GET') }, { weight: 2, arbitrary: fc.constantFrom('PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'SEARCH', 'PROPFIND') })

const requestArb = fc.record({
  method: methodArb,
  path: pathArb,
  auth: fc.constantFrom(...AUTHS),
  headers: extraHeaders,
  body: bodyValue,
  encoding,
  noise: fc.uint8Array({ minLength: 0, maxLength: 64 })
})
type FuzzRequest = fc.Arbitrary<unknown> extends never ? never : {
  method: string; path: string; auth: Auth; headers: Record<string, string | undefined>; body: unknown; encoding: string; noise: Uint8Array
}

// ---------- the property ----------

/** The routes behind auth, by method; anything else is public (/health, preflights) or unknown (404). */
function protectedRoute (method: string, pathname: string): boolean {
  if (method === 'POST') return pathname === '/v1/messages' || pathname === '/v1/messages/count_tokens'
  if (method === 'GET' || method === 'HEAD') return pathname === '/v1/models' || /^\/v1\/models\/[^/]+$/.test(pathname)
  return false
}

/** A path the router accepts: percent-escapes that decode, segments within the length limit (others are refused before auth). */
function wellFormed (pathname: string): boolean {
  try {
    decodeURIComponent(pathname)
  } catch {
    return false
  }
  return pathname.split('/').every((segment) => segment.length <= MAX_PATH_PARAM_LENGTH)
}

/** The path as the router sees it: dot segments resolved (light-my-request and clients do), query and fragment dropped. */
function pathnameOf (path: string): string {
  try {
    return new URL(path, 'http://proxy.invalid').pathname
  } catch {
    return path.split('?')[0]!
  }
}

interface Answer { status: number; headers: Record<string, unknown>; text: string }

/** Undefined when the answer is acceptable; else what is wrong with it. */
function judge (req: FuzzRequest, res: Answer): string | undefined {
  if (res.status >= 500) return `a ${res.status} for input`
  if (req.method === 'HEAD' || req.method === 'OPTIONS') return res.status < 500 ? undefined : 'bad preflight'
  if (res.status >= 200 && res.status < 300) {
    const type = String(res.headers['content-type'] ?? '')
    if (type.startsWith('text/event-stream')) {
      const events = res.text.split('\n\n').filter((f) => f.trim() !== '')
      return /^event: message_stop\n/.test(events.at(-1) ?? '') ? undefined : 'an SSE stream that does not end in message_stop'
    }
    let json: any
    try { json = JSON.parse(res.text) } catch { return `a ${res.status} whose body is not JSON` }
    const path = pathnameOf(req.path)
    if (path === '/v1/messages') return json.type === 'message' && Array.isArray(json.content) ? undefined : 'a 200 that is not a Message'
    if (path === '/v1/messages/count_tokens') return typeof json.input_tokens === 'number' ? undefined : 'a count without input_tokens'
    if (path === '/health') return json.status === 'ok' ? undefined : 'bad health'
    if (path === '/v1/models') return Array.isArray(json.data) ? undefined : 'a model list without data'
    if (path.startsWith('/v1/models/')) return json.type === 'model' ? undefined : 'a model that is not a model'
    return `a ${res.status} from an unexpected route`
  }
  if (res.status < 400) return `an unexpected ${res.status}`
  let body: any
  try { body = JSON.parse(res.text) } catch { return `a ${res.status} whose body is not JSON: ${res.text.slice(0, 100)}` }
  if (body?.type !== 'error' || typeof body.error?.type !== 'string' || typeof body.error?.message !== 'string' || typeof body.request_id !== 'string') {
    return `a ${res.status} that is not an Anthropic error: ${res.text.slice(0, 200)}`
  }
  if (res.status === 401 && body.error.type !== 'authentication_error') return '401 with the wrong type'
  if (res.status === 401 && VALID_AUTH.has(req.auth)) return 'a valid token refused'
  if (res.status === 404 && body.error.type !== 'not_found_error') return '404 with the wrong type'
  // A protected route without a valid token is refused (401) before anything else is looked at,
  // except what the HTTP layer rejects before routing (a malformed URL).
  if (protectedRoute(req.method, pathnameOf(req.path)) && wellFormed(pathnameOf(req.path)) && !VALID_AUTH.has(req.auth) && res.status !== 401) return `no token, yet a ${res.status}`
  return undefined
}

function toInject (req: FuzzRequest): { method: any; url: string; headers: Record<string, string>; payload?: Buffer } {
  const { payload, headers: encodingHeaders } = encodeBody(req.body, req.encoding, req.noise)
  const headers: Record<string, string> = { ...authHeaders(req.auth), ...encodingHeaders }
  for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) headers[name] = value
  const bodyless = req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS'
  if (req.method === 'OPTIONS' && req.headers.origin !== undefined) headers['access-control-request-method'] = 'POST'
  return { method: req.method, url: req.path, headers, payload: bodyless ? undefined : payload }
}

async function withTimeout<T> (work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_resolve, reject) => { timer = setTimeout(() => reject(new Error(`hang: ${what}`)), REQUEST_TIMEOUT_MS) })
  try { return await Promise.race([work, timeout]) } finally { clearTimeout(timer) }
}

function describe (req: FuzzRequest): string {
  return JSON.stringify({ ...req, body: JSON.stringify(req.body)?.slice(0, 300), noise: undefined, headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, v?.slice(0, 80)])) })
}

async function assertUsable (t: Test, app: FastifyInstance): Promise<void> {
  const res = await app.inject({ method: 'POST', url: '/v1/messages', headers: { 'x-api-key': TOKEN, 'content-type': 'application/json' }, payload: VALID_BODIES[0] })
  t.equal(res.statusCode, 200, 'the app still answers a valid request')
  t.equal(res.json().type, 'message')
}

/** Problems by kind (the text before the first colon), with the first example of each. */
class Findings {
  readonly byKind = new Map<string, { count: number; example: string }>()
  add (problem: string, req: FuzzRequest, status: number, text: string): void {
    const kind = problem.split(':')[0]!
    const seen = this.byKind.get(kind)
    if (seen) seen.count++
    else this.byKind.set(kind, { count: 1, example: `${problem}\nrequest: ${describe(req)}\nresponse: ${status} ${text.slice(0, 300)}` })
  }

  report (t: Test, where: string): void {
    for (const [kind, { count, example }] of this.byKind) t.fail(`${where}: ${kind} (${count} times)`, { diagnostic: true, example })
    if (this.byKind.size === 0) t.pass(`${where}: every response was a valid answer or a well-formed Anthropic error`)
  }
}

const statusCounts = (counts: Map<number, number>): string => [...counts].sort((a, b) => a[0] - b[0]).map(([s, n]) => `${s}:${n}`).join(' ')

t.test(`app.inject: ${RUNS} fuzzed requests (seed ${SEED})`, async (t) => {
  const app = await buildApp(testConfig(), { bedrock: stubBedrock })
  t.teardown(() => app.close())
  const counts = new Map<number, number>()
  const findings = new Findings()
  let sent = 0
  // Hangs and crashes fail the property at once; bad answers are collected, so that one run names
  // every kind of problem (with an example) instead of the first only.
  await fc.assert(fc.asyncProperty(requestArb, async (req) => {
    const r = req as FuzzRequest
    const res = await withTimeout(app.inject(toInject(r)), describe(r))
    sent++
    counts.set(res.statusCode, (counts.get(res.statusCode) ?? 0) + 1)
    const problem = judge(r, { status: res.statusCode, headers: res.headers, text: res.body })
    if (problem !== undefined) findings.add(problem, r, res.statusCode, res.body)
  }), { seed: SEED, numRuns: RUNS, endOnFailure: true })
  t.comment(`fuzzed ${sent} requests through app.inject; statuses ${statusCounts(counts)}`)
  findings.report(t, 'app.inject')
  t.ok(sent >= RUNS)
  await assertUsable(t, app)
})

t.test(`real socket to the emulator: ${SOCKET_RUNS} mutated message bodies (seed ${SEED})`, async (t) => {
  const stack = await startStack()
  t.teardown(() => stack.close())
  const counts = new Map<number, number>()
  const findings = new Findings()
  let sent = 0
  const socketRequest = fc.record({
    method: fc.constant('POST'),
    path: fc.constantFrom('/v1/messages', '/v1/messages?beta=true', '/v1/messages/count_tokens'),
    auth: fc.constantFrom<Auth>('x-api-key', 'bearer', 'bearer-lower'),
    headers: extraHeaders,
    body: bodyValue,
    encoding: fc.constantFrom('json', 'json', 'json', 'bom', 'invalid-utf8', 'gzip-claimed'),
    noise: fc.uint8Array({ maxLength: 8 })
  })
  await fc.assert(fc.asyncProperty(socketRequest, async (req) => {
    const r = req as FuzzRequest
    const { method, url, headers, payload } = toInject(r)
    const res = await request(`${stack.url}${url}`, { method, headers, body: payload, headersTimeout: REQUEST_TIMEOUT_MS, bodyTimeout: REQUEST_TIMEOUT_MS })
    const text = await res.body.text()
    sent++
    counts.set(res.statusCode, (counts.get(res.statusCode) ?? 0) + 1)
    const problem = judge(r, { status: res.statusCode, headers: res.headers, text })
    if (problem !== undefined) findings.add(problem, r, res.statusCode, text)
  }), { seed: SEED, numRuns: SOCKET_RUNS, endOnFailure: true })
  findings.report(t, 'socket')
  t.comment(`fuzzed ${sent} requests over a socket to the emulator; statuses ${statusCounts(counts)}; Bedrock saw ${stack.emulator.requests.length} (last 100 kept)`)
  const health = await request(`${stack.url}/health`)
  t.equal(health.statusCode, 200)
  await health.body.dump()
  t.comment(`fuzz total ${Date.now() - t0} ms`)
})
