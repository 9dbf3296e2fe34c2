/**
 * The life of one Bedrock call, tied to its client: it is aborted when the
 * client goes away (so Bedrock stops generating, and billing), when Bedrock
 * sends nothing for the idle timeout (so a stalled upstream cannot hold a
 * connection forever while pings keep the client's side alive), and when the
 * server's shutdown grace period ends (so the client gets a clean error).
 */
import type { FastifyReply } from 'fastify'
import { ProxyError } from '../errors.js'

export class UpstreamCall {
  readonly #controller = new AbortController()
  readonly #idleTimeoutMs: number
  #timer: NodeJS.Timeout | undefined
  #clientGone = false

  readonly #onFinish: (call: UpstreamCall) => void

  constructor (reply: FastifyReply, idleTimeoutMs: number, onFinish: (call: UpstreamCall) => void = () => {}) {
    this.#onFinish = onFinish
    const raw = reply.raw
    raw.once('close', () => {
      if (raw.writableEnded) return this.#onFinish(this)
      this.#clientGone = true
      this.#abort(new Error('client closed the connection'))
      this.#onFinish(this)
    })
    this.#idleTimeoutMs = idleTimeoutMs
    this.#arm()
  }

  #arm (): void {
    if (this.#idleTimeoutMs <= 0) return
    const ms = this.#idleTimeoutMs
    const silence = ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`
    this.#timer = setTimeout(() => this.#abort(new ProxyError(504, 'timeout_error',
      `Bedrock sent nothing for ${silence}; the call was abandoned.`, { shouldRetry: true })), ms)
    this.#timer.unref()
  }

  get signal (): AbortSignal {
    return this.#controller.signal
  }

  /** The client disconnected: there is nobody left to answer. */
  get clientGone (): boolean {
    return this.#clientGone
  }

  /** Bedrock sent something: the idle clock starts again. */
  touch (): void {
    if (this.#timer === undefined) this.#arm()
    else this.#timer.refresh()
  }

  /** While the proxy waits on a slow client, Bedrock's silence is ours, not Bedrock's: stop the clock. */
  pause (): void {
    clearTimeout(this.#timer)
    this.#timer = undefined
  }

  finish (): void {
    this.pause()
    this.#onFinish(this)
  }

  /** Ends the call with this error for the client (an HTTP error, or an `error` event mid-stream). */
  cancel (error: ProxyError): void {
    this.#abort(error)
  }

  /** The error to report for a failure of this call: the idle timeout's own, when it caused it. */
  failure (error: unknown): unknown {
    const reason: unknown = this.#controller.signal.reason
    return this.#controller.signal.aborted && reason instanceof ProxyError ? reason : error
  }

  /** Runs one awaited step of the call, reporting an abort by its cause. */
  async step<T> (work: Promise<T>): Promise<T> {
    try {
      const result = await work
      this.touch()
      return result
    } catch (error) {
      this.finish()
      throw this.failure(error)
    }
  }

  #abort (reason: Error): void {
    this.pause()
    this.#controller.abort(reason)
  }
}

/** Every Bedrock call in flight, so that a shutdown can end them cleanly. */
export class UpstreamCalls {
  readonly #live = new Set<UpstreamCall>()
  readonly #idleTimeoutMs: number

  constructor (idleTimeoutMs: number) {
    this.#idleTimeoutMs = idleTimeoutMs
  }

  open (reply: FastifyReply): UpstreamCall {
    const call = new UpstreamCall(reply, this.#idleTimeoutMs, (done) => this.#live.delete(done))
    this.#live.add(call)
    return call
  }

  get size (): number {
    return this.#live.size
  }

  cancelAll (error: ProxyError): void {
    for (const call of this.#live) call.cancel(error)
  }
}
