// Bedrock's body and model rules, table-driven, as pure functions and once through the real SDK.
import t from 'tap'
import { BedrockError } from '../../src/emulator/errors.js'
import { modelFor, MODELS } from '../../src/emulator/models.js'
import { startEmulator } from '../../src/emulator/server.js'
import { validateBody } from '../../src/emulator/validate.js'
import { body, client, countTokens, invoke } from '../helpers/emulator-sdk.js'

const sonnet45 = modelFor('us.anthropic.claude-sonnet-4-5-20250929-v1:0', 'invoke')
const opus48 = modelFor('global.anthropic.claude-opus-4-8', 'invoke')
const tool = { name: 'get_weather', input_schema: { type: 'object' } }

const messageOf = (b: unknown, model = sonnet45): string | undefined => {
  try {
    validateBody(b, { model })
    return undefined
  } catch (error) {
    if (!(error instanceof BedrockError)) throw error
    return error.message
  }
}

const REJECTED: Array<[string, unknown, RegExp]> = [
  ['not an object', [1, 2], /^Malformed input request, please reformat/],
  ['a string', 'hello', /^Malformed input request, please reformat/],
  ['missing anthropic_version', { ...body(), anthropic_version: undefined }, /required key \[anthropic_version\] not found/],
  ['wrong anthropic_version', body('x', { anthropic_version: 'vertex-2023-10-16' }), /anthropic_version/],
  ['model key', body('x', { model: 'claude' }), /extraneous key \[model\] is not permitted/],
  ['stream key', body('x', { stream: true }), /extraneous key \[stream\] is not permitted/],
  ['service_tier', body('x', { service_tier: 'auto' }), /extraneous key \[service_tier\]/],
  ['metadata extra key', body('x', { metadata: { user_id: 'u', session: 's' } }), /extraneous key \[metadata\.session\]/],
  ['unknown beta', body('x', { anthropic_beta: ['claude-code-20250219'] }), /^invalid beta flag$/],
  ['beta not an array', body('x', { anthropic_beta: 'context-1m-2025-08-07' }), /^invalid beta flag$/],
  ['context_management without beta', body('x', { context_management: { edits: [] } }), /extraneous key \[context_management\]/],
  ['output_config before 4.6', body('x', { output_config: { effort: 'high' } }), /extraneous key \[output_config\]/],
  ['max_tokens missing', { ...body(), max_tokens: undefined }, /^max_tokens: field required$/],
  ['max_tokens zero', body('x', { max_tokens: 0 }), /^max_tokens: /],
  ['max_tokens fractional', body('x', { max_tokens: 1.5 }), /^max_tokens: /],
  ['messages missing', { ...body(), messages: undefined }, /^messages: field required$/],
  ['messages empty', body('x', { messages: [] }), /^messages: /],
  ['system role inside messages', body('x', { messages: [{ role: 'user', content: 'a' }, { role: 'system', content: 'b' }] }), /^messages\.1\.role: /],
  ['content missing', body('x', { messages: [{ role: 'user' }] }), /^messages\.0\.content: field required$/],
  ['defer_loading without tool search', body('x', { tools: [tool, { ...tool, defer_loading: true }] }), /^tools\.1\.custom\.defer_loading: Extra inputs are not permitted$/],
  ['eager_input_streaming without tool search', body('x', { tools: [{ ...tool, eager_input_streaming: true }] }), /^tools\.0\.custom\.eager_input_streaming: /],
  ['cache_control.scope', body('x', { system: [{ type: 'text', text: 's', cache_control: { type: 'ephemeral', scope: 'global' } }] }), /^system\.0\.cache_control\.scope: Extra inputs are not permitted$/],
]

// JSON drops undefined keys, as the wire would: these bodies are compared after a round trip.
const wire = (b: unknown): unknown => JSON.parse(JSON.stringify(b))

t.test('rejected bodies, one rule each', async (t) => {
  for (const [name, b, expected] of REJECTED) t.match(messageOf(wire(b)), expected, name)
})

t.test('accepted bodies', async (t) => {
  const accepted: Array<[string, unknown, typeof sonnet45?]> = [
    ['minimal', body()],
    ['content blocks and every allowed key', body('x', {
      system: [{ type: 'text', text: 's', cache_control: { type: 'ephemeral' } }],
      stop_sequences: ['x'], temperature: 1, top_p: 0.9, top_k: 5, tools: [tool], tool_choice: { type: 'auto' },
      thinking: { type: 'enabled', budget_tokens: 1024 }, metadata: { user_id: 'u' },
      anthropic_beta: ['interleaved-thinking-2025-05-14', 'context-1m-2025-08-07'],
    })],
    ['context_management with its beta', body('x', { anthropic_beta: ['context-management-2025-06-27'], context_management: { edits: [] } })],
    ['output_config on Claude Opus 4.8', body('x', { output_config: { effort: 'high' } }), opus48],
    ['defer_loading with tool search', body('x', { anthropic_beta: ['tool-search-tool-2025-10-19'], tools: [{ ...tool, defer_loading: true }] })],
  ]
  for (const [name, b, model] of accepted) t.equal(messageOf(wire(b), model), undefined, name)
})

t.test('model ids', async (t) => {
  const modelError = (id: string, op: 'invoke' | 'count'): string | undefined => {
    try {
      modelFor(id, op)
      return undefined
    } catch (error) {
      return (error as Error).message
    }
  }
  const invalid = /^The provided model identifier is invalid\.$/
  const onDemand = /^Invocation of model ID .+ with on-demand throughput isn't supported\. Retry your request with the ID or ARN of an inference profile that contains this model\.$/
  const cases: Array<[string, 'invoke' | 'count', RegExp | undefined]> = [
    ['us.anthropic.claude-sonnet-4-5-20250929-v1:0', 'invoke', undefined],
    ['global.anthropic.claude-opus-4-7', 'invoke', undefined],
    ['apac.anthropic.claude-opus-4-6-v1', 'invoke', undefined],
    ['au.anthropic.claude-opus-4-6-v1', 'invoke', invalid],
    ['global.anthropic.claude-opus-4-1-20250805-v1:0', 'invoke', invalid],
    ['anthropic.claude-sonnet-4-5-20250929-v1:0', 'invoke', onDemand],
    ['anthropic.claude-3-7-sonnet-20250219-v1:0', 'invoke', onDemand],
    ['anthropic.claude-3-5-haiku-20241022-v1:0', 'invoke', undefined],
    ['anthropic.claude-3-haiku-20240307-v1:0', 'invoke', undefined],
    ['claude-sonnet-4-5-20250929', 'invoke', invalid],
    ['us.anthropic.claude-sonnet-4-5', 'invoke', invalid],
    ['anthropic.claude-sonnet-4-5-20250929-v1:0', 'count', undefined],
    ['us.anthropic.claude-sonnet-4-5-20250929-v1:0', 'count', invalid],
    ['arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-sonnet-4-6', 'invoke', undefined],
    ['arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-sonnet-4-6', 'count', invalid],
    ['arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-haiku-4-5-20251001-v1:0', 'count', undefined],
    ['arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-haiku-4-5-20251001-v1:0', 'invoke', onDemand],
    ['arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123', 'invoke', undefined],
  ]
  for (const [id, op, expected] of cases) {
    const message = modelError(id, op)
    if (expected) t.match(message, expected, `${op} ${id} refused`)
    else t.equal(message, undefined, `${op} ${id} accepted`)
  }
  t.equal(modelFor('arn:aws:bedrock:us-east-1:1:application-inference-profile/x', 'invoke').anthropicId, 'claude-sonnet-4-5-20250929')
  t.equal(MODELS.length, 15)
})

t.test('the rules reach the SDK as ValidationException', async (t) => {
  const emulator = await startEmulator()
  t.teardown(() => emulator.close())
  const c = client(emulator)
  t.teardown(() => c.destroy())
  await t.rejects(invoke(c, body('x', { stream: true })), { name: 'ValidationException', message: /extraneous key \[stream\]/, $metadata: { httpStatusCode: 400 } })
  await t.rejects(invoke(c, body(), 'anthropic.claude-opus-4-20250514-v1:0'), { name: 'ValidationException', message: /on-demand throughput/ })
  await t.rejects(countTokens(c, body(), 'us.anthropic.claude-sonnet-4-5-20250929-v1:0'), { name: 'ValidationException', message: /model identifier is invalid/ })
  await t.rejects(countTokens(c, body('x', { anthropic_beta: ['oauth-2025-04-20'] })), { message: 'invalid beta flag' })
  t.equal(emulator.requests.length, 4)
  t.ok(emulator.requests.every((r) => r.status === 400))
})
