// A small common face over http.ServerResponse and http2's compatibility Http2ServerResponse, so
// the handlers write replies the same way over HTTP/1.1 and HTTP/2.
import type { ServerResponse } from 'node:http'
import { constants as h2constants } from 'node:http2'
import type { Http2ServerResponse } from 'node:http2'
import { errorReply, type BedrockError } from './errors.js'
import type { RecordedRequest } from './types.js'

export type AnyResponse = ServerResponse | Http2ServerResponse

export interface ReplyTarget {
  writeHead(status: number, headers: Record<string, string>): void
  /** Sends the status and headers now, before any body byte. */
  flushHeaders(): void
  /** Writes a chunk; false means wait for drain. */
  write(chunk: Buffer): boolean
  end(chunk?: string | Buffer): void
  /** Resolves on 'drain', or when the response closes. */
  drained(): Promise<void>
  /** Whether end() was called: the reply is complete from the emulator's side. */
  readonly ended: boolean
  /** Called once when the client goes away before the reply finished. */
  onAbort(listener: () => void): void
  /** Ends the exchange abruptly (used when the emulator closes). */
  destroy(): void
  /**
   * A connection reset, for fault injection: HTTP/1.1 sends a TCP RST and drops the connection,
   * HTTP/2 resets the stream (RST_STREAM INTERNAL_ERROR) and leaves the session up. What was
   * written before is flushed first, so the client sees those bytes, then the reset.
   */
  reset(): Promise<void>
}

export function replyTarget(res: AnyResponse): ReplyTarget {
  // Both response classes have these methods with compatible runtime behaviour; their TypeScript
  // overloads differ, hence the one narrow cast.
  const raw = res as unknown as ServerResponse
  // Not 'finish': Http2ServerResponse emits 'finish' even when the client resets the stream.
  let ended = false
  let closed = false
  raw.once('close', () => (closed = true))
  return {
    writeHead: (status, headers) => void raw.writeHead(status, headers),
    flushHeaders: () => raw.flushHeaders(),
    write: (chunk) => raw.write(chunk),
    end: (chunk) => {
      ended = true
      if (chunk === undefined) raw.end()
      else raw.end(chunk)
    },
    drained: () =>
      new Promise<void>((resolve) => {
        if (closed) return resolve()
        const done = (): void => {
          raw.off('drain', done)
          raw.off('close', done)
          resolve()
        }
        raw.on('drain', done)
        raw.on('close', done)
      }),
    get ended() {
      return ended
    },
    onAbort: (listener) =>
      raw.once('close', () => {
        if (!ended) listener()
      }),
    destroy: () => raw.destroy(),
    reset: async () => {
      ended = true
      const socket = raw.socket
      // Let what was written reach the wire first (an RST discards unsent data); at most a second,
      // for a client that has stopped reading.
      for (let waited = 0; waited < 1000; waited += 10) {
        await new Promise((resolve) => setTimeout(resolve, 10))
        if (!socket || socket.destroyed || socket.writableLength === 0) break
      }
      const stream = (res as Http2ServerResponse).stream as Http2ServerResponse['stream'] | undefined
      if (stream !== undefined) return void stream.close(h2constants.NGHTTP2_INTERNAL_ERROR)
      if (socket && !socket.destroyed && typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy()
      else raw.destroy()
    },
  }
}

export function send(out: ReplyTarget, record: RecordedRequest | undefined, status: number, headers: Record<string, string>, body: string): void {
  if (record) record.status = status
  out.writeHead(status, { ...headers, 'content-length': String(Buffer.byteLength(body)) })
  out.end(body)
}

export function sendError(out: ReplyTarget, requestId: string, record: RecordedRequest | undefined, error: BedrockError): void {
  const reply = errorReply(error)
  send(out, record, reply.status, { ...reply.headers, 'x-amzn-requestid': requestId }, reply.body)
}
