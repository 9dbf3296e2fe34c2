// A small common face over http.ServerResponse and http2's compatibility Http2ServerResponse, so
// the handlers write replies the same way over HTTP/1.1 and HTTP/2.
import type { ServerResponse } from 'node:http'
import type { Http2ServerResponse } from 'node:http2'

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
  /** Whether the reply was completed (its last byte handed to the transport). */
  readonly finished: boolean
  /** Called once when the client goes away before the reply finished. */
  onAbort(listener: () => void): void
  /** Ends the exchange abruptly (used when the emulator closes). */
  destroy(): void
}

export function replyTarget(res: AnyResponse): ReplyTarget {
  // Both response classes have these methods with compatible runtime behaviour; their TypeScript
  // overloads differ, hence the one narrow cast.
  const raw = res as unknown as ServerResponse
  let finished = false
  let closed = false
  raw.once('finish', () => (finished = true))
  raw.once('close', () => (closed = true))
  return {
    writeHead: (status, headers) => void raw.writeHead(status, headers),
    flushHeaders: () => raw.flushHeaders(),
    write: (chunk) => raw.write(chunk),
    end: (chunk) => void (chunk === undefined ? raw.end() : raw.end(chunk)),
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
    get finished() {
      return finished
    },
    onAbort: (listener) =>
      raw.once('close', () => {
        if (!finished) listener()
      }),
    destroy: () => raw.destroy(),
  }
}
