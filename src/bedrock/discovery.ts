/**
 * Which models this deployment serves, learned from the account: at start
 * and then on an interval. Discovery never blocks start-up or /health; until
 * it succeeds, and whenever it fails, the built-in table (with MODEL_MAP)
 * serves, and a warning says why.
 */
import type { FastifyBaseLogger } from 'fastify'
import type { InferenceGeo } from '../config.js'
import { catalogueFromAccount } from '../translate/account.js'
import { CATALOGUE } from '../translate/catalogue.js'
import { ModelResolver } from '../translate/models.js'
import type { AccountLister } from './control-plane.js'

export interface RegistryOptions {
  readonly geo: InferenceGeo
  readonly modelMap: Readonly<Record<string, string>>
  /** Absent when discovery is off. */
  readonly account?: AccountLister
  readonly intervalMs: number
  readonly log: FastifyBaseLogger
}

export type DiscoveryState = 'built-in' | 'discovered'

/** What routes need: the resolver in force now (discovery may replace it between requests). */
export interface ModelSource {
  readonly resolver: ModelResolver
}

export class ModelRegistry implements ModelSource {
  readonly #options: RegistryOptions
  #resolver: ModelResolver
  #state: DiscoveryState = 'built-in'
  #timer: NodeJS.Timeout | undefined
  readonly #stopping = new AbortController()

  constructor (options: RegistryOptions) {
    this.#options = options
    this.#resolver = new ModelResolver({ geo: options.geo, modelMap: options.modelMap })
  }

  get resolver (): ModelResolver {
    return this.#resolver
  }

  get state (): DiscoveryState {
    return this.#state
  }

  /** Looks now (without waiting) and then every interval. */
  start (): void {
    if (this.#options.account === undefined) return
    void this.refresh()
    if (this.#options.intervalMs > 0) {
      this.#timer = setInterval(() => void this.refresh(), this.#options.intervalMs)
      this.#timer.unref()
    }
  }

  stop (): void {
    clearInterval(this.#timer)
    this.#stopping.abort()
    this.#options.account?.close()
  }

  /** One discovery; true when the account's models now serve. */
  async refresh (): Promise<boolean> {
    const { account: lister, geo, modelMap, log } = this.#options
    if (lister === undefined) return false
    try {
      const account = catalogueFromAccount(await lister.list(this.#stopping.signal), CATALOGUE)
      if (account.models.length === 0) throw new Error('the account lists no active Anthropic models')
      this.#resolver = new ModelResolver({ geo, modelMap, catalogue: account.models, applicationProfiles: account.applicationProfiles, unknownMapTarget: 'explain' })
      this.#state = 'discovered'
      log.info({ models: this.#resolver.list().length, applicationProfiles: account.applicationProfiles.size }, 'model discovery: serving the models the account offers')
      return true
    } catch (error) {
      if (this.#stopping.signal.aborted) return false
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
      log.warn({ reason, serving: this.#state }, this.#state === 'built-in'
        ? 'model discovery failed: serving the built-in model table and MODEL_MAP'
        : 'model discovery failed: keeping the models found last time')
      return false
    }
  }
}
