// Writes an InvokeModelWithResponseStream reply: one event-stream frame per Anthropic event, with
// the scripted delays, an optional exception frame, and real backpressure (a client that stops
// reading stalls production, which the proxy's tests use to prove it does not buffer).
import { setTimeout as sleep } from 'node:timers/promises'
import { chunkFrame, exceptionFrame } from './eventstream.js'
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
  let firstByteLatency = 0
  for (let i = 0; i <= events.length; i++) {
    const delay = i === 0 ? (script.firstEventDelayMs ?? 0) : (script.eventDelayMs ?? plan.eventDelayMs)
    if (!(await pause(delay, signal))) return
    if (i === errorAt && script.streamError) {
      out.end(exceptionFrame(script.streamError.type, streamErrorBody(script.streamError)))
      return
    }
    const event = events[i]
    if (!event) break
    if (i === 0) firstByteLatency = Date.now() - plan.startedAt
    const payload =
      event.type === 'message_stop'
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
    const ok = out.write(chunkFrame(payload, i))
    record.eventsSent++
    if (!ok) await out.drained()
    if (signal.aborted) return
  }
  out.end()
}
