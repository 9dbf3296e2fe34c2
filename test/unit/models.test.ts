import t from 'tap'
import { ConfigError } from '../../src/config.js'
import { capabilitiesFor, parseModelVersion, BETA } from '../../src/translate/capabilities.js'
import { CATALOGUE } from '../../src/translate/catalogue.js'
import { ModelResolver, passThroughTarget } from '../../src/translate/models.js'

t.test('Anthropic names map by exact match to the geography profile', async (t) => {
  const us = new ModelResolver({ geo: 'us', modelMap: {} })
  const table: Array<[string, string, string]> = [
    ['claude-sonnet-4-5-20250929', 'us.anthropic.claude-sonnet-4-5-20250929-v1:0', 'anthropic.claude-sonnet-4-5-20250929-v1:0'],
    ['claude-sonnet-4-5', 'us.anthropic.claude-sonnet-4-5-20250929-v1:0', 'anthropic.claude-sonnet-4-5-20250929-v1:0'],
    ['claude-opus-4-8', 'us.anthropic.claude-opus-4-8', 'anthropic.claude-opus-4-8'],
    ['claude-opus-4-6', 'us.anthropic.claude-opus-4-6-v1', 'anthropic.claude-opus-4-6-v1'],
    ['claude-haiku-4-5', 'us.anthropic.claude-haiku-4-5-20251001-v1:0', 'anthropic.claude-haiku-4-5-20251001-v1:0'],
    ['claude-opus-4-0', 'us.anthropic.claude-opus-4-20250514-v1:0', 'anthropic.claude-opus-4-20250514-v1:0'],
    ['claude-3-7-sonnet-latest', 'us.anthropic.claude-3-7-sonnet-20250219-v1:0', 'anthropic.claude-3-7-sonnet-20250219-v1:0'],
    ['claude-3-haiku-20240307', 'us.anthropic.claude-3-haiku-20240307-v1:0', 'anthropic.claude-3-haiku-20240307-v1:0']
  ]
  for (const [name, invoke, count] of table) {
    const resolved = us.resolve(name)
    t.equal(resolved.bedrockModelId, invoke, name)
    t.equal(resolved.countTokensModelId, count, `${name} (count)`)
    t.equal(resolved.requested, name)
    t.equal(resolved.oneMillionContext, false)
  }
})

t.test('other geographies, and global where the geography has no profile', async (t) => {
  t.equal(new ModelResolver({ geo: 'eu', modelMap: {} }).resolve('claude-sonnet-4-5').bedrockModelId, 'eu.anthropic.claude-sonnet-4-5-20250929-v1:0')
  t.equal(new ModelResolver({ geo: 'jp', modelMap: {} }).resolve('claude-sonnet-4-6').bedrockModelId, 'jp.anthropic.claude-sonnet-4-6')
  t.equal(new ModelResolver({ geo: 'jp', modelMap: {} }).resolve('claude-opus-4-8').bedrockModelId, 'global.anthropic.claude-opus-4-8')
  t.equal(new ModelResolver({ geo: 'global', modelMap: {} }).resolve('claude-haiku-4-5').bedrockModelId, 'global.anthropic.claude-haiku-4-5-20251001-v1:0')
  t.equal(new ModelResolver({ geo: 'au', modelMap: {} }).resolve('claude-3-5-haiku-20241022').bedrockModelId, 'anthropic.claude-3-5-haiku-20241022-v1:0', 'on-demand model without a profile: base id')
})

t.test('a model with no profile in reach is a 400 that says what to do', async (t) => {
  const eu = new ModelResolver({ geo: 'eu', modelMap: {} })
  const error = t.throws(() => eu.resolve('claude-opus-4-1')) as Error & { statusCode: number; type: string }
  t.equal(error.statusCode, 400)
  t.equal(error.type, 'invalid_request_error')
  t.match(error.message, /claude-opus-4-1-20250805 has no inference profile for the "eu" geography.*BEDROCK_INFERENCE_PROFILE/)
  t.notOk(eu.list().some((model) => model.id === 'claude-opus-4-1-20250805'), 'not listed either')
})

t.test('[1m] suffix', async (t) => {
  const resolved = new ModelResolver({ geo: 'us', modelMap: {} }).resolve('claude-sonnet-4-5[1m]')
  t.equal(resolved.bedrockModelId, 'us.anthropic.claude-sonnet-4-5-20250929-v1:0')
  t.equal(resolved.oneMillionContext, true)
  t.equal(resolved.requested, 'claude-sonnet-4-5[1m]')
})

t.test('no prefix or fuzzy matching, ever', async (t) => {
  const resolver = new ModelResolver({ geo: 'us', modelMap: {} })
  for (const name of ['claude-sonnet-4', 'claude-sonnet', 'claude-sonnet-4-5-2025', 'Claude-Sonnet-4-5', 'claude-sonnet-4-5 ', 'gpt-4o', 'claude-opus-4-8x', 'meta.llama3-70b-instruct-v1:0']) {
    t.throws(() => resolver.resolve(name), { statusCode: 400, type: 'invalid_request_error', message: /^model: unknown model ".*"\. Closest models available: [a-z]/ }, name)
  }
})

t.test('Bedrock ids and ARNs pass through, with the base id for CountTokens', async (t) => {
  const resolver = new ModelResolver({ geo: 'us', modelMap: {} })
  const table: Array<[string, string]> = [
    ['us.anthropic.claude-sonnet-4-5-20250929-v1:0', 'anthropic.claude-sonnet-4-5-20250929-v1:0'],
    ['global.anthropic.claude-opus-4-7', 'anthropic.claude-opus-4-7'],
    ['anthropic.claude-3-haiku-20240307-v1:0', 'anthropic.claude-3-haiku-20240307-v1:0'],
    ['anthropic.claude-future-9', 'anthropic.claude-future-9'],
    ['arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-opus-4-8', 'anthropic.claude-opus-4-8'],
    ['arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0', 'anthropic.claude-3-haiku-20240307-v1:0'],
    ['arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123xyz', 'arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123xyz']
  ]
  for (const [id, count] of table) {
    const resolved = resolver.resolve(id)
    t.equal(resolved.bedrockModelId, id, id)
    t.equal(resolved.countTokensModelId, count, `${id} (count)`)
  }
  for (const bad of ['anthropic.', 'anthropic.claude/../../x', 'us.anthropic.claude sonnet', 'arn:aws:s3:::bucket/key', 'arn:aws:bedrock:us-east-1:123:inference-profile/a/b']) {
    t.equal(passThroughTarget(bad), undefined, bad)
  }
})

t.test('MODEL_MAP aliases win, and point at names, ids or ARNs', async (t) => {
  const resolver = new ModelResolver({ geo: 'us', modelMap: {
    opus: 'claude-opus-4-8',
    'claude-sonnet-4-5': 'eu.anthropic.claude-sonnet-4-5-20250929-v1:0',
    team: 'arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/team-a'
  } })
  t.equal(resolver.resolve('opus').bedrockModelId, 'us.anthropic.claude-opus-4-8')
  t.equal(resolver.resolve('claude-sonnet-4-5').bedrockModelId, 'eu.anthropic.claude-sonnet-4-5-20250929-v1:0')
  t.equal(resolver.resolve('team').bedrockModelId, 'arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/team-a')
  t.equal(resolver.resolve('claude-sonnet-4-5-20250929').bedrockModelId, 'us.anthropic.claude-sonnet-4-5-20250929-v1:0', 'the dated name is untouched')
  t.throws(() => new ModelResolver({ geo: 'us', modelMap: { x: 'not a model' } }), ConfigError)
})

t.test('listing and describing', async (t) => {
  const resolver = new ModelResolver({ geo: 'us', modelMap: {} })
  const ids = resolver.list().map((model) => model.id)
  t.same(ids, CATALOGUE.map((model) => model.id), 'every catalogue model has a us profile or on-demand id')
  t.same(resolver.describe('claude-sonnet-4-5'), { type: 'model', id: 'claude-sonnet-4-5-20250929', display_name: 'Claude Sonnet 4.5', created_at: '2025-09-29T00:00:00Z' })
  t.equal(resolver.describe('claude-sonnet'), undefined)
})

t.test('version parsing reads tiers and versions, not dates', async (t) => {
  const table: Array<[string, unknown]> = [
    ['claude-sonnet-4-5-20250929', { tier: 'sonnet', major: 4, minor: 5 }],
    ['claude-opus-4-20250514', { tier: 'opus', major: 4, minor: 0 }],
    ['us.anthropic.claude-opus-4-6-v1', { tier: 'opus', major: 4, minor: 6 }],
    ['anthropic.claude-3-7-sonnet-20250219-v1:0', { tier: 'sonnet', major: 3, minor: 7 }],
    ['claude-3-haiku-20240307', { tier: 'haiku', major: 3, minor: 0 }],
    ['claude-fable-5', { tier: 'other', major: 5, minor: 0 }],
    ['claude-sonnet-5-5', { tier: 'sonnet', major: 5, minor: 5 }],
    ['arn:aws:bedrock:us-east-1:1:application-inference-profile/x', undefined]
  ]
  for (const [name, expected] of table) t.same(parseModelVersion(name), expected, name)
})

t.test('capabilities per family; newer models inherit the newest row', async (t) => {
  const has = (model: string, beta: string): boolean => capabilitiesFor(model).betas.has(beta)
  t.ok(has('claude-3-5-sonnet-20241022', BETA.computerUse2024))
  t.notOk(has('claude-3-5-sonnet-20241022', BETA.interleavedThinking))
  t.ok(has('claude-3-7-sonnet-20250219', BETA.output128k))
  t.notOk(has('claude-sonnet-4-5-20250929', BETA.output128k))
  t.ok(has('claude-sonnet-4-20250514', BETA.context1m))
  t.notOk(has('claude-opus-4-20250514', BETA.context1m))
  t.notOk(has('claude-haiku-4-5-20251001', BETA.context1m))
  t.ok(has('claude-opus-4-6', BETA.context1m))
  t.ok(has('claude-opus-4-5-20251101', BETA.effort))
  t.notOk(has('claude-sonnet-4-5-20250929', BETA.effort))
  t.ok(has('claude-sonnet-4-5-20250929', BETA.toolSearch))
  t.notOk(has('claude-opus-4-1-20250805', BETA.toolSearch))
  t.equal(capabilitiesFor('claude-sonnet-4-5-20250929').outputConfig, false)
  t.equal(capabilitiesFor('claude-sonnet-4-6').outputConfig, true)
  t.equal(capabilitiesFor('claude-opus-9-9').family, 'claude-4-6', 'an unknown newer model inherits the newest row')
  t.equal(capabilitiesFor('claude-opus-9-9').outputConfig, true)
  t.equal(capabilitiesFor('arn:aws:bedrock:us-east-1:1:application-inference-profile/x').family, 'unknown')
})

t.test('tier aliases: opus, sonnet and haiku are the newest usable of each, unless MODEL_MAP says otherwise', async (t) => {
  const us = new ModelResolver({ geo: 'us', modelMap: {} })
  t.equal(us.resolve('opus').bedrockModelId, 'us.anthropic.claude-opus-4-8')
  t.equal(us.resolve('sonnet').bedrockModelId, 'us.anthropic.claude-sonnet-5')
  t.equal(us.resolve('haiku').bedrockModelId, 'us.anthropic.claude-haiku-4-5-20251001-v1:0')
  const mapped = new ModelResolver({ geo: 'us', modelMap: { opus: 'claude-opus-4-5', best: 'opus' } })
  t.equal(mapped.resolve('opus').bedrockModelId, 'us.anthropic.claude-opus-4-5-20251101-v1:0')
  t.equal(mapped.resolve('best').bedrockModelId, 'us.anthropic.claude-opus-4-5-20251101-v1:0', 'a MODEL_MAP value may name an alias, as mapped')
  t.equal(new ModelResolver({ geo: 'us', modelMap: { best: 'sonnet' } }).resolve('best').bedrockModelId, 'us.anthropic.claude-sonnet-5')
})

t.test('application inference profiles known from discovery: routed model for capabilities and CountTokens', async (t) => {
  const team = 'arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/team-a'
  const resolver = new ModelResolver({ geo: 'us', modelMap: { 'team-a': team }, applicationProfiles: new Map([[team, 'anthropic.claude-opus-4-5-20251101-v1:0']]) })
  const resolved = resolver.resolve('team-a')
  t.equal(resolved.bedrockModelId, team)
  t.equal(resolved.countTokensModelId, 'anthropic.claude-opus-4-5-20251101-v1:0')
  t.equal(resolved.capabilities.family, 'claude-4-5')
})

t.test('after discovery, a MODEL_MAP target the account lacks is explained per request', async (t) => {
  const resolver = new ModelResolver({ geo: 'us', modelMap: { old: 'claude-3-opus-20240229' }, catalogue: CATALOGUE.slice(0, 2), unknownMapTarget: 'explain' })
  t.throws(() => resolver.resolve('old'), { message: 'model: "old" maps to "claude-3-opus-20240229" (MODEL_MAP), which this account does not offer.' })
  t.throws(() => resolver.resolve('claude-sonnet-4-5'), { message: /Closest models available: claude-opus-4-/ }, 'a model outside the catalogue is unknown, with the closest names')
})
