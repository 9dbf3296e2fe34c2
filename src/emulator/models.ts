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
}

function model(anthropicId: string, baseId: string, profiles: string, onDemand = false, outputConfig = false): ModelInfo {
  return { anthropicId, baseId, profiles: profiles.split(' '), onDemand, outputConfig }
}

export const MODELS: readonly ModelInfo[] = [
  model('claude-opus-4-8', 'anthropic.claude-opus-4-8', 'global us eu', false, true),
  model('claude-opus-4-7', 'anthropic.claude-opus-4-7', 'global us eu', false, true),
  model('claude-sonnet-5', 'anthropic.claude-sonnet-5', 'global us eu', false, true),
  model('claude-opus-4-6', 'anthropic.claude-opus-4-6-v1', 'global us eu jp apac', false, true),
  model('claude-sonnet-4-6', 'anthropic.claude-sonnet-4-6', 'global us eu jp au', false, true),
  model('claude-sonnet-4-5-20250929', 'anthropic.claude-sonnet-4-5-20250929-v1:0', 'global us eu jp au'),
  model('claude-opus-4-5-20251101', 'anthropic.claude-opus-4-5-20251101-v1:0', 'global us eu'),
  model('claude-haiku-4-5-20251001', 'anthropic.claude-haiku-4-5-20251001-v1:0', 'global us eu jp au'),
  model('claude-opus-4-1-20250805', 'anthropic.claude-opus-4-1-20250805-v1:0', 'us'),
  model('claude-opus-4-20250514', 'anthropic.claude-opus-4-20250514-v1:0', 'us'),
  model('claude-sonnet-4-20250514', 'anthropic.claude-sonnet-4-20250514-v1:0', 'global us eu apac'),
  model('claude-3-7-sonnet-20250219', 'anthropic.claude-3-7-sonnet-20250219-v1:0', 'us eu apac'),
  model('claude-3-5-haiku-20241022', 'anthropic.claude-3-5-haiku-20241022-v1:0', 'us', true),
  model('claude-3-5-sonnet-20241022', 'anthropic.claude-3-5-sonnet-20241022-v2:0', 'us apac', true),
  model('claude-3-haiku-20240307', 'anthropic.claude-3-haiku-20240307-v1:0', 'us eu apac', true),
]

const BY_BASE_ID = new Map(MODELS.map((m) => [m.baseId, m]))
const GEO_PREFIXES = ['global', 'us', 'eu', 'apac', 'jp', 'au']
/** What an application inference profile stands for here (its target cannot be known from the ARN). */
const APPLICATION_PROFILE_MODEL = 'anthropic.claude-sonnet-4-5-20250929-v1:0'

const ARN = /^arn:aws[a-z-]*:bedrock:[a-z0-9-]+:(\d*):(inference-profile|foundation-model|application-inference-profile)\/(.+)$/

export interface ResolvedModel {
  model: ModelInfo
  /** 'base' for a foundation-model id or ARN, 'profile' for any inference profile. */
  via: 'base' | 'profile'
}

function lookupProfile(profileId: string): ModelInfo | undefined {
  const dot = profileId.indexOf('.')
  const geo = profileId.slice(0, dot)
  const found = BY_BASE_ID.get(profileId.slice(dot + 1))
  return dot > 0 && found && found.profiles.includes(geo) ? found : undefined
}

/** Resolves a percent-decoded model id; undefined when the account has no such model. */
export function resolveModelId(modelId: string): ResolvedModel | undefined {
  const arn = ARN.exec(modelId)
  if (arn) {
    const [, account, kind, resource] = arn as unknown as [string, string, string, string]
    if (kind === 'foundation-model') {
      const found = account === '' ? BY_BASE_ID.get(resource) : undefined
      return found && { model: found, via: 'base' }
    }
    if (account === '') return undefined
    if (kind === 'application-inference-profile') {
      return { model: BY_BASE_ID.get(APPLICATION_PROFILE_MODEL) as ModelInfo, via: 'profile' }
    }
    const found = lookupProfile(resource)
    return found && { model: found, via: 'profile' }
  }
  const base = BY_BASE_ID.get(modelId)
  if (base) return { model: base, via: 'base' }
  if (GEO_PREFIXES.some((geo) => modelId.startsWith(`${geo}.`))) {
    const found = lookupProfile(modelId)
    return found && { model: found, via: 'profile' }
  }
  return undefined
}

export type ModelOperation = 'invoke' | 'count'

/** Applies Bedrock's model rules for an operation; throws the ValidationException Bedrock answers. */
export function modelFor(modelId: string, operation: ModelOperation): ModelInfo {
  const resolved = resolveModelId(modelId)
  if (!resolved) throw validationError(INVALID_MODEL_ID)
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
