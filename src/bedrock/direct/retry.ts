/**
 * The AWS SDK's standard retry strategy, as the direct path applies it:
 * jittered exponential backoff, a cheaper retry quota for throttling, and
 * no retry once the quota is spent.
 */
import type { RetryKind } from './errors.js'

const TRANSIENT_DELAY_BASE_MS = 50
const THROTTLING_DELAY_BASE_MS = 1_000
const MAXIMUM_RETRY_DELAY_MS = 20_000
const INITIAL_RETRY_TOKENS = 500
const RETRY_COST = 14
const THROTTLING_RETRY_COST = 5

export class RetryQuota {
  #capacity = INITIAL_RETRY_TOKENS

  /** The cost taken, or undefined when the quota is spent. */
  take (kind: Exclude<RetryKind, undefined>): number | undefined {
    const cost = kind === 'throttling' ? THROTTLING_RETRY_COST : RETRY_COST
    if (this.#capacity < cost) return undefined
    this.#capacity -= cost
    return cost
  }

  release (cost: number | undefined): void {
    this.#capacity = Math.min(INITIAL_RETRY_TOKENS, this.#capacity + (cost ?? 1))
  }
}

/** Full jitter: a random wait up to the exponential bound for this attempt. */
export function retryDelayMs (kind: Exclude<RetryKind, undefined>, attempt: number): number {
  const base = kind === 'throttling' ? THROTTLING_DELAY_BASE_MS : TRANSIENT_DELAY_BASE_MS
  return Math.floor(Math.random() * Math.min(base * 2 ** (attempt - 1), MAXIMUM_RETRY_DELAY_MS))
}
