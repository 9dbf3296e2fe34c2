import { EventStreamCodec } from '@smithy/eventstream-codec'
import t from 'tap'
import { crc32 } from 'node:zlib'
import { chunkFrame, encodeFrame, exceptionFrame, padding } from '../../src/emulator/eventstream.js'

const codec = new EventStreamCodec(
  (bytes) => Buffer.from(bytes).toString('utf8'),
  (text) => new Uint8Array(Buffer.from(text, 'utf8')),
)

t.test('a small frame is byte-exact against a hand-built one', async (t) => {
  const frame = encodeFrame({ a: 'b' }, Buffer.from('hi'))
  // headers: 0x01 'a' 0x07 0x0001 'b' = 6 bytes; total = 12 + 6 + 2 + 4 = 24
  const head = Buffer.from([0, 0, 0, 24, 0, 0, 0, 6])
  const prelude = Buffer.alloc(4)
  prelude.writeUInt32BE(crc32(head))
  const headers = Buffer.from([1, 0x61, 7, 0, 1, 0x62])
  const beforeCrc = Buffer.concat([head, prelude, headers, Buffer.from('hi')])
  const tail = Buffer.alloc(4)
  tail.writeUInt32BE(crc32(beforeCrc))
  t.same(frame, Buffer.concat([beforeCrc, tail]))
  // The same frame as computed independently (Python's zlib), so zlib.crc32 itself is checked too.
  t.equal(frame.toString('hex'), '0000001800000006dcd1a61f016107000162686988e21d9c')
})

t.test('the SDK codec decodes chunk frames and verifies their CRCs', async (t) => {
  const event = { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'héllo ✓' } }
  const frame = chunkFrame(event, 3)
  const message = codec.decode(frame)
  t.same(
    Object.fromEntries(Object.entries(message.headers).map(([k, v]) => [k, v.value])),
    { ':event-type': 'chunk', ':content-type': 'application/json', ':message-type': 'event' },
  )
  const payload = JSON.parse(Buffer.from(message.body).toString('utf8'))
  t.equal(payload.p, padding(3))
  t.same(JSON.parse(Buffer.from(payload.bytes, 'base64').toString('utf8')), event)

  const corrupt = Buffer.from(frame)
  corrupt.writeUInt8(corrupt.readUInt8(corrupt.length - 6) ^ 1, corrupt.length - 6)
  t.throws(() => codec.decode(corrupt), /checksum/i, 'a flipped payload byte fails the message CRC')
  const badPrelude = Buffer.from(frame)
  badPrelude.writeUInt8(badPrelude.readUInt8(9) ^ 1, 9)
  t.throws(() => codec.decode(badPrelude), /checksum/i, 'a flipped prelude CRC is refused')
})

t.test('exception frames', async (t) => {
  const message = codec.decode(exceptionFrame('throttlingException', { message: 'slow down' }))
  t.equal(message.headers[':message-type']?.value, 'exception')
  t.equal(message.headers[':exception-type']?.value, 'throttlingException')
  t.same(JSON.parse(Buffer.from(message.body).toString('utf8')), { message: 'slow down' })
})

t.test('padding is deterministic, letters only, and varies in length', async (t) => {
  const lengths = new Set(Array.from({ length: 20 }, (_, i) => padding(i).length))
  t.ok(lengths.size > 5)
  t.equal(padding(7), padding(7))
  t.match(padding(11), /^[a-zA-Z0-9]+$/)
})
