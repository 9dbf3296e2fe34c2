/**
 * The built-in model catalogue (DESIGN section 3): Anthropic model names and
 * the Bedrock base ids and inference-profile geographies that serve them.
 * It is the fallback when nothing better is known about the account.
 */
import type { InferenceGeo } from '../config.js'

export interface CatalogueModel {
  /** The Anthropic model id, as the official SDK names it. */
  readonly id: string
  /** Other names that mean exactly this model (undated aliases, `-latest`, `-0`). */
  readonly aliases: readonly string[]
  readonly displayName: string
  /** RFC 3339; from the date in the id where it has one. */
  readonly createdAt: string
  readonly baseId: string
  /** Geographies with a system-defined inference profile `{geo}.{baseId}`. */
  readonly profiles: readonly InferenceGeo[]
  /** Claude 3.7 and every 4.x model have no on-demand throughput: base ids fail. */
  readonly onDemand: boolean
}

type Row = [id: string, aliases: string[], displayName: string, createdAt: string, baseId: string, profiles: InferenceGeo[], onDemand?: boolean]

const ROWS: Row[] = [
  ['claude-opus-4-8', [], 'Claude Opus 4.8', '2026-08-01', 'anthropic.claude-opus-4-8', ['global', 'us', 'eu']],
  ['claude-opus-4-7', [], 'Claude Opus 4.7', '2026-04-16', 'anthropic.claude-opus-4-7', ['global', 'us', 'eu']],
  ['claude-sonnet-5', [], 'Claude Sonnet 5', '2026-09-01', 'anthropic.claude-sonnet-5', ['global', 'us', 'eu']],
  ['claude-opus-4-6', [], 'Claude Opus 4.6', '2026-02-05', 'anthropic.claude-opus-4-6-v1', ['global', 'us', 'eu', 'jp', 'apac']],
  ['claude-sonnet-4-6', [], 'Claude Sonnet 4.6', '2026-02-17', 'anthropic.claude-sonnet-4-6', ['global', 'us', 'eu', 'jp', 'au']],
  ['claude-sonnet-4-5-20250929', ['claude-sonnet-4-5'], 'Claude Sonnet 4.5', '2025-09-29', 'anthropic.claude-sonnet-4-5-20250929-v1:0', ['global', 'us', 'eu', 'jp', 'au']],
  ['claude-opus-4-5-20251101', ['claude-opus-4-5'], 'Claude Opus 4.5', '2025-11-01', 'anthropic.claude-opus-4-5-20251101-v1:0', ['global', 'us', 'eu']],
  ['claude-haiku-4-5-20251001', ['claude-haiku-4-5'], 'Claude Haiku 4.5', '2025-10-01', 'anthropic.claude-haiku-4-5-20251001-v1:0', ['global', 'us', 'eu', 'jp', 'au']],
  ['claude-opus-4-1-20250805', ['claude-opus-4-1'], 'Claude Opus 4.1', '2025-08-05', 'anthropic.claude-opus-4-1-20250805-v1:0', ['us']],
  ['claude-opus-4-20250514', ['claude-opus-4-0'], 'Claude Opus 4', '2025-05-14', 'anthropic.claude-opus-4-20250514-v1:0', ['us']],
  ['claude-sonnet-4-20250514', ['claude-sonnet-4-0'], 'Claude Sonnet 4', '2025-05-14', 'anthropic.claude-sonnet-4-20250514-v1:0', ['global', 'us', 'eu', 'apac']],
  ['claude-3-7-sonnet-20250219', ['claude-3-7-sonnet-latest'], 'Claude Sonnet 3.7', '2025-02-19', 'anthropic.claude-3-7-sonnet-20250219-v1:0', ['us', 'eu', 'apac']],
  ['claude-3-5-haiku-20241022', ['claude-3-5-haiku-latest'], 'Claude Haiku 3.5', '2024-10-22', 'anthropic.claude-3-5-haiku-20241022-v1:0', ['us'], true],
  ['claude-3-5-sonnet-20241022', ['claude-3-5-sonnet-latest'], 'Claude Sonnet 3.5 (New)', '2024-10-22', 'anthropic.claude-3-5-sonnet-20241022-v2:0', ['us', 'apac'], true],
  ['claude-3-haiku-20240307', [], 'Claude Haiku 3', '2024-03-07', 'anthropic.claude-3-haiku-20240307-v1:0', ['us', 'eu', 'apac'], true]
]

export const CATALOGUE: readonly CatalogueModel[] = Object.freeze(ROWS.map(
  ([id, aliases, displayName, createdAt, baseId, profiles, onDemand = false]) => Object.freeze({
    id, aliases, displayName, createdAt: `${createdAt}T00:00:00Z`, baseId, profiles, onDemand
  })
))
