// Upstream faults the emulator injects on request (Script.fault): slow or missing headers, resets,
// stalls, load-balancer pages, a JSON body cut in half. The stream-frame faults live in stream.ts.
import { setTimeout as sleep } from 'node:timers/promises'
import type { EmulatorState } from './handler.js'
import { send, type ReplyTarget } from './reply.js'
import type { Fault } from './script.js'
import { untilAborted } from './stream.js'
import type { RecordedRequest } from './types.js'

const LOAD_BALANCER_PAGE = (status: number): string =>
  `<html>\r\n<head><title>${status} Bad Gateway</title></head>\r\n<body>\r\n<center><h1>${status} Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n`

/** Resolves when the exchange ends: the client went away, or the emulator is closing. */
export async function silence(state: EmulatorState, out: ReplyTarget): Promise<void> {
  const controller = new AbortController()
  const abort = (): void => controller.abort()
  out.onAbort(abort)
  state.streams.add(abort)
  try {
    await untilAborted(controller.signal)
  } finally {
    state.streams.delete(abort)
  }
}

/** Waits `ms`, or less if the client goes away; false then. */
async function holdBack(state: EmulatorState, out: ReplyTarget, ms: number): Promise<boolean> {
  const controller = new AbortController()
  const abort = (): void => controller.abort()
  out.onAbort(abort)
  state.streams.add(abort)
  try {
    await sleep(ms, undefined, { signal: controller.signal })
    return true
  } catch {
    return false
  } finally {
    state.streams.delete(abort)
  }
}

/** Faults that strike before the status line, for every operation. True when the exchange is over. */
export async function headerFault(state: EmulatorState, record: RecordedRequest, out: ReplyTarget, fault: Fault): Promise<boolean> {
  switch (fault.type) {
    case 'slow-headers':
      record.fault = fault.type
      return !(await holdBack(state, out, fault.delayMs ?? 1000))
    case 'reset-before-headers':
      record.fault = fault.type
      await out.reset()
      return true
    case 'non-json-5xx': {
      record.fault = fault.type
      const status = fault.status ?? 502
      // A load balancer's page: no x-amzn-ErrorType, no JSON.
      send(out, record, status, { 'content-type': fault.contentType ?? 'text/html' }, fault.body ?? LOAD_BALANCER_PAGE(status))
      return true
    }
    default:
      return false
  }
}

/**
 * InvokeModel's share of the mid-stream faults: the JSON body is cut in half. reset-after-events
 * resets the connection there, stall goes silent there, truncated-frame ends the reply cleanly there
 * (no content-length: a 200 whose body is not JSON). The CRC faults have no frames to break here.
 */
export async function bodyFault(state: EmulatorState, record: RecordedRequest, out: ReplyTarget, fault: Fault, json: string): Promise<boolean> {
  if (fault.type !== 'reset-after-events' && fault.type !== 'stall' && fault.type !== 'truncated-frame') return false
  record.fault = fault.type
  record.status = 200
  const bytes = Buffer.from(json, 'utf8')
  const half = bytes.subarray(0, Math.floor(bytes.length / 2))
  const headers: Record<string, string> = { 'x-amzn-requestid': record.id, 'content-type': 'application/json' }
  if (fault.type !== 'truncated-frame') headers['content-length'] = String(bytes.length)
  out.writeHead(200, headers)
  out.write(half)
  if (fault.type === 'truncated-frame') out.end()
  else if (fault.type === 'reset-after-events') await out.reset()
  else await silence(state, out)
  return true
}
