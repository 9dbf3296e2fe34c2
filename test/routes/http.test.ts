import t from 'tap'
import { buildApp } from '../../src/app.js'
import { TOKEN, testConfig } from '../helpers/config.js'

const auth = { 'x-api-key': TOKEN }

t.test('request ids: on every response, unique, never taken from the client', async (t) => {
  const app = await buildApp(testConfig())
  t.teardown(() => app.close())
  const seen = new Set<string>()
  for (const url of ['/health', '/v1/models', '/nope']) {
    const response = await app.inject({ method: 'GET', url, headers: { ...auth, 'request-id': 'spoofed', 'x-request-id': 'spoofed' } })
    const id = response.headers['request-id'] as string
    t.match(id, /^req_[0-9a-f]{32}$/, url)
    seen.add(id)
  }
  t.equal(seen.size, 3)
})

t.test('unknown routes and methods: 404 in the Anthropic shape', async (t) => {
  const app = await buildApp(testConfig())
  t.teardown(() => app.close())
  for (const [method, url] of [['GET', '/'], ['GET', '/v1/messages'], ['DELETE', '/v1/models'], ['POST', '/v1/complete'], ['GET', '/v1/models/a/b']] as const) {
    const response = await app.inject({ method, url, headers: auth })
    t.equal(response.statusCode, 404, `${method} ${url}`)
    t.match(response.json(), { type: 'error', error: { type: 'not_found_error', message: String }, request_id: response.headers['request-id'] })
  }
})

t.test('CORS: any origin by default, request-id exposed, list when configured', async (t) => {
  const open = await buildApp(testConfig())
  t.teardown(() => open.close())
  const response = await open.inject({ method: 'GET', url: '/v1/models', headers: { ...auth, origin: 'https://app.example.com' } })
  t.equal(response.headers['access-control-allow-origin'], '*')
  t.match(response.headers['access-control-expose-headers'], /request-id/)

  const closed = await buildApp(testConfig({ CORS_ORIGINS: 'https://good.example.com' }))
  t.teardown(() => closed.close())
  const good = await closed.inject({ method: 'OPTIONS', url: '/v1/messages', headers: { origin: 'https://good.example.com', 'access-control-request-method': 'POST' } })
  t.equal(good.headers['access-control-allow-origin'], 'https://good.example.com')
  t.match(good.headers['access-control-allow-methods'], /POST/)
  const bad = await closed.inject({ method: 'OPTIONS', url: '/v1/messages', headers: { origin: 'https://evil.example.com', 'access-control-request-method': 'POST' } })
  t.equal(bad.headers['access-control-allow-origin'], undefined)
})

t.test('bad bodies: 400 invalid_request_error naming the problem', async (t) => {
  const app = await buildApp(testConfig())
  t.teardown(() => app.close())
  const json = { ...auth, 'content-type': 'application/json' }
  const cases: Array<[string, string | undefined, Record<string, string>, RegExp]> = [
    ['malformed JSON', '{"model": ', json, /not valid JSON/],
    ['empty body', '', json, /empty/],
    ['no body at all', undefined, auth, /body/],
    ['a JSON array', '[]', json, /must be object/],
    ['missing model', '{"max_tokens":1,"messages":[{"role":"user","content":"hi"}]}', json, /must have required property 'model'/],
    ['missing max_tokens', '{"model":"claude-opus-4-8","messages":[]}', json, /max_tokens/],
    ['max_tokens as a string', '{"model":"claude-opus-4-8","max_tokens":"5","messages":[]}', json, /max_tokens: must be integer/],
    ['max_tokens zero', '{"model":"claude-opus-4-8","max_tokens":0,"messages":[]}', json, /max_tokens: must be >= 1/],
    ['messages not an array', '{"model":"claude-opus-4-8","max_tokens":5,"messages":"hi"}', json, /messages: must be array/],
    ['a bad role', '{"model":"claude-opus-4-8","max_tokens":5,"messages":[{"role":"robot","content":"x"}]}', json, /messages\.0\.role/],
    ['content a number', '{"model":"claude-opus-4-8","max_tokens":5,"messages":[{"role":"user","content":5}]}', json, /messages\.0\.content/],
    ['stream not boolean', '{"model":"claude-opus-4-8","max_tokens":5,"stream":"yes","messages":[]}', json, /stream: must be boolean/],
    ['unknown model', '{"model":"claude-unknown-1","max_tokens":5,"messages":[{"role":"user","content":"x"}]}', json, /unknown model "claude-unknown-1"/],
    ['proto poisoning', '{"model":"claude-opus-4-8","max_tokens":5,"messages":[],"__proto__":{"x":1}}', json, /./]
  ]
  for (const [name, payload, headers, message] of cases) {
    const response = await app.inject({ method: 'POST', url: '/v1/messages', headers, payload })
    t.equal(response.statusCode, 400, name)
    t.match(response.json(), { type: 'error', error: { type: 'invalid_request_error', message } }, name)
  }
})

t.test('a body without a JSON content type is still read as JSON', async (t) => {
  const app = await buildApp(testConfig())
  t.teardown(() => app.close())
  const response = await app.inject({
    method: 'POST', url: '/v1/messages', headers: { ...auth, 'content-type': 'application/x-www-form-urlencoded' },
    payload: '{"model":"nope-model","max_tokens":5,"messages":[{"role":"user","content":"x"}]}'
  })
  t.match(response.json(), { error: { type: 'invalid_request_error', message: /unknown model "nope-model"/ } })
})

t.test('a body over BODY_LIMIT_MB is a 413 request_too_large', async (t) => {
  const app = await buildApp(testConfig({ BODY_LIMIT_MB: '1' }))
  t.teardown(() => app.close())
  const payload = JSON.stringify({ model: 'claude-opus-4-8', max_tokens: 5, messages: [{ role: 'user', content: 'x'.repeat(1024 * 1024) }] })
  const response = await app.inject({ method: 'POST', url: '/v1/messages', headers: { ...auth, 'content-type': 'application/json' }, payload })
  t.equal(response.statusCode, 413)
  t.match(response.json(), { type: 'error', error: { type: 'request_too_large' } })
})
