/**
 * Bearer tokens from AWS Secrets Manager (BEARER_TOKEN_SECRET_ARN), read at
 * start and re-read on an interval, so that rotating the secret needs no
 * restart. A failed re-read keeps the tokens already in force.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager'
import type { FastifyBaseLogger } from 'fastify'
import { ConfigError, type Config } from '../config.js'
import { parseSecretTokens, type TokenSet } from './tokens.js'

export interface SecretTokensOptions {
  readonly secretArn: string
  readonly refreshMs: number
  readonly endpoint: string | undefined
  /** Tokens from BEARER_TOKEN(S), accepted alongside the secret's. */
  readonly staticTokens: readonly string[]
  readonly tokens: TokenSet
  readonly log: FastifyBaseLogger
}

export class SecretTokens {
  readonly #options: SecretTokensOptions
  readonly #client: SecretsManagerClient
  #timer: NodeJS.Timeout | undefined
  #version: string | undefined

  constructor (options: SecretTokensOptions) {
    this.#options = options
    // The secret's own region, whatever the proxy's: a secret can live anywhere.
    const region = options.secretArn.split(':')[3]
    this.#client = new SecretsManagerClient({ region, endpoint: options.endpoint, maxAttempts: 3 })
  }

  /** Reads the secret now; throws when it cannot be read or holds no usable token. */
  async load (): Promise<void> {
    const output = await this.#client.send(new GetSecretValueCommand({ SecretId: this.#options.secretArn }))
    if (output.SecretString === undefined) throw new Error('the secret has no string value (binary secrets are not supported)')
    const fromSecret = parseSecretTokens(output.SecretString)
    this.#options.tokens.replace([...this.#options.staticTokens, ...fromSecret])
    if (this.#version !== undefined && output.VersionId !== this.#version) {
      this.#options.log.info({ tokens: fromSecret.length }, 'bearer tokens: the secret rotated; new tokens in force')
    }
    this.#version = output.VersionId
  }

  start (): void {
    if (this.#options.refreshMs <= 0) return
    this.#timer = setInterval(() => {
      this.load().catch((error: unknown) => {
        this.#options.log.warn({ reason: error instanceof Error ? `${error.name}: ${error.message}` : String(error) },
          'bearer tokens: could not re-read the secret; the tokens in force stay')
      })
    }, this.#options.refreshMs)
    this.#timer.unref()
  }

  stop (): void {
    clearInterval(this.#timer)
    this.#client.destroy()
  }
}

/**
 * Reads the token secret before serving, then keeps it fresh: a deployment
 * that cannot authenticate anyone must not start, so a failure here is a
 * configuration error naming the variable.
 */
export async function readTokenSecret (settings: Config['auth'], tokens: TokenSet, log: FastifyBaseLogger): Promise<SecretTokens> {
  const source = new SecretTokens({
    secretArn: settings.secretArn!,
    refreshMs: settings.secretRefreshMs,
    endpoint: settings.secretsEndpoint,
    staticTokens: settings.tokens,
    tokens,
    log
  })
  try {
    await source.load()
  } catch (error) {
    source.stop()
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
    throw new ConfigError('BEARER_TOKEN_SECRET_ARN', `could not read the bearer token secret (${reason})`)
  }
  source.start()
  return source
}
