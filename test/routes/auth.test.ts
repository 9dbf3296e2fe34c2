import t from 'tap'
import { buildApp } from '../../src/app.js'
import { parseSecretTokens, TokenSet } from '../../src/auth/tokens.js'
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

t.test('the token set accepts exactly its tokens, and can be replaced', async (t) => {
  const tokens = new TokenSet([TOKEN, OTHER_TOKEN])
  t.ok(tokens.verify(TOKEN))
  t.ok(tokens.verify(OTHER_TOKEN))
  t.notOk(tokens.verify(''))
  t.notOk(tokens.verify(`${TOKEN} `))
  t.notOk(tokens.verify(TOKEN.toUpperCase()))
  t.notOk(tokens.verify('x'.repeat(100_000)), 'an oversized candidate is refused before hashing')
  tokens.replace([OTHER_TOKEN])
  t.notOk(tokens.verify(TOKEN), 'a rotated-out token stops working')
  t.ok(tokens.verify(OTHER_TOKEN))
  t.notOk(new TokenSet([]).verify(TOKEN))
})

t.test('secret values: one token, a JSON list, or {"tokens": [...]}', async (t) => {
  t.same(parseSecretTokens(`  ${TOKEN}\n`), [TOKEN])
  t.same(parseSecretTokens(JSON.stringify([TOKEN, OTHER_TOKEN])), [TOKEN, OTHER_TOKEN])
  t.same(parseSecretTokens(JSON.stringify({ tokens: [TOKEN] })), [TOKEN])
  for (const bad of ['[not json', '[]', '{"token": "x"}', JSON.stringify(['short']), JSON.stringify([42]), 'has spaces in it, too many']) {
    t.throws(() => parseSecretTokens(bad), { name: 'Error' }, bad)
  }
})
