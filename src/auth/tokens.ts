/**
 * The accepted bearer tokens, compared in constant time. The set can be
 * replaced while serving (tokens from Secrets Manager rotate without a restart).
 */
import { createHash, timingSafeEqual } from 'node:crypto'

/** Longer candidates are refused before hashing: no token is this long, and hashing megabytes costs. */
export const MAX_TOKEN_LENGTH = 512

const digest = (value: string): Buffer => createHash('sha256').update(value).digest()

/** A token an operator may configure: long enough to resist guessing, and safe in a header. */
export function tokenProblem (token: string): string | undefined {
  if (token.length < 16) return 'each token needs at least 16 characters'
  if (token.length > MAX_TOKEN_LENGTH) return `tokens have at most ${MAX_TOKEN_LENGTH} characters`
  if (!/^[\x21-\x7e]+$/.test(token)) return 'tokens are printable ASCII without spaces'
  return undefined
}

export class TokenSet {
  #digests: readonly Buffer[]

  constructor (tokens: readonly string[]) {
    this.#digests = tokens.map(digest)
  }

  get size (): number {
    return this.#digests.length
  }

  replace (tokens: readonly string[]): void {
    this.#digests = tokens.map(digest)
  }

  /**
   * Compares digests, so the time taken does not depend on the length or the
   * content of the presented token, and checks every accepted token without
   * stopping at a match.
   */
  verify (candidate: string): boolean {
    if (candidate.length > MAX_TOKEN_LENGTH) return false
    const presented = digest(candidate)
    let matched = false
    for (const token of this.#digests) matched = timingSafeEqual(token, presented) || matched
    return matched
  }
}

/**
 * A secret's value as tokens: one token, or a JSON array of tokens, or an
 * object with a `tokens` array (room for other fields later).
 */
export function parseSecretTokens (value: string): string[] {
  const text = value.trim()
  let tokens: unknown = [text]
  if (text.startsWith('[') || text.startsWith('{')) {
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch {
      throw new Error('the secret looks like JSON but does not parse')
    }
    tokens = Array.isArray(parsed) ? parsed : (parsed as { tokens?: unknown }).tokens
  }
  if (!Array.isArray(tokens) || tokens.length === 0 || !tokens.every((token) => typeof token === 'string')) {
    throw new Error('the secret must hold a token, a JSON array of tokens, or {"tokens": [...]}')
  }
  for (const token of tokens as string[]) {
    const problem = tokenProblem(token)
    if (problem !== undefined) throw new Error(`the secret holds an unusable token: ${problem}`)
  }
  return tokens as string[]
}
