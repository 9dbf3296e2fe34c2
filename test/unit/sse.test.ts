import t from 'tap'
import { decodeEvent, prepareEvent } from '../../src/streaming/relay.js'
import { eventType, PING_FRAME, sseFrame } from '../../src/streaming/sse.js'

t.test('frames are byte-exact', async (t) => {
  t.equal(sseFrame('message_stop', '{"type":"message_stop"}'), 'event: message_stop\ndata: {"type":"message_stop"}\n\n')
  t.equal(PING_FRAME, 'event: ping\ndata: {"type": "ping"}\n\n')
})

t.test('event types, fast path and fallback', async (t) => {
  t.equal(eventType('{"type":"content_block_delta","index":0}'), 'content_block_delta')
  t.equal(eventType('{"index":0,"type":"content_block_stop"}'), 'content_block_stop')
  t.equal(eventType('{ "type" : "message_stop" }'), 'message_stop')
  t.equal(eventType('{"type":"bad\\"type"}'), undefined)
  t.equal(eventType('{"type":42}'), undefined)
  t.equal(eventType('not json'), undefined)
  t.equal(eventType('null'), undefined)
})

t.test('message_stop loses Bedrock metrics; usage is collected; deltas pass as they came', async (t) => {
  const usage = {}
  const start = '{"type":"message_start","message":{"id":"m","usage":{"input_tokens":10,"output_tokens":1,"cache_read_input_tokens":4,"cache_creation_input_tokens":6}}}'
  t.same(prepareEvent(start, usage), { type: 'message_start', data: start })
  const delta = '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"hé"}}'
  t.same(prepareEvent(decodeEvent(new TextEncoder().encode(delta)), usage), { type: 'content_block_delta', data: delta })
  prepareEvent('{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":7}}', usage)
  const stop = prepareEvent('{"type":"message_stop","amazon-bedrock-invocationMetrics":{"inputTokenCount":10,"outputTokenCount":7,"invocationLatency":5,"firstByteLatency":2}}', usage)
  t.same(stop, { type: 'message_stop', data: '{"type":"message_stop"}' })
  t.same(usage, { input: 10, output: 7, cacheRead: 4, cacheWrite: 6 })
  t.throws(() => prepareEvent('{"no":"type"}', usage), { name: 'ProxyError', message: /not an Anthropic event/ })
})
