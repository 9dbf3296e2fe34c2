/**
 * Bedrock stream events to the client as Server-Sent Events (DESIGN section 4).
 *
 * Each event is written to the raw response as soon as it arrives: no batching.
 * The next event is pulled from Bedrock only once the socket has taken the last
 * one, so a slow reader slows Bedrock's stream (TCP backpressure) instead of
 * growing a buffer here. Silence longer than the ping interval gets a `ping`.
 */
import { once } from 'node:events'
import type { ServerResponse } from 'node:http'
import type { UpstreamCall } from '../bedrock/upstream-call.js'
import { ProxyError, toProxyError } from '../errors.js'
import { recordUsage, type TokenUsage } from '../plugins/request-log.js'
import { PING_FRAME, sseFrame, eventType } from './sse.js'

export interface RelayOptions {
  readonly raw: ServerResponse
  /** The iterator the first event was already taken from. */
  readonly events: AsyncIterator<Uint8Array>
  readonly first: Uint8Array
  readonly call: UpstreamCall
  readonly pingIntervalMs: number
  readonly requestId: string
  readonly usage: TokenUsage
}

export interface RelayOutcome {
  /** The Anthropic error type sent as an `error` event, if the stream failed. */
  readonly errorType?: string
}

const METRICS_KEY = 'amazon-bedrock-invocationMetrics'

export function decodeEvent (bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')
}

/** Parses only the events that carry usage or Bedrock's own metrics; deltas go through as bytes arrived. */
export function prepareEvent (json: string, usage: TokenUsage): { type: string; data: string } {
  const type = eventType(json)
  if (type === undefined) throw new ProxyError(500, 'api_error', 'Bedrock sent a stream event that is not an Anthropic event')
  if (type === 'message_start') {
    recordUsage(usage, (JSON.parse(json) as { message?: { usage?: Record<string, unknown> } }).message?.usage)
  } else if (type === 'message_delta') {
    recordUsage(usage, (JSON.parse(json) as { usage?: Record<string, unknown> }).usage)
  } else if (type === 'message_stop' && json.includes(METRICS_KEY)) {
    const event = JSON.parse(json) as Record<string, unknown>
    delete event[METRICS_KEY]
    return { type, data: JSON.stringify(event) }
  }
  return { type, data: json }
}


export async function relay (options: RelayOptions): Promise<RelayOutcome> {
  const { raw, events, call, usage } = options
  const pinger = options.pingIntervalMs > 0
    ? setTimeout(function ping () { raw.write(PING_FRAME); pinger?.refresh() }, options.pingIntervalMs)
    : undefined
  const write = async (frame: string): Promise<void> => {
    pinger?.refresh()
    if (!raw.write(frame)) {
      call.pause()
      await once(raw, 'drain', { signal: call.signal })
      call.touch()
    }
  }

  let sawStop = false
  try {
    let bytes: Uint8Array | undefined = options.first
    while (bytes !== undefined) {
      const { type, data } = prepareEvent(decodeEvent(bytes), usage)
      await write(sseFrame(type, data))
      if (type === 'message_stop') {
        sawStop = true
        // Nothing follows message_stop but the end of Bedrock's stream: no pings into that gap.
        clearTimeout(pinger)
      }
      const next: IteratorResult<Uint8Array> = await call.step(events.next())
      bytes = next.done === true ? undefined : next.value
    }
    if (!sawStop) throw new ProxyError(500, 'api_error', 'Bedrock ended the stream before message_stop')
    return {}
  } catch (error) {
    if (call.signal.aborted) await events.return?.()
    if (call.clientGone) return {}
    const failure = toProxyError(error)
    raw.write(sseFrame('error', JSON.stringify(failure.body(options.requestId))))
    return { errorType: failure.type }
  } finally {
    call.finish()
    clearTimeout(pinger)
    if (!raw.destroyed) raw.end()
  }
}
