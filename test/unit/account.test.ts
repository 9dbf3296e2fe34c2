import t from 'tap'
import { anthropicNameFor, catalogueFromAccount, type AccountListing } from '../../src/translate/account.js'
import { CATALOGUE } from '../../src/translate/catalogue.js'

t.test('Anthropic names from Bedrock base ids', async (t) => {
  const table: Array<[string, string | undefined]> = [
    ['anthropic.claude-sonnet-4-5-20250929-v1:0', 'claude-sonnet-4-5-20250929'],
    ['anthropic.claude-3-5-sonnet-20241022-v2:0', 'claude-3-5-sonnet-20241022'],
    ['anthropic.claude-opus-4-6-v1', 'claude-opus-4-6'],
    ['anthropic.claude-opus-4-8', 'claude-opus-4-8'],
    ['anthropic.claude-opus-5-5', 'claude-opus-5-5'],
    ['anthropic.claude-fable-5', 'claude-fable-5'],
    ['anthropic.claude-v2:1', undefined],
    ['meta.llama3-70b-instruct-v1:0', undefined],
    ['amazon.nova-pro-v1:0', undefined]
  ]
  for (const [baseId, name] of table) t.equal(anthropicNameFor(baseId), name, baseId)
})

const arn = (baseId: string): string => `arn:aws:bedrock:us-east-1::foundation-model/${baseId}`
const profile = (geo: string, baseId: string, extra: Record<string, unknown> = {}) => ({
  inferenceProfileId: `${geo}.${baseId}`, type: 'SYSTEM_DEFINED', status: 'ACTIVE', createdAt: new Date('2026-10-01T12:00:00Z'), models: [{ modelArn: arn(baseId) }], ...extra
})

t.test('the account listing becomes a catalogue', async (t) => {
  const listing: AccountListing = {
    foundationModels: [
      { modelId: 'anthropic.claude-opus-5-5', modelName: 'Claude Opus 5.5', inferenceTypesSupported: ['INFERENCE_PROFILE'], modelLifecycle: { status: 'ACTIVE' } },
      { modelId: 'anthropic.claude-sonnet-4-5-20250929-v1:0', modelName: 'Claude Sonnet 4.5', inferenceTypesSupported: ['INFERENCE_PROFILE'] },
      { modelId: 'anthropic.claude-3-haiku-20240307-v1:0', modelName: 'Claude 3 Haiku', inferenceTypesSupported: ['ON_DEMAND'] },
      { modelId: 'anthropic.claude-3-opus-20240229-v1:0', modelName: 'Claude 3 Opus', modelLifecycle: { status: 'LEGACY' } },
      { modelId: 'anthropic.claude-haiku-9-20300101-v1:0', modelName: 'Haiku 9', inferenceTypesSupported: ['INFERENCE_PROFILE'] },
      { modelId: 'meta.llama3-70b-instruct-v1:0', modelName: 'Llama 3 70B' }
    ],
    inferenceProfiles: [
      profile('global', 'anthropic.claude-opus-5-5'),
      profile('us', 'anthropic.claude-opus-5-5'),
      profile('us', 'anthropic.claude-sonnet-4-5-20250929-v1:0'),
      profile('eu', 'anthropic.claude-sonnet-4-5-20250929-v1:0', { status: 'INACTIVE' }),
      profile('us-gov', 'anthropic.claude-sonnet-4-5-20250929-v1:0'),
      profile('us', 'meta.llama3-70b-instruct-v1:0'),
      { inferenceProfileArn: 'arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/team-a', type: 'APPLICATION', status: 'ACTIVE', models: [{ modelArn: arn('anthropic.claude-opus-5-5') }] }
    ]
  }
  const { models, applicationProfiles } = catalogueFromAccount(listing, CATALOGUE)
  t.same(models.map((m) => m.id), ['claude-opus-5-5', 'claude-haiku-9-20300101', 'claude-sonnet-4-5-20250929', 'claude-3-haiku-20240307'].sort((a, b) => {
    const order = ['claude-haiku-9-20300101', 'claude-opus-5-5', 'claude-sonnet-4-5-20250929', 'claude-3-haiku-20240307']
    return order.indexOf(a) - order.indexOf(b)
  }), 'active Anthropic models only, newest first')
  t.match(models.find((m) => m.id === 'claude-opus-5-5'), { baseId: 'anthropic.claude-opus-5-5', profiles: ['global', 'us'], onDemand: false, displayName: 'Claude Opus 5.5', createdAt: '2026-10-01T12:00:00Z', aliases: [] })
  t.match(models.find((m) => m.id === 'claude-sonnet-4-5-20250929'), { profiles: ['us'], aliases: ['claude-sonnet-4-5'], displayName: 'Claude Sonnet 4.5' }, 'inactive and non-geo profiles left out; built-in aliases kept')
  t.match(models.find((m) => m.id === 'claude-haiku-9-20300101'), { aliases: ['claude-haiku-9'], displayName: 'Claude Haiku 9', createdAt: '2030-01-01T00:00:00Z', profiles: [] }, 'a dated newcomer gets its undated alias')
  t.match(models.find((m) => m.id === 'claude-3-haiku-20240307'), { onDemand: true, profiles: [] })
  t.same([...applicationProfiles], [['arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/team-a', 'anthropic.claude-opus-5-5']])
})
