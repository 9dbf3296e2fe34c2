/**
 * `application/vnd.amazon.eventstream` to the bytes of each Anthropic event
 * (DESIGN section 4). Frames are cut from the body as it arrives and decoded
 * by the SDK's own codec (which checks both CRCs); nothing is read from the
 * body before the consumer asks for the next event.
 */
import { EventStreamCodec } from '@smithy/core/event-streams'

const toUtf8 = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')
const fromUtf8 = (text: string): Uint8Array => Buffer.from(text, 'utf8')
const codec = new EventStreamCodec(toUtf8, fromUtf8)

/** Prelude (12) + message CRC (4). */
const MINIMUM_FRAME = 16
/** Far above any Bedrock event; a larger length is a broken stream, not a reason to buffer it. */
const MAXIMUM_FRAME = 16 * 1024 * 1024

export interface Frame {
  readonly headers: Readonly<Record<string, { type: string; value: unknown }>>
  readonly body: Uint8Array
}

/** Complete frames from a byte stream; throws as the SDK does on a frame cut short. */
export async function * frames (body: AsyncIterable<Uint8Array>): AsyncGenerator<Frame> {
  let pending: Buffer | undefined
  for await (const chunk of body) {
    let buffer: Buffer = pending === undefined
      ? Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
      : Buffer.concat([pending, chunk])
    pending = undefined
    while (buffer.length >= 4) {
      const total = buffer.readUInt32BE(0)
      if (total < MINIMUM_FRAME || total > MAXIMUM_FRAME) throw new Error(`Invalid event stream message length: ${total}`)
      if (buffer.length < total) break
      yield codec.decode(buffer.subarray(0, total)) as Frame
      buffer = buffer.subarray(total)
    }
    if (buffer.length > 0) pending = buffer
  }
  if (pending !== undefined) throw new Error('Truncated event message received.')
}

export function headerString (frame: Frame, name: string): string | undefined {
  const header = frame.headers[name]
  return header === undefined ? undefined : String(header.value)
}

/** The Anthropic event inside a `chunk` frame: `{"bytes":"<base64>","p":"…"}`. */
export function chunkBytes (frame: Frame): Uint8Array | undefined {
  const payload = JSON.parse(toUtf8(frame.body)) as { bytes?: unknown }
  return typeof payload.bytes === 'string' ? Buffer.from(payload.bytes, 'base64') : undefined
}
