/**
 * Configuration: read from the environment once, validated, frozen. Nothing
 * else in the process reads `process.env`; tests build a Config directly.
 */
import { tokenProblem } from './auth/tokens.js'

export const INFERENCE_GEOS = ['us', 'eu', 'apac', 'jp', 'au', 'global'] as const
export type InferenceGeo = (typeof INFERENCE_GEOS)[number]

export interface Config {
  readonly port: number
  readonly host: string
  readonly auth: {
    readonly disabled: boolean
    readonly tokens: readonly string[]
    /** `BEARER_TOKEN_SECRET_ARN`: a Secrets Manager secret holding one token or a JSON list. */
    readonly secretArn: string | undefined
    readonly secretRefreshMs: number
    /** `AWS_ENDPOINT_URL_SECRETS_MANAGER`, as the AWS SDK names it. */
    readonly secretsEndpoint: string | undefined
  }
  readonly bedrock: {
    readonly region: string
    /** `AWS_ENDPOINT_URL_BEDROCK_RUNTIME`: the emulator, a VPC endpoint, or unset for AWS. */
    readonly endpoint: string | undefined
    /** `AWS_BEARER_TOKEN_BEDROCK`: a Bedrock API key used instead of SigV4. */
    readonly apiKey: string | undefined
    readonly inferenceGeo: InferenceGeo
    /** Kept low on purpose: clients retry with our retry-after; SDK retries would multiply throttling. */
    readonly maxAttempts: number
    /** `AWS_ENDPOINT_URL_BEDROCK`: the control plane (model discovery), as the AWS SDK names it. */
    readonly controlPlaneEndpoint: string | undefined
    /**
     * `BEDROCK_CLIENT`: `direct` (undici with the SDK's signer, credential chain and codec; the
     * default, several times cheaper per call) or `sdk` (the AWS SDK client, the reference).
     */
    readonly client: 'direct' | 'sdk'
  }
  readonly discovery: {
    /** Learn the account's models from Bedrock (ListInferenceProfiles, ListFoundationModels). */
    readonly enabled: boolean
    /** How often to look again; 0 looks once, at start. */
    readonly intervalMs: number
  }
  readonly modelMap: Readonly<Record<string, string>>
  /** `true` allows any origin. */
  readonly corsOrigins: true | readonly string[]
  readonly bodyLimitBytes: number
  readonly pingIntervalMs: number
  /** How long Bedrock may stay silent (before its answer, or between stream events) before the call is abandoned. */
  readonly upstreamIdleTimeoutMs: number
  readonly shutdownGraceMs: number
  /** Above the load balancer's idle timeout, so it never reuses a connection the proxy just closed. */
  readonly keepAliveTimeoutMs: number
  readonly logLevel: string
}

export class ConfigError extends Error {
  readonly variable: string
  constructor (variable: string, problem: string) {
    super(`${variable}: ${problem}`)
    this.name = 'ConfigError'
    this.variable = variable
  }
}

type Env = Readonly<Record<string, string | undefined>>

const LOG_LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])

/**
 * Bedrock's geographic inference profile prefix for a region. Tokyo and Osaka
 * have `jp`, Sydney and Melbourne `au`; other Asia-Pacific regions share `apac`.
 * Regions without a geography of their own fall back to `global`.
 */
export function geoForRegion (region: string): InferenceGeo {
  if (/^(us|ca|sa)-/.test(region)) return 'us'
  if (/^eu-/.test(region)) return 'eu'
  if (region === 'ap-northeast-1' || region === 'ap-northeast-3') return 'jp'
  if (region === 'ap-southeast-2' || region === 'ap-southeast-4') return 'au'
  if (/^ap-/.test(region)) return 'apac'
  return 'global'
}

function text (env: Env, name: string): string | undefined {
  const value = env[name]?.trim()
  return value === undefined || value === '' ? undefined : value
}

function integer (env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = text(env, name)
  if (raw === undefined) return fallback
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new ConfigError(name, `expected an integer from ${min} to ${max}, got "${raw}"`)
  }
  return Number(raw)
}

function boolean (env: Env, name: string, fallback = false): boolean {
  const raw = text(env, name)?.toLowerCase()
  if (raw === undefined) return fallback
  if (raw === 'false' || raw === '0') return false
  if (raw === 'true' || raw === '1') return true
  throw new ConfigError(name, `expected true or false, got "${raw}"`)
}

function list (raw: string | undefined): string[] {
  return raw === undefined ? [] : raw.split(',').map((item) => item.trim()).filter(Boolean)
}

function parseTokens (env: Env): string[] {
  const tokens = [...list(text(env, 'BEARER_TOKEN')), ...list(text(env, 'BEARER_TOKENS'))]
  for (const token of tokens) {
    const problem = tokenProblem(token)
    if (problem !== undefined) throw new ConfigError('BEARER_TOKEN', problem)
  }
  return [...new Set(tokens)]
}

function parseSecretArn (env: Env): string | undefined {
  const arn = text(env, 'BEARER_TOKEN_SECRET_ARN')
  if (arn !== undefined && !/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@-]+$/.test(arn)) {
    throw new ConfigError('BEARER_TOKEN_SECRET_ARN', `"${arn}" is not a Secrets Manager secret ARN`)
  }
  return arn
}

function parseModelMap (env: Env): Record<string, string> {
  const raw = text(env, 'MODEL_MAP')
  if (raw === undefined) return {}
  let parsed: unknown
  try {
    parsed = JSON.parse(raw)
  } catch {
    throw new ConfigError('MODEL_MAP', 'not valid JSON; expected an object such as {"opus":"us.anthropic.claude-opus-4-8"}')
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError('MODEL_MAP', 'expected a JSON object of alias -> Bedrock model id or ARN')
  }
  const map: Record<string, string> = {}
  for (const [alias, target] of Object.entries(parsed)) {
    if (typeof target !== 'string' || target.trim() === '') {
      throw new ConfigError('MODEL_MAP', `the value for "${alias}" must be a non-empty string`)
    }
    map[alias] = target.trim()
  }
  return map
}

function parseCors (env: Env): true | string[] {
  const origins = list(text(env, 'CORS_ORIGINS') ?? '*')
  if (origins.includes('*')) return true
  for (const origin of origins) {
    if (!/^https?:\/\/[^/\s]+$/.test(origin)) {
      throw new ConfigError('CORS_ORIGINS', `"${origin}" is not an origin such as https://app.example.com`)
    }
  }
  return origins
}

function parseClient (env: Env): 'direct' | 'sdk' {
  const raw = text(env, 'BEDROCK_CLIENT')?.toLowerCase() ?? 'direct'
  if (raw !== 'direct' && raw !== 'sdk') throw new ConfigError('BEDROCK_CLIENT', `expected direct or sdk, got "${raw}"`)
  return raw
}

function parseGeo (env: Env, region: string): InferenceGeo {
  const raw = text(env, 'BEDROCK_INFERENCE_PROFILE')?.toLowerCase()
  if (raw === undefined) return geoForRegion(region)
  if (!(INFERENCE_GEOS as readonly string[]).includes(raw)) {
    throw new ConfigError('BEDROCK_INFERENCE_PROFILE', `expected one of ${INFERENCE_GEOS.join(', ')}, got "${raw}"`)
  }
  return raw as InferenceGeo
}

function parseEndpoint (env: Env, name: string): string | undefined {
  const raw = text(env, name)
  if (raw === undefined) return undefined
  try {
    const url = new URL(raw)
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('protocol')
  } catch {
    throw new ConfigError(name, `"${raw}" is not an http(s) URL`)
  }
  return raw
}

/** Parses and validates the environment; throws a ConfigError naming the variable. */
export function loadConfig (env: Env): Config {
  const region = text(env, 'AWS_REGION') ?? text(env, 'AWS_DEFAULT_REGION')
  if (region === undefined) throw new ConfigError('AWS_REGION', 'required: the Bedrock region, for example us-east-1')
  if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) throw new ConfigError('AWS_REGION', `"${region}" is not an AWS region`)

  const disabled = boolean(env, 'AUTH_DISABLED')
  const tokens = parseTokens(env)
  const secretArn = parseSecretArn(env)
  if (!disabled && tokens.length === 0 && secretArn === undefined) {
    throw new ConfigError('BEARER_TOKEN', 'set BEARER_TOKEN, BEARER_TOKENS or BEARER_TOKEN_SECRET_ARN (or AUTH_DISABLED=true to run without auth)')
  }

  const logLevel = text(env, 'LOG_LEVEL') ?? 'info'
  if (!LOG_LEVELS.has(logLevel)) throw new ConfigError('LOG_LEVEL', `expected one of ${[...LOG_LEVELS].join(', ')}`)

  return deepFreeze({
    port: integer(env, 'PORT', 8080, 0, 65535),
    host: text(env, 'HOST') ?? '0.0.0.0',
    auth: {
      disabled,
      tokens,
      secretArn,
      secretRefreshMs: integer(env, 'BEARER_TOKEN_SECRET_REFRESH_MS', 300_000, 0, 86_400_000),
      secretsEndpoint: parseEndpoint(env, 'AWS_ENDPOINT_URL_SECRETS_MANAGER')
    },
    bedrock: {
      region,
      endpoint: parseEndpoint(env, 'AWS_ENDPOINT_URL_BEDROCK_RUNTIME'),
      apiKey: text(env, 'AWS_BEARER_TOKEN_BEDROCK'),
      inferenceGeo: parseGeo(env, region),
      maxAttempts: 2,
      controlPlaneEndpoint: parseEndpoint(env, 'AWS_ENDPOINT_URL_BEDROCK'),
      client: parseClient(env)
    },
    discovery: {
      enabled: boolean(env, 'MODEL_DISCOVERY', true),
      intervalMs: integer(env, 'MODEL_DISCOVERY_INTERVAL_MS', 3_600_000, 0, 86_400_000)
    },
    modelMap: parseModelMap(env),
    corsOrigins: parseCors(env),
    bodyLimitBytes: integer(env, 'BODY_LIMIT_MB', 32, 1, 1024) * 1024 * 1024,
    pingIntervalMs: integer(env, 'PING_INTERVAL_MS', 15000, 0, 3_600_000),
    upstreamIdleTimeoutMs: integer(env, 'UPSTREAM_IDLE_TIMEOUT_MS', 600_000, 0, 3_600_000),
    shutdownGraceMs: integer(env, 'SHUTDOWN_GRACE_MS', 25000, 0, 3_600_000),
    keepAliveTimeoutMs: integer(env, 'KEEP_ALIVE_TIMEOUT_MS', 620_000, 1000, 3_600_000),
    logLevel
  })
}

function deepFreeze<T> (value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child)
    Object.freeze(value)
  }
  return value
}
