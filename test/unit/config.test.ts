import t from 'tap'
import { ConfigError, geoForRegion, loadConfig } from '../../src/config.js'

const base = { AWS_REGION: 'us-east-1', BEARER_TOKEN: 'a-token-of-sixteen-chars' }

t.test('defaults follow DESIGN section 2', async (t) => {
  const config = loadConfig(base)
  t.equal(config.port, 8080)
  t.equal(config.host, '0.0.0.0')
  t.same(config.auth, { disabled: false, tokens: ['a-token-of-sixteen-chars'], secretArn: undefined, secretRefreshMs: 300000, secretsEndpoint: undefined })
  t.equal(config.bedrock.region, 'us-east-1')
  t.equal(config.bedrock.inferenceGeo, 'us')
  t.equal(config.bedrock.endpoint, undefined)
  t.equal(config.bedrock.apiKey, undefined)
  t.equal(config.bedrock.client, 'direct')
  t.equal(config.corsOrigins, true)
  t.equal(config.bodyLimitBytes, 32 * 1024 * 1024)
  t.equal(config.pingIntervalMs, 15000)
  t.equal(config.logLevel, 'info')
  t.equal(config.shutdownGraceMs, 25000)
  t.equal(config.keepAliveTimeoutMs, 620000)
  t.equal(config.upstreamIdleTimeoutMs, 600000)
  t.same(config.modelMap, {})
})

t.test('the config is deeply frozen', async (t) => {
  const config = loadConfig({ ...base, MODEL_MAP: '{"opus":"claude-opus-4-8"}' })
  t.ok(Object.isFrozen(config))
  t.ok(Object.isFrozen(config.bedrock))
  t.ok(Object.isFrozen(config.modelMap))
  t.ok(Object.isFrozen(config.auth.tokens))
})

t.test('every variable is read', async (t) => {
  const config = loadConfig({
    PORT: '9000',
    HOST: '127.0.0.1',
    BEARER_TOKEN: 'first-token-0123456789',
    BEARER_TOKENS: 'second-token-0123456789, third-token-0123456789',
    AWS_REGION: 'eu-west-1',
    AWS_ENDPOINT_URL_BEDROCK_RUNTIME: 'http://127.0.0.1:4010',
    AWS_BEARER_TOKEN_BEDROCK: 'bedrock-api-key',
    BEDROCK_INFERENCE_PROFILE: 'global',
    BEDROCK_CLIENT: 'sdk',
    MODEL_MAP: '{"fast":"us.anthropic.claude-haiku-4-5-20251001-v1:0"}',
    CORS_ORIGINS: 'https://a.example.com, http://localhost:3000',
    BODY_LIMIT_MB: '8',
    PING_INTERVAL_MS: '0',
    SHUTDOWN_GRACE_MS: '2000',
    KEEP_ALIVE_TIMEOUT_MS: '65000',
    UPSTREAM_IDLE_TIMEOUT_MS: '0',
    LOG_LEVEL: 'debug'
  })
  t.equal(config.port, 9000)
  t.equal(config.host, '127.0.0.1')
  t.same(config.auth.tokens, ['first-token-0123456789', 'second-token-0123456789', 'third-token-0123456789'])
  t.equal(config.bedrock.region, 'eu-west-1')
  t.equal(config.bedrock.endpoint, 'http://127.0.0.1:4010')
  t.equal(config.bedrock.apiKey, 'bedrock-api-key')
  t.equal(config.bedrock.inferenceGeo, 'global')
  t.equal(config.bedrock.client, 'sdk')
  t.same(config.modelMap, { fast: 'us.anthropic.claude-haiku-4-5-20251001-v1:0' })
  t.same(config.corsOrigins, ['https://a.example.com', 'http://localhost:3000'])
  t.equal(config.bodyLimitBytes, 8 * 1024 * 1024)
  t.equal(config.pingIntervalMs, 0)
  t.equal(config.logLevel, 'debug')
  t.equal(config.shutdownGraceMs, 2000)
  t.equal(config.keepAliveTimeoutMs, 65000)
  t.equal(config.upstreamIdleTimeoutMs, 0)
})

t.test('AUTH_DISABLED allows no token; without it a token is required', async (t) => {
  t.match(loadConfig({ AWS_REGION: 'us-east-1', AUTH_DISABLED: 'true' }).auth, { disabled: true, tokens: [] })
  t.throws(() => loadConfig({ AWS_REGION: 'us-east-1' }), { name: 'ConfigError', message: /^BEARER_TOKEN: / })
  t.throws(() => loadConfig({ AWS_REGION: 'us-east-1', AUTH_DISABLED: 'false' }), { name: 'ConfigError', message: /^BEARER_TOKEN: / })
})

const bad: Array<[string, Record<string, string>]> = [
  ['AWS_REGION', { AWS_REGION: '' }],
  ['AWS_REGION', { AWS_REGION: 'moon-base-1; rm' }],
  ['PORT', { PORT: 'eighty' }],
  ['PORT', { PORT: '70000' }],
  ['AUTH_DISABLED', { AUTH_DISABLED: 'yes please' }],
  ['BEARER_TOKEN', { BEARER_TOKEN: 'short' }],
  ['BEARER_TOKEN', { BEARER_TOKEN: 'has a space in the middle' }],
  ['BEDROCK_INFERENCE_PROFILE', { BEDROCK_INFERENCE_PROFILE: 'mars' }],
  ['MODEL_MAP', { MODEL_MAP: '{not json' }],
  ['MODEL_MAP', { MODEL_MAP: '["a"]' }],
  ['MODEL_MAP', { MODEL_MAP: '{"a": 3}' }],
  ['CORS_ORIGINS', { CORS_ORIGINS: 'example.com' }],
  ['BODY_LIMIT_MB', { BODY_LIMIT_MB: '0' }],
  ['PING_INTERVAL_MS', { PING_INTERVAL_MS: '-1' }],
  ['LOG_LEVEL', { LOG_LEVEL: 'loud' }],
  ['BEDROCK_CLIENT', { BEDROCK_CLIENT: 'curl' }],
  ['SHUTDOWN_GRACE_MS', { SHUTDOWN_GRACE_MS: '1.5' }],
  ['KEEP_ALIVE_TIMEOUT_MS', { KEEP_ALIVE_TIMEOUT_MS: '10' }],
  ['UPSTREAM_IDLE_TIMEOUT_MS', { UPSTREAM_IDLE_TIMEOUT_MS: 'soon' }],
  ['AWS_ENDPOINT_URL_BEDROCK_RUNTIME', { AWS_ENDPOINT_URL_BEDROCK_RUNTIME: 'ftp://x' }]
]
for (const [variable, env] of bad) {
  t.test(`a bad ${variable} stops start-up naming it`, async (t) => {
    const error = t.throws(() => loadConfig({ ...base, ...env })) as ConfigError
    t.equal(error.variable, variable)
    t.match(error.message, new RegExp(`^${variable}: `))
  })
}

t.test('AWS_DEFAULT_REGION is the fallback region', async (t) => {
  t.equal(loadConfig({ BEARER_TOKEN: base.BEARER_TOKEN, AWS_DEFAULT_REGION: 'ap-northeast-1' }).bedrock.region, 'ap-northeast-1')
})

t.test('geography from region', async (t) => {
  const table: Array<[string, string]> = [
    ['us-east-1', 'us'], ['us-west-2', 'us'], ['ca-central-1', 'us'], ['eu-central-1', 'eu'], ['eu-west-3', 'eu'],
    ['ap-northeast-1', 'jp'], ['ap-northeast-3', 'jp'], ['ap-southeast-2', 'au'], ['ap-southeast-4', 'au'],
    ['ap-south-1', 'apac'], ['ap-northeast-2', 'apac'], ['me-central-1', 'global'], ['il-central-1', 'global']
  ]
  for (const [region, geo] of table) t.equal(geoForRegion(region), geo, region)
})
