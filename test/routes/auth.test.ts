import t from 'tap'
import { buildApp } from '../../src/app.js'
import { tokenVerifier } from '../../src/plugins/auth.js'
import { OTHER_TOKEN, TOKEN, testConfig } from '../helpers/config.js'

t.test('tokens: both header styles, several tokens, wrong and missing ones', async (t) => {
  const app = await buildApp(testConfig())
  t.teardown(() => app.close())
  const cases: Array<[string, Record<string, string>, number]> = [
    ['Authorization: Bearer', { authorization: `Bearer ${TOKEN}` }, 200],
    ['lower-case bearer scheme', { authorization: `bearer ${TOKEN}` }, 200],
    ['x-api-key', { 'x-api-key': TOKEN }, 200],
    ['the second token', { authorization: `Bearer ${OTHER_TOKEN}` }, 200],
    ['a wrong x-api-key with a right bearer', { 'x-api-key': 'nope', authorization: `Bearer ${TOKEN}` }, 200],
    ['no credentials', {}, 401],
    ['a wrong bearer', { authorization: 'Bearer wrong-token-abcdefghijkl' }, 401],
    ['a token prefix', { authorization: `Bearer ${TOKEN.slice(0, -1)}` }, 401],
    ['a wrong x-api-key', { 'x-api-key': 'wrong' }, 401],
    ['another scheme', { authorization: `Basic ${TOKEN}` }, 401],
    ['an empty bearer', { authorization: 'Bearer ' }, 401]
  ]
  for (const [name, headers, status] of cases) {
    const response = await app.inject({ method: 'GET', url: '/v1/models', headers })
    t.equal(response.statusCode, status, name)
    if (status === 401) {
      t.same(response.json(), {
        type: 'error',
        error: { type: 'authentication_error', message: 'invalid x-api-key or authorization bearer token' },
        request_id: response.headers['request-id']
      }, `${name}: Anthropic error shape`)
    }
  }
})

t.test('health, preflights and unknown routes need no token', async (t) => {
  const app = await buildApp(testConfig())
  t.teardown(() => app.close())
  t.equal((await app.inject({ method: 'GET', url: '/health' })).statusCode, 200)
  t.same((await app.inject({ method: 'GET', url: '/health' })).json(), { status: 'ok' })
  const preflight = await app.inject({
    method: 'OPTIONS',
    url: '/v1/messages',
    headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST', 'access-control-request-headers': 'x-api-key,content-type,anthropic-version' }
  })
  t.equal(preflight.statusCode, 204)
  t.equal((await app.inject({ method: 'GET', url: '/v2/whatever' })).statusCode, 404)
  t.equal((await app.inject({ method: 'POST', url: '/v1/messages' })).statusCode, 401, 'real routes do')
  t.equal((await app.inject({ method: 'POST', url: '/v1/messages/count_tokens' })).statusCode, 401)
  t.equal((await app.inject({ method: 'GET', url: '/v1/models/claude-opus-4-8' })).statusCode, 401)
})

t.test('AUTH_DISABLED serves without a token', async (t) => {
  const app = await buildApp(testConfig({ AUTH_DISABLED: 'true', BEARER_TOKENS: '' }))
  t.teardown(() => app.close())
  t.equal((await app.inject({ method: 'GET', url: '/v1/models' })).statusCode, 200)
})

t.test('the verifier accepts exactly the configured tokens', async (t) => {
  const verify = tokenVerifier([TOKEN, OTHER_TOKEN])
  t.ok(verify(TOKEN))
  t.ok(verify(OTHER_TOKEN))
  t.notOk(verify(''))
  t.notOk(verify(`${TOKEN} `))
  t.notOk(verify(TOKEN.toUpperCase()))
  t.notOk(tokenVerifier([])(TOKEN))
})
