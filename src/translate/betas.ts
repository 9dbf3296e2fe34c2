/**
 * `anthropic-beta` header values to Bedrock's `anthropic_beta` body array
 * (DESIGN section 3). Bedrock answers any flag it does not know with a 400
 * "invalid beta flag", so only flags the model's family is known to accept
 * go through; the rest are dropped and reported for the debug log.
 */
import { BETA, type Capabilities } from './capabilities.js'

/** Anthropic-side names for a capability Bedrock offers under another flag. */
const RENAMED: Readonly<Record<string, string>> = {
  'advanced-tool-use-2025-11-20': BETA.toolSearch
}

export interface BetaSelection {
  readonly kept: readonly string[]
  readonly dropped: readonly string[]
}

/** Splits header lines and comma lists, trimmed, without empties. */
export function parseBetaHeader (header: string | string[] | undefined): string[] {
  if (header === undefined) return []
  const lines = Array.isArray(header) ? header : [header]
  const flags: string[] = []
  for (const line of lines) {
    for (const flag of line.split(',')) {
      const trimmed = flag.trim()
      if (trimmed !== '') flags.push(trimmed)
    }
  }
  return flags
}

/**
 * @param requested flags from the header and any `anthropic_beta` the body already had
 * @param wantsOneMillion the model name carried a `[1m]` suffix
 */
export function selectBetas (requested: readonly string[], capabilities: Capabilities, wantsOneMillion: boolean): BetaSelection {
  const kept = new Set<string>()
  const dropped: string[] = []
  const candidates = wantsOneMillion ? [...requested, BETA.context1m] : requested
  for (const flag of candidates) {
    const bedrockFlag = RENAMED[flag] ?? flag
    if (capabilities.betas.has(bedrockFlag)) kept.add(bedrockFlag)
    else dropped.push(flag)
  }
  return { kept: [...kept], dropped }
}
