// Deterministic token accounting: about four characters of JSON per token, so tests can predict
// counts and compare InvokeModel usage with CountTokens. Prompt caching is modelled by prefix: the
// part of the prompt up to the last cache_control marker is written to the cache the first time the
// emulator sees it and read from it afterwards.
import { createHash } from 'node:crypto'

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

export function tokensOf(text: string): number {
  return Math.ceil(text.length / 4)
}

/** The total input token count of a body (what CountTokens answers). */
export function countInputTokens(body: unknown): number {
  return tokensOf(JSON.stringify(body))
}

/** The cacheable units of a prompt, in the order the cache sees them: tools, system, messages. */
function promptSegments(body: Record<string, unknown>): unknown[] {
  const segments: unknown[] = []
  if (Array.isArray(body.tools)) segments.push(...body.tools)
  if (Array.isArray(body.system)) segments.push(...body.system)
  else if (body.system !== undefined) segments.push(body.system)
  if (Array.isArray(body.messages)) {
    for (const message of body.messages) {
      const content = isObject(message) ? message.content : undefined
      if (Array.isArray(content)) segments.push(...content)
      else segments.push(content)
    }
  }
  return segments
}

export interface InputUsage {
  input_tokens: number
  cache_creation_input_tokens: number
  cache_read_input_tokens: number
}

/** Remembers the cached prompt prefixes one emulator has seen. */
export class PromptCache {
  readonly #seen = new Set<string>()

  /** Splits the input tokens into uncached, cache-write and cache-read parts, and records the prefix. */
  usage(modelId: string, body: Record<string, unknown>): InputUsage {
    const total = countInputTokens(body)
    const segments = promptSegments(body)
    const last = segments.findLastIndex((s) => isObject(s) && isObject(s.cache_control))
    if (last < 0) return { input_tokens: total, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 }
    const prefix = JSON.stringify(segments.slice(0, last + 1))
    const cached = Math.min(tokensOf(prefix), total - 1)
    const key = createHash('sha256').update(modelId).update('\0').update(prefix).digest('hex')
    const hit = this.#seen.has(key)
    this.#seen.add(key)
    return {
      input_tokens: total - cached,
      cache_creation_input_tokens: hit ? 0 : cached,
      cache_read_input_tokens: hit ? cached : 0,
    }
  }
}
