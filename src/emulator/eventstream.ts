// AWS event-stream frame encoder (application/vnd.amazon.eventstream), the framing Bedrock uses for
// InvokeModelWithResponseStream. Layout, all integers big-endian:
//   prelude: total length (u32) | headers length (u32) | CRC32 of those 8 bytes (u32)
//   headers: per header u8 name length, name, u8 type (7 = string), u16 value length, UTF-8 value
//   payload
//   message CRC32 of everything before it (u32)
import { crc32 } from 'node:zlib'

const PRELUDE_BYTES = 12
const CRC_BYTES = 4
const HEADER_TYPE_STRING = 7

export type FrameHeaders = Readonly<Record<string, string>>

function encodeHeaders(headers: FrameHeaders): Buffer {
  const parts: Buffer[] = []
  for (const [name, value] of Object.entries(headers)) {
    const nameBytes = Buffer.from(name, 'utf8')
    const valueBytes = Buffer.from(value, 'utf8')
    if (nameBytes.length > 255) throw new RangeError(`header name too long: ${name}`)
    if (valueBytes.length > 32767) throw new RangeError(`header value too long: ${name}`)
    const part = Buffer.allocUnsafe(1 + nameBytes.length + 1 + 2 + valueBytes.length)
    let at = part.writeUInt8(nameBytes.length, 0)
    at += nameBytes.copy(part, at)
    at = part.writeUInt8(HEADER_TYPE_STRING, at)
    at = part.writeUInt16BE(valueBytes.length, at)
    valueBytes.copy(part, at)
    parts.push(part)
  }
  return Buffer.concat(parts)
}

/** One complete frame with string headers. */
export function encodeFrame(headers: FrameHeaders, payload: Uint8Array): Buffer {
  const headerBytes = encodeHeaders(headers)
  const total = PRELUDE_BYTES + headerBytes.length + payload.length + CRC_BYTES
  const frame = Buffer.alloc(total)
  frame.writeUInt32BE(total, 0)
  frame.writeUInt32BE(headerBytes.length, 4)
  frame.writeUInt32BE(crc32(frame.subarray(0, 8)), 8)
  headerBytes.copy(frame, PRELUDE_BYTES)
  frame.set(payload, PRELUDE_BYTES + headerBytes.length)
  frame.writeUInt32BE(crc32(frame.subarray(0, total - CRC_BYTES)), total - CRC_BYTES)
  return frame
}

const PADDING_ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'

/**
 * Bedrock pads every chunk with a `p` field of varying length (so payload sizes do not leak the
 * token lengths). Deterministic here: a prefix of the alphabet whose length cycles with the index.
 */
export function padding(index: number): string {
  return PADDING_ALPHABET.slice(0, 1 + ((index * 17 + 5) % PADDING_ALPHABET.length))
}

/** A `chunk` event frame carrying one Anthropic stream event. */
export function chunkFrame(event: unknown, index: number): Buffer {
  const bytes = Buffer.from(JSON.stringify(event), 'utf8').toString('base64')
  const payload = Buffer.from(JSON.stringify({ bytes, p: padding(index) }), 'utf8')
  return encodeFrame(
    { ':event-type': 'chunk', ':content-type': 'application/json', ':message-type': 'event' },
    payload,
  )
}

/** An exception frame; `type` is the lowerCamel exception type, e.g. `throttlingException`. */
export function exceptionFrame(type: string, body: Record<string, unknown>): Buffer {
  return encodeFrame(
    { ':exception-type': type, ':content-type': 'application/json', ':message-type': 'exception' },
    Buffer.from(JSON.stringify(body), 'utf8'),
  )
}

/**
 * A copy of a frame with one checksum broken (its last byte flipped): `prelude` breaks the CRC of the
 * 12-byte prelude, `message` the trailing CRC of the whole frame. For fault injection.
 */
export function corruptFrame(frame: Buffer, which: 'prelude' | 'message'): Buffer {
  const copy = Buffer.from(frame)
  const at = which === 'prelude' ? PRELUDE_BYTES - 1 : copy.length - 1
  copy[at] = (copy[at] ?? 0) ^ 0xff
  return copy
}
