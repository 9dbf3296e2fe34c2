// The Claude models the emulated account can use (DESIGN.md section 3), and how Bedrock resolves a
// model id from the request path: base ids, geo inference profiles and the three ARN forms.
import { BedrockError, INVALID_MODEL_ID, validationError } from './errors.js'

export interface ModelInfo {
  /** The Anthropic name Bedrock reports in `message.model`, e.g. claude-sonnet-4-5-20250929. */
  anthropicId: string
  /** The foundation-model id, e.g. anthropic.claude-sonnet-4-5-20250929-v1:0. */
  baseId: string
  /** Geo prefixes with a cross-region inference profile (`{geo}.{baseId}`). */
  profiles: readonly string[]
  /** Whether the base id itself can be invoked (only Claude 3 Haiku and 3.5 can). */
  onDemand: boolean
  /** Claude 4.6 and newer accept `output_config`. */
  outputConfig: boolean
  /** The name ListFoundationModels reports, e.g. "Claude Sonnet 4.5". */
  name: string
  /** Listed but not granted to this account: invocations get AccessDeniedException. Default true. */
  invokable?: boolean
}

/** An application inference profile of the account (per-team cost tracking): an id and the model it routes to. */
export interface ApplicationProfile {
  id: string
  name: string
  baseId: string
}

/** What the emulated account has: its models, and its application inference profiles. */
export interface Account {
  models: readonly ModelInfo[]
  applicationProfiles?: readonly ApplicationProfile[]
}

function model(anthropicId: string, baseId: string, profiles: string, name: string, onDemand = false, outputConfig = false): ModelInfo {
  return { anthropicId, baseId, profiles: profiles.split(' '), onDemand, outputConfig, name }
}

export const MODELS: readonly ModelInfo[] = [
  model('claude-opus-4-8', 'anthropic.claude-opus-4-8', 'global us eu', 'Claude Opus 4.8', false, true),
  model('claude-opus-4-7', 'anthropic.claude-opus-4-7', 'global us eu', 'Claude Opus 4.7', false, true),
  model('claude-sonnet-5', 'anthropic.claude-sonnet-5', 'global us eu', 'Claude Sonnet 5', false, true),
  model('claude-opus-4-6', 'anthropic.claude-opus-4-6-v1', 'global us eu jp apac', 'Claude Opus 4.6', false, true),
  model('claude-sonnet-4-6', 'anthropic.claude-sonnet-4-6', 'global us eu jp au', 'Claude Sonnet 4.6', false, true),
  model('claude-sonnet-4-5-20250929', 'anthropic.claude-sonnet-4-5-20250929-v1:0', 'global us eu jp au', 'Claude Sonnet 4.5'),
  model('claude-opus-4-5-20251101', 'anthropic.claude-opus-4-5-20251101-v1:0', 'global us eu', 'Claude Opus 4.5'),
  model('claude-haiku-4-5-20251001', 'anthropic.claude-haiku-4-5-20251001-v1:0', 'global us eu jp au', 'Claude Haiku 4.5'),
  model('claude-opus-4-1-20250805', 'anthropic.claude-opus-4-1-20250805-v1:0', 'us', 'Claude Opus 4.1'),
  model('claude-opus-4-20250514', 'anthropic.claude-opus-4-20250514-v1:0', 'us', 'Claude Opus 4'),
  model('claude-sonnet-4-20250514', 'anthropic.claude-sonnet-4-20250514-v1:0', 'global us eu apac', 'Claude Sonnet 4'),
  model('claude-3-7-sonnet-20250219', 'anthropic.claude-3-7-sonnet-20250219-v1:0', 'us eu apac', 'Claude 3.7 Sonnet'),
  model('claude-3-5-haiku-20241022', 'anthropic.claude-3-5-haiku-20241022-v1:0', 'us', 'Claude 3.5 Haiku', true),
  model('claude-3-5-sonnet-20241022', 'anthropic.claude-3-5-sonnet-20241022-v2:0', 'us apac', 'Claude 3.5 Sonnet v2', true),
  model('claude-3-haiku-20240307', 'anthropic.claude-3-haiku-20240307-v1:0', 'us eu apac', 'Claude 3 Haiku', true),
]

export const DEFAULT_ACCOUNT: Account = { models: MODELS }

const GEO_PREFIXES = ['global', 'us', 'eu', 'apac', 'jp', 'au']

const ARN = /^arn:aws[a-z-]*:bedrock:[a-z0-9-]+:(\d*):(inference-profile|foundation-model|application-inference-profile)\/(.+)$/

export interface ResolvedModel {
  model: ModelInfo
  /** 'base' for a foundation-model id or ARN, 'profile' for any inference profile. */
  via: 'base' | 'profile'
}

function lookupProfile(account: Account, profileId: string): ModelInfo | undefined {
  const dot = profileId.indexOf('.')
  const geo = profileId.slice(0, dot)
  const found = account.models.find((m) => m.baseId === profileId.slice(dot + 1))
  return dot > 0 && found && found.profiles.includes(geo) ? found : undefined
}

/** Resolves a percent-decoded model id; undefined when the account has no such model. */
export function resolveModelId(modelId: string, account: Account = DEFAULT_ACCOUNT): ResolvedModel | undefined {
  const byBaseId = (baseId: string): ModelInfo | undefined => account.models.find((m) => m.baseId === baseId)
  const arn = ARN.exec(modelId)
  if (arn) {
    const [, accountId, kind, resource] = arn as unknown as [string, string, string, string]
    if (kind === 'foundation-model') {
      const found = accountId === '' ? byBaseId(resource) : undefined
      return found && { model: found, via: 'base' }
    }
    if (accountId === '') return undefined
    if (kind === 'application-inference-profile') {
      // Without configured application profiles, any id stands for Claude Sonnet 4.5.
      const profiles = account.applicationProfiles
      const target = profiles === undefined ? 'anthropic.claude-sonnet-4-5-20250929-v1:0' : profiles.find((p) => p.id === resource)?.baseId
      const found = target === undefined ? undefined : byBaseId(target)
      return found && { model: found, via: 'profile' }
    }
    const found = lookupProfile(account, resource)
    return found && { model: found, via: 'profile' }
  }
  const base = byBaseId(modelId)
  if (base) return { model: base, via: 'base' }
  if (GEO_PREFIXES.some((geo) => modelId.startsWith(`${geo}.`))) {
    const found = lookupProfile(account, modelId)
    return found && { model: found, via: 'profile' }
  }
  return undefined
}

export type ModelOperation = 'invoke' | 'count'

/** Applies Bedrock's model rules for an operation; throws the ValidationException Bedrock answers. */
export function modelFor(modelId: string, operation: ModelOperation, account: Account = DEFAULT_ACCOUNT): ModelInfo {
  const resolved = resolveModelId(modelId, account)
  if (!resolved) throw validationError(INVALID_MODEL_ID)
  if (resolved.model.invokable === false) {
    throw new BedrockError('AccessDeniedException', "You don't have access to the model with the specified model ID.")
  }
  // CountTokens is only served for the bare foundation model.
  if (operation === 'count' && resolved.via === 'profile') throw validationError(INVALID_MODEL_ID)
  if (operation === 'invoke' && resolved.via === 'base' && !resolved.model.onDemand) {
    throw onDemandError(modelId)
  }
  return resolved.model
}

function onDemandError(modelId: string): BedrockError {
  return validationError(
    `Invocation of model ID ${modelId} with on-demand throughput isn't supported. ` +
      'Retry your request with the ID or ARN of an inference profile that contains this model.',
  )
}
