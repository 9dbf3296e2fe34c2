// Writes an InvokeModelWithResponseStream reply: one event-stream frame per Anthropic event, with
// the scripted delays, an optional exception frame, and real backpressure (a client that stops
// reading stalls production, which the proxy's tests use to prove it does not buffer).
import { setTimeout as sleep } from 'node:timers/promises'
import { chunkFrame, corruptFrame, exceptionFrame } from './eventstream.js'
import { defaultMessage } from './errors.js'
import type { ReplyTarget } from './reply.js'
import type { StreamEvent } from './responses.js'
import type { Script } from './script.js'
import type { RecordedRequest } from './types.js'

export interface StreamPlan {
  events: StreamEvent[]
  script: Script
  /** Default delay between events when the script gives none. */
  eventDelayMs: number
  inputTokens: number
  outputTokens: number
  startedAt: number
}

/** Resolves false when aborted during the wait. */
async function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  if (ms <= 0) return !signal.aborted
  try {
    await sleep(ms, undefined, { signal })
    return true
  } catch {
    return false
  }
}

function streamErrorBody(error: NonNullable<Script['streamError']>): Record<string, unknown> {
  const message = error.message ?? defaultMessage(error.type)
  if (error.type !== 'modelStreamErrorException') return { message }
  return { message, originalStatusCode: 500, originalMessage: message }
}

/** Resolves when the signal aborts: the client (or the emulator's close) ended the exchange. */
export function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve()
    signal.addEventListener('abort', () => resolve(), { once: true })
  })
}

const MID_STREAM_FAULTS = new Set(['reset-after-events', 'stall', 'corrupt-message-crc', 'corrupt-prelude-crc', 'truncated-frame'])

/** The event index at which the scripted mid-stream fault strikes, or -1. */
function faultIndex(script: Script, events: number): number {
  const fault = script.fault
  if (!fault || !MID_STREAM_FAULTS.has(fault.type)) return -1
  const at = fault.afterEvents ?? 2
  // A broken frame needs a frame to break: past the last event it is the last one.
  const framed = fault.type === 'reset-after-events' || fault.type === 'stall'
  return Math.min(at, framed ? events : events - 1)
}

/** Writes the frames; the caller has already sent the headers. Resolves when done or aborted. */
export async function writeStream(
  out: ReplyTarget,
  plan: StreamPlan,
  record: RecordedRequest,
  signal: AbortSignal,
): Promise<void> {
  const { events, script } = plan
  // Past the last event the exception still comes, after it: a scripted error is never dropped.
  const errorAt = script.streamError ? Math.min(script.streamError.afterEvents ?? 2, events.length) : -1
  const faultAt = faultIndex(script, events.length)
  let firstByteLatency = 0
  for (let i = 0; i <= events.length; i++) {
    const delay = i === 0 ? (script.firstEventDelayMs ?? 0) : (script.eventDelayMs ?? plan.eventDelayMs)
    if (!(await pause(delay, signal))) return
    const event = events[i]
    if (i === errorAt && script.streamError && i !== faultAt) {
      out.end(exceptionFrame(script.streamError.type, streamErrorBody(script.streamError)))
      return
    }
    if (i === 0) firstByteLatency = Date.now() - plan.startedAt
    const payload =
      event?.type === 'message_stop'
        ? {
            ...event,
            'amazon-bedrock-invocationMetrics': {
              inputTokenCount: plan.inputTokens,
              outputTokenCount: plan.outputTokens,
              invocationLatency: Date.now() - plan.startedAt,
              firstByteLatency,
            },
          }
        : event
    if (i === faultAt && script.fault) {
      record.fault = script.fault.type
      return injectFault(out, script.fault.type, payload === undefined ? undefined : chunkFrame(payload, i), signal)
    }
    if (!payload) break
    const ok = out.write(chunkFrame(payload, i))
    record.eventsSent++
    if (!ok) await out.drained()
    if (signal.aborted) return
  }
  out.end()
}

/** The mid-stream faults: what the client sees in place of frame `frame` (undefined past the last event). */
async function injectFault(out: ReplyTarget, type: string, frame: Buffer | undefined, signal: AbortSignal): Promise<void> {
  switch (type) {
    case 'reset-after-events':
      return out.reset()
    case 'stall':
      // Headers and the events so far are out; then nothing, until the client gives up.
      return untilAborted(signal)
    case 'corrupt-message-crc':
    case 'corrupt-prelude-crc':
      if (frame) out.write(corruptFrame(frame, type === 'corrupt-prelude-crc' ? 'prelude' : 'message'))
      return out.end()
    case 'truncated-frame':
      // A frame cut short, then a clean end at the transport level.
      if (frame) out.write(frame.subarray(0, Math.max(1, Math.floor(frame.length / 2))))
      return out.end()
  }
}
