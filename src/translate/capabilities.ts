/**
 * What each Claude model family accepts on Bedrock (DESIGN section 3): which
 * `anthropic-beta` flags and which body fields. One row per family; a model
 * takes the newest row not newer than itself, so an unknown newer model of a
 * known line inherits the latest row and a new family needs one line.
 */

export const BETA = {
  computerUse2024: 'computer-use-2024-10-22',
  computerUse2025: 'computer-use-2025-01-24',
  tokenEfficientTools: 'token-efficient-tools-2025-02-19',
  interleavedThinking: 'interleaved-thinking-2025-05-14',
  output128k: 'output-128k-2025-02-19',
  devFullThinking: 'dev-full-thinking-2025-05-14',
  context1m: 'context-1m-2025-08-07',
  contextManagement: 'context-management-2025-06-27',
  effort: 'effort-2025-11-24',
  toolSearch: 'tool-search-tool-2025-10-19',
  toolExamples: 'tool-examples-2025-10-29',
  fineGrainedToolStreaming: 'fine-grained-tool-streaming-2025-05-14'
} as const

export type Tier = 'opus' | 'sonnet' | 'haiku' | 'other'

export interface Capabilities {
  readonly family: string
  readonly betas: ReadonlySet<string>
  /** `output_config` (effort and friends) is accepted from Claude 4.6 on. */
  readonly outputConfig: boolean
}

interface FamilyRow {
  readonly family: string
  /** [major, minor] of the first model of the family. */
  readonly since: readonly [number, number]
  readonly betas: readonly string[]
  /** Flags only some tiers of the family accept. */
  readonly tierBetas?: Partial<Record<Tier, readonly string[]>>
  readonly outputConfig?: boolean
}

const CLAUDE_4 = [BETA.computerUse2025, BETA.interleavedThinking, BETA.devFullThinking, BETA.contextManagement, BETA.fineGrainedToolStreaming]
const CLAUDE_4_5 = [...CLAUDE_4, BETA.toolSearch, BETA.toolExamples]

const FAMILIES: readonly FamilyRow[] = [
  { family: 'claude-3', since: [3, 0], betas: [] },
  { family: 'claude-3-5', since: [3, 5], betas: [BETA.computerUse2024] },
  { family: 'claude-3-7', since: [3, 7], betas: [BETA.computerUse2025, BETA.tokenEfficientTools, BETA.output128k] },
  { family: 'claude-4', since: [4, 0], betas: CLAUDE_4, tierBetas: { sonnet: [BETA.context1m] } },
  { family: 'claude-4-5', since: [4, 5], betas: CLAUDE_4_5, tierBetas: { sonnet: [BETA.context1m], opus: [BETA.effort] } },
  { family: 'claude-4-6', since: [4, 6], betas: [...CLAUDE_4_5, BETA.effort, BETA.context1m], outputConfig: true }
]

/** Every flag Bedrock is known to accept on some model: used when the model's family is unknown. */
export const KNOWN_GOOD_BETAS: ReadonlySet<string> = new Set(Object.values(BETA))

/** For ids whose family cannot be read (application inference profile ARNs): gate nothing by family. */
export const UNKNOWN_FAMILY: Capabilities = Object.freeze({ family: 'unknown', betas: KNOWN_GOOD_BETAS, outputConfig: true })

/**
 * Reads tier and version out of any Claude name or Bedrock id:
 * `claude-sonnet-4-5-20250929`, `us.anthropic.claude-opus-4-8`, `claude-3-7-sonnet-…`.
 * Date suffixes (8 digits) are not versions.
 */
export function parseModelVersion (name: string): { tier: Tier; major: number; minor: number } | undefined {
  const modern = /claude-(opus|sonnet|haiku|[a-z]+)-(\d)(?:-(\d)(?!\d))?/.exec(name)
  if (modern !== null) {
    return { tier: asTier(modern[1]!), major: Number(modern[2]), minor: Number(modern[3] ?? 0) }
  }
  const legacy = /claude-(\d)(?:-(\d))?-(opus|sonnet|haiku)/.exec(name)
  if (legacy !== null) {
    return { tier: asTier(legacy[3]!), major: Number(legacy[1]), minor: Number(legacy[2] ?? 0) }
  }
  return undefined
}

function asTier (word: string): Tier {
  return word === 'opus' || word === 'sonnet' || word === 'haiku' ? word : 'other'
}

export function capabilitiesFor (name: string): Capabilities {
  const version = parseModelVersion(name)
  if (version === undefined) return UNKNOWN_FAMILY
  const rank = version.major * 100 + version.minor
  let row: FamilyRow | undefined
  for (const candidate of FAMILIES) {
    if (candidate.since[0] * 100 + candidate.since[1] <= rank) row = candidate
  }
  if (row === undefined) return UNKNOWN_FAMILY
  return Object.freeze({
    family: row.family,
    betas: new Set([...row.betas, ...(row.tierBetas?.[version.tier] ?? [])]),
    outputConfig: row.outputConfig ?? false
  })
}
