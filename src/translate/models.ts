/**
 * Model names to Bedrock model ids (DESIGN section 3). Resolution is by exact
 * match only: a name either is in the catalogue, an alias, a MODEL_MAP key, a
 * Bedrock id or an ARN, or it is refused. Nothing routes silently to another
 * model.
 */
import { ConfigError, type InferenceGeo } from '../config.js'
import { invalidRequest } from '../errors.js'
import type { ModelInfo } from '../types.js'
import { capabilitiesFor, parseModelVersion, type Capabilities } from './capabilities.js'
import { CATALOGUE, type CatalogueModel } from './catalogue.js'
import { closestNames } from './suggest.js'

export interface ResolvedModel {
  /** The name as the client sent it (for logs). */
  readonly requested: string
  /** What InvokeModel is called with: an inference profile id, a base id or an ARN. */
  readonly bedrockModelId: string
  /** CountTokens refuses profile ids: it needs the bare base id. */
  readonly countTokensModelId: string
  readonly capabilities: Capabilities
  /** The client asked for the 1M-token context window with a `[1m]` suffix. */
  readonly oneMillionContext: boolean
}

type Target = Omit<ResolvedModel, 'requested' | 'oneMillionContext'>

const GEO_PREFIX = '(?:us|eu|apac|jp|au|global|us-gov|ca)\\.'
const BEDROCK_ID = new RegExp(`^(${GEO_PREFIX})?(anthropic\\.[a-z0-9][a-z0-9.:-]{0,127})$`)
const ARN = /^arn:aws[a-z-]*:bedrock:[a-z0-9-]+:\d{0,12}:(foundation-model|inference-profile|application-inference-profile)\/([A-Za-z0-9.:_-]{1,200})$/
const ONE_MILLION_SUFFIX = /\[1m\]$/i

/**
 * A Bedrock model id or ARN given by the client or MODEL_MAP, used as it is.
 * An application inference profile the account listed is known by the model
 * it routes to, for its capabilities and for CountTokens.
 */
export function passThroughTarget (id: string, applicationProfiles: ReadonlyMap<string, string> = new Map()): Target | undefined {
  const bare = BEDROCK_ID.exec(id)
  if (bare !== null) return { bedrockModelId: id, countTokensModelId: bare[2]!, capabilities: capabilitiesFor(id) }
  const arn = ARN.exec(id)
  if (arn === null) return undefined
  const [, kind, resource] = arn as unknown as [string, string, string]
  const routedTo = applicationProfiles.get(id)
  if (routedTo !== undefined) return { bedrockModelId: id, countTokensModelId: routedTo, capabilities: capabilitiesFor(routedTo) }
  const baseFromProfile = BEDROCK_ID.exec(resource)?.[2]
  const countTokensModelId = kind === 'foundation-model' ? resource : baseFromProfile ?? id
  return { bedrockModelId: id, countTokensModelId, capabilities: capabilitiesFor(resource) }
}

/**
 * The id to invoke for a catalogue model: the configured geography's profile,
 * then `global`, then the base id where the model still has on-demand throughput.
 */
export function catalogueTarget (model: CatalogueModel, geo: InferenceGeo): Target | string {
  const profileGeo = [geo, 'global' as const].find((candidate) => model.profiles.includes(candidate))
  const capabilities = capabilitiesFor(model.id)
  if (profileGeo !== undefined) {
    return { bedrockModelId: `${profileGeo}.${model.baseId}`, countTokensModelId: model.baseId, capabilities }
  }
  if (model.onDemand) return { bedrockModelId: model.baseId, countTokensModelId: model.baseId, capabilities }
  return `${model.id} has no inference profile for the "${geo}" geography (it has: ${model.profiles.join(', ')}). ` +
    'Set BEDROCK_INFERENCE_PROFILE or map the name in MODEL_MAP.'
}

export interface ResolverOptions {
  readonly geo: InferenceGeo
  readonly modelMap: Readonly<Record<string, string>>
  /** The models on offer: the built-in table, or what discovery found in the account. */
  readonly catalogue?: readonly CatalogueModel[]
  /** Application inference profile ARN -> base id of its model, from discovery. */
  readonly applicationProfiles?: ReadonlyMap<string, string>
  /**
   * At start a MODEL_MAP target that names nothing is a configuration error;
   * after discovery it is a model the account lacks, explained per request.
   */
  readonly unknownMapTarget?: 'config-error' | 'explain'
}

const TIERS = ['opus', 'sonnet', 'haiku'] as const

function version (model: CatalogueModel): number {
  const parsed = parseModelVersion(model.id)
  return parsed === undefined ? 0 : parsed.major * 100 + parsed.minor
}

export class ModelResolver {
  /** Every accepted name: an explanation string where the name is known but unusable here. */
  readonly #names = new Map<string, Target | string>()
  readonly #models: readonly ModelInfo[]
  readonly #infos = new Map<string, ModelInfo>()
  readonly #applicationProfiles: ReadonlyMap<string, string>

  constructor (options: ResolverOptions) {
    const { geo, modelMap, catalogue = CATALOGUE, applicationProfiles = new Map<string, string>() } = options
    this.#applicationProfiles = applicationProfiles
    for (const model of catalogue) {
      const target = catalogueTarget(model, geo)
      for (const name of [model.id, ...model.aliases]) this.#names.set(name, target)
    }
    const usable = catalogue.filter((model) => typeof this.#names.get(model.id) === 'object')
    // `opus`, `sonnet`, `haiku`: the newest usable model of the tier, unless MODEL_MAP says otherwise.
    for (const tier of TIERS) {
      const newest = usable.filter((model) => parseModelVersion(model.id)?.tier === tier)
        .sort((a, b) => version(b) - version(a) || b.createdAt.localeCompare(a.createdAt))[0]
      if (newest !== undefined) this.#names.set(tier, this.#names.get(newest.id)!)
    }
    for (const [alias, value] of Object.entries(modelMap)) {
      const target = this.#names.get(value) ?? passThroughTarget(value, applicationProfiles)
      if (target === undefined && options.unknownMapTarget === 'explain') {
        this.#names.set(alias, `"${alias}" maps to "${value}" (MODEL_MAP), which this account does not offer.`)
      } else if (target === undefined) {
        throw new ConfigError('MODEL_MAP', `"${alias}" maps to "${value}", which is not a model name, a Bedrock anthropic model id or an ARN`)
      } else {
        this.#names.set(alias, target)
      }
    }
    this.#models = usable.map((model) => ({ type: 'model', id: model.id, display_name: model.displayName, created_at: model.createdAt }))
    usable.forEach((model, index) => {
      for (const name of [model.id, ...model.aliases]) this.#infos.set(name, this.#models[index]!)
    })
  }

  resolve (requested: string): ResolvedModel {
    const oneMillionContext = ONE_MILLION_SUFFIX.test(requested)
    const name = oneMillionContext ? requested.replace(ONE_MILLION_SUFFIX, '') : requested
    const target = this.#names.get(name) ?? passThroughTarget(name, this.#applicationProfiles)
    if (target === undefined) {
      const usableNames = [...this.#names].filter(([, known]) => typeof known === 'object').map(([known]) => known)
      throw invalidRequest(`model: unknown model "${clip(requested)}". Closest models available: ${closestNames(name, usableNames).join(', ')}. ` +
        'A Bedrock model id (us.anthropic.…), an ARN or a MODEL_MAP alias also works.')
    }
    if (typeof target === 'string') throw invalidRequest(`model: ${target}`)
    return { requested, oneMillionContext, ...target }
  }

  /** The Anthropic models this deployment can serve, newest first. */
  list (): readonly ModelInfo[] {
    return this.#models
  }

  /** The model a name or alias denotes, as `GET /v1/models/:id` shows it. */
  describe (name: string): ModelInfo | undefined {
    return this.#infos.get(name)
  }
}

function clip (text: string): string {
  return text.length > 100 ? `${text.slice(0, 100)}…` : text
}
