/**
 * What the Bedrock account offers, as a model catalogue: from the control
 * plane's listings to Anthropic names. Pure, so the rules are tested on
 * tables; src/bedrock/discovery.ts does the calling.
 *
 * Anthropic names follow from Bedrock base ids: drop `anthropic.` and the
 * version suffix (`-v1:0`, `-v2:0`, `-v1`). Models from Claude Opus 4.7 on
 * carry no suffix, so a new model needs no table entry to get its name.
 */
import { INFERENCE_GEOS, type InferenceGeo } from '../config.js'
import type { CatalogueModel } from './catalogue.js'

export interface FoundationModelListing {
  readonly modelId?: string
  readonly modelName?: string
  readonly inferenceTypesSupported?: readonly string[]
  readonly modelLifecycle?: { readonly status?: string }
}

export interface InferenceProfileListing {
  readonly inferenceProfileId?: string
  readonly inferenceProfileArn?: string
  readonly inferenceProfileName?: string
  readonly type?: string
  readonly status?: string
  readonly createdAt?: Date
  readonly models?: ReadonlyArray<{ readonly modelArn?: string }>
}

export interface AccountListing {
  readonly foundationModels: readonly FoundationModelListing[]
  readonly inferenceProfiles: readonly InferenceProfileListing[]
}

export interface AccountCatalogue {
  readonly models: readonly CatalogueModel[]
  /** Application inference profile ARN -> the base id of the model it routes to. */
  readonly applicationProfiles: ReadonlyMap<string, string>
}

const BASE_ID = /^anthropic\.(claude-[a-z0-9-]+?)(?:-v\d+(?::\d+)?)?$/
const DATED = /^(.*)-(\d{4})(\d{2})(\d{2})$/

/** `anthropic.claude-sonnet-4-5-20250929-v1:0` -> `claude-sonnet-4-5-20250929`; undefined for non-Claude ids. */
export function anthropicNameFor (baseId: string): string | undefined {
  return BASE_ID.exec(baseId)?.[1]
}

function baseIdOfArn (arn: string | undefined): string | undefined {
  return arn === undefined ? undefined : /foundation-model\/(.+)$/.exec(arn)?.[1]
}

function displayNameFor (name: string, listed: string | undefined): string {
  if (listed !== undefined && listed.trim() !== '') return listed.startsWith('Claude') ? listed : `Claude ${listed}`
  return name.replace(/-\d{8}$/, '').split('-').map((part) => part.charAt(0).toUpperCase() + part.slice(1)).join(' ')
}

/**
 * The catalogue of the models this account lists, enriched with what the
 * built-in table knows (aliases, display names, dates) about the same base id.
 * Only active Anthropic models count; legacy and unlisted ones are left out.
 */
export function catalogueFromAccount (listing: AccountListing, builtIn: readonly CatalogueModel[]): AccountCatalogue {
  const profilesByBase = new Map<string, Set<InferenceGeo>>()
  const profileDates = new Map<string, Date>()
  const applicationProfiles = new Map<string, string>()
  for (const profile of listing.inferenceProfiles) {
    if (profile.status !== undefined && profile.status !== 'ACTIVE') continue
    const target = baseIdOfArn(profile.models?.[0]?.modelArn)
    if (target === undefined || anthropicNameFor(target) === undefined) continue
    if (profile.type === 'APPLICATION') {
      if (profile.inferenceProfileArn !== undefined) applicationProfiles.set(profile.inferenceProfileArn, target)
      continue
    }
    const geo = profile.inferenceProfileId?.split('.')[0] as InferenceGeo
    if (!INFERENCE_GEOS.includes(geo) || profile.inferenceProfileId !== `${geo}.${target}`) continue
    if (!profilesByBase.has(target)) profilesByBase.set(target, new Set())
    profilesByBase.get(target)!.add(geo)
    if (profile.createdAt !== undefined && !profileDates.has(target)) profileDates.set(target, profile.createdAt)
  }

  const models: CatalogueModel[] = []
  for (const foundation of listing.foundationModels) {
    const baseId = foundation.modelId
    const name = baseId === undefined ? undefined : anthropicNameFor(baseId)
    if (baseId === undefined || name === undefined) continue
    if (foundation.modelLifecycle?.status !== undefined && foundation.modelLifecycle.status !== 'ACTIVE') continue
    const known = builtIn.find((model) => model.baseId === baseId)
    const dated = DATED.exec(name)
    const aliases = new Set(known?.aliases ?? [])
    if (dated !== null) aliases.add(dated[1]!)
    models.push({
      id: known?.id ?? name,
      aliases: [...aliases],
      displayName: known?.displayName ?? displayNameFor(name, foundation.modelName),
      createdAt: known?.createdAt ?? (dated !== null
        ? `${dated[2]}-${dated[3]}-${dated[4]}T00:00:00Z`
        : (profileDates.get(baseId) ?? new Date(0)).toISOString().replace(/\.\d{3}Z$/, 'Z')),
      baseId,
      profiles: [...(profilesByBase.get(baseId) ?? [])],
      onDemand: foundation.inferenceTypesSupported?.includes('ON_DEMAND') ?? false
    })
  }
  models.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || a.id.localeCompare(b.id))
  return { models, applicationProfiles }
}
