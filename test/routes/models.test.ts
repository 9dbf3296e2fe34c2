import t from 'tap'
import { buildApp } from '../../src/app.js'
import { CATALOGUE } from '../../src/translate/catalogue.js'
import { TOKEN, testConfig } from '../helpers/config.js'

const headers = { authorization: `Bearer ${TOKEN}` }

t.test('GET /v1/models pages through the Anthropic list shape', async (t) => {
  const app = await buildApp(testConfig())
  t.teardown(() => app.close())
  const all = (await app.inject({ method: 'GET', url: '/v1/models?limit=1000', headers })).json()
  t.equal(all.data.length, CATALOGUE.length)
  t.equal(all.has_more, false)
  t.equal(all.first_id, CATALOGUE[0]!.id)
  t.equal(all.last_id, CATALOGUE[CATALOGUE.length - 1]!.id)
  for (const model of all.data) t.match(model, { type: 'model', id: String, display_name: String, created_at: /^\d{4}-\d\d-\d\dT00:00:00Z$/ })

  const first = (await app.inject({ method: 'GET', url: '/v1/models?limit=3&beta=true', headers })).json()
  t.same(first.data.map((m: { id: string }) => m.id), CATALOGUE.slice(0, 3).map((m) => m.id))
  t.equal(first.has_more, true)
  const next = (await app.inject({ method: 'GET', url: `/v1/models?limit=3&after_id=${first.last_id}`, headers })).json()
  t.same(next.data.map((m: { id: string }) => m.id), CATALOGUE.slice(3, 6).map((m) => m.id))
  const back = (await app.inject({ method: 'GET', url: `/v1/models?limit=2&before_id=${next.first_id}`, headers })).json()
  t.same(back.data.map((m: { id: string }) => m.id), CATALOGUE.slice(1, 3).map((m) => m.id))
  t.equal(back.has_more, true)

  for (const query of ['limit=0', 'limit=abc', 'limit=1001', 'after_id=unknown-model']) {
    const bad = await app.inject({ method: 'GET', url: `/v1/models?${query}`, headers })
    t.equal(bad.statusCode, 400, query)
    t.match(bad.json(), { error: { type: 'invalid_request_error' } })
  }
})

t.test('GET /v1/models/:id by id or alias; unknown is a 404', async (t) => {
  const app = await buildApp(testConfig())
  t.teardown(() => app.close())
  const byAlias = await app.inject({ method: 'GET', url: '/v1/models/claude-haiku-4-5', headers })
  t.same(byAlias.json(), { type: 'model', id: 'claude-haiku-4-5-20251001', display_name: 'Claude Haiku 4.5', created_at: '2025-10-01T00:00:00Z' })
  const missing = await app.inject({ method: 'GET', url: '/v1/models/claude-nothing', headers })
  t.equal(missing.statusCode, 404)
  t.match(missing.json(), { type: 'error', error: { type: 'not_found_error' } })
})

t.test('a model without a profile in the geography is not listed', async (t) => {
  const app = await buildApp(testConfig({ AWS_REGION: 'eu-west-1' }))
  t.teardown(() => app.close())
  const ids = (await app.inject({ method: 'GET', url: '/v1/models?limit=100', headers })).json().data.map((m: { id: string }) => m.id)
  t.notOk(ids.includes('claude-opus-4-1-20250805'))
  t.ok(ids.includes('claude-sonnet-4-5-20250929'))
})
