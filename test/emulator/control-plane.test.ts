// The control plane through the real @aws-sdk/client-bedrock: listings, pagination, filters,
// signatures over query strings, and scripted failures.
import { BedrockClient, ListFoundationModelsCommand, ListInferenceProfilesCommand, paginateListInferenceProfiles } from '@aws-sdk/client-bedrock'
import t from 'tap'
import { MODELS, startEmulator } from '../../src/emulator/server.js'

const credentials = { accessKeyId: 'AKIDEMULATOR', secretAccessKey: 'emulator-secret' }
const client = (url: string, secretAccessKey = credentials.secretAccessKey): BedrockClient =>
  new BedrockClient({ region: 'us-east-1', endpoint: url, credentials: { ...credentials, secretAccessKey }, maxAttempts: 1 })

t.test('ListFoundationModels and ListInferenceProfiles for the default account', async (t) => {
  const emulator = await startEmulator({ credentials })
  t.teardown(() => emulator.close())
  const bedrock = client(emulator.url)
  const models = await bedrock.send(new ListFoundationModelsCommand({ byProvider: 'Anthropic' }))
  t.equal(models.modelSummaries?.length, MODELS.length)
  t.match(models.modelSummaries?.find((m) => m.modelId === 'anthropic.claude-3-haiku-20240307-v1:0'), { modelName: 'Claude 3 Haiku', providerName: 'Anthropic', inferenceTypesSupported: ['ON_DEMAND', 'INFERENCE_PROFILE'] })
  t.same((await bedrock.send(new ListFoundationModelsCommand({ byInferenceType: 'ON_DEMAND' }))).modelSummaries?.length, MODELS.filter((m) => m.onDemand).length)

  const ids: string[] = []
  for await (const page of paginateListInferenceProfiles({ client: bedrock, pageSize: 7 }, { typeEquals: 'SYSTEM_DEFINED' })) {
    t.ok((page.inferenceProfileSummaries?.length ?? 0) <= 7)
    for (const profile of page.inferenceProfileSummaries ?? []) ids.push(profile.inferenceProfileId!)
  }
  t.equal(ids.length, MODELS.reduce((n, m) => n + m.profiles.length, 0), 'every profile, across pages')
  t.ok(ids.includes('us.anthropic.claude-sonnet-4-5-20250929-v1:0'))
  t.ok(ids.includes('global.anthropic.claude-opus-4-8'))
  const first = await bedrock.send(new ListInferenceProfilesCommand({ maxResults: 1 }))
  t.match(first.inferenceProfileSummaries?.[0], { type: 'SYSTEM_DEFINED', status: 'ACTIVE', models: [{ modelArn: /foundation-model\/anthropic\./ }], createdAt: Date })
  t.equal(emulator.requests.length, 0, 'control-plane calls are not recorded as runtime requests')
  t.ok(emulator.controlPlaneCalls() >= 5)
  await t.rejects(client(emulator.url, 'wrong-secret').send(new ListInferenceProfilesCommand({ maxResults: 2 })), { name: 'InvalidSignatureException' })
})

t.test('a configured account: its models, its application profiles, its failures', async (t) => {
  const opus55 = { anthropicId: 'claude-opus-5-5', baseId: 'anthropic.claude-opus-5-5', profiles: ['global', 'us'], onDemand: false, outputConfig: true, name: 'Claude Opus 5.5' }
  const emulator = await startEmulator({ account: { models: [opus55], applicationProfiles: [{ id: 'team-a-x1', name: 'team-a', baseId: opus55.baseId }] } })
  t.teardown(() => emulator.close())
  const bedrock = client(emulator.url)
  const profiles = (await bedrock.send(new ListInferenceProfilesCommand({}))).inferenceProfileSummaries ?? []
  t.same(profiles.map((p) => p.inferenceProfileId), ['global.anthropic.claude-opus-5-5', 'us.anthropic.claude-opus-5-5', 'team-a-x1'])
  t.match(profiles[2], { type: 'APPLICATION', inferenceProfileName: 'team-a', inferenceProfileArn: /application-inference-profile\/team-a-x1$/ })
  t.same((await bedrock.send(new ListInferenceProfilesCommand({ typeEquals: 'APPLICATION' }))).inferenceProfileSummaries?.length, 1)

  const failing = await startEmulator({ controlPlaneError: 'AccessDeniedException' })
  t.teardown(() => failing.close())
  await t.rejects(client(failing.url).send(new ListFoundationModelsCommand({})), { name: 'AccessDeniedException' })
  await t.rejects(client(emulator.url).send(new ListInferenceProfilesCommand({ nextToken: '!!' })), { name: 'ValidationException' })
})
