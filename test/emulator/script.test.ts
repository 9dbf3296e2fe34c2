// Scripting through the real SDK: defaults, directives, options.respond, tool use, thinking,
// slow and long streams, a stream without message_stop, and prompt-cache accounting.
import t from 'tap'
import type { Test } from 'tap'
import { startEmulator } from '../../src/emulator/server.js'
import type { Script } from '../../src/emulator/server.js'
import { body, client, countTokens, invoke, stream, streamedText } from '../helpers/emulator-sdk.js'

const directive = (script: Script, text = 'hi'): Record<string, unknown> => body(`${text}\n@emulator ${JSON.stringify(script)}`)

async function setup(t: Test, options: Parameters<typeof startEmulator>[0] = {}) {
  const emulator = await startEmulator(options)
  t.teardown(() => emulator.close())
  const c = client(emulator)
  t.teardown(() => c.destroy())
  return { emulator, c }
}

t.test('defaults: echo, tool results, directive lines left out', async (t) => {
  const { c } = await setup(t)
  t.equal((await invoke(c, body('x'.repeat(300)))).content[0].text, `You said: ${'x'.repeat(200)}`)
  t.equal((await invoke(c, directive({}, 'echo me'))).content[0].text, 'You said: echo me')
  const toolResult = body('unused', {
    messages: [
      { role: 'user', content: 'weather?' },
      { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'w', input: {} }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: [{ type: 'text', text: 'sunny' }] }] },
    ],
  })
  t.equal((await invoke(c, toolResult)).content[0].text, 'Tool result received: sunny')
  const again = await invoke(c, body('x'.repeat(300)))
  t.equal(again.id, (await invoke(c, body('x'.repeat(300)))).id, 'ids are deterministic')
  t.match(again.id, /^msg_bdrk_/)
})

t.test('tool use, JSON and streamed', async (t) => {
  const { c } = await setup(t)
  const script: Script = { text: 'Let me check.', toolUse: { name: 'get_weather', input: { city: 'Paris', days: [1, 2] }, id: 'toolu_1' } }
  const message = await invoke(c, directive(script))
  t.equal(message.stop_reason, 'tool_use')
  t.same(message.content, [
    { type: 'text', text: 'Let me check.' },
    { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris', days: [1, 2] } },
  ])
  const events = await stream(c, directive(script))
  const start = events.find((e) => e.type === 'content_block_start' && e.content_block.type === 'tool_use')
  t.same(start.content_block, { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: {} })
  const pieces = events.filter((e) => e.delta?.type === 'input_json_delta').map((e) => e.delta.partial_json)
  t.ok(pieces.length > 1, 'the input arrives in several pieces')
  t.same(JSON.parse(pieces.join('')), { city: 'Paris', days: [1, 2] })
  t.equal(events.find((e) => e.type === 'message_delta').delta.stop_reason, 'tool_use')
})

t.test('thinking: on by request, with a signature', async (t) => {
  const { c } = await setup(t)
  const thinkingBody = body('think', { thinking: { type: 'enabled', budget_tokens: 1024 }, max_tokens: 2000 })
  const message = await invoke(c, thinkingBody)
  t.equal(message.content[0].type, 'thinking')
  t.match(message.content[0].signature, /^[A-Za-z0-9+/]{40,}={0,2}$/)
  t.equal(message.content[1].text, 'You said: think')
  t.equal((await invoke(c, body('no thinking'))).content[0].type, 'text', 'off without thinking in the body')

  const events = await stream(c, body('think', { thinking: { type: 'adaptive' } }))
  const kinds = events.filter((e) => e.index === 0).map((e) => e.delta?.type ?? e.type)
  t.equal(kinds[0], 'content_block_start')
  t.equal(kinds.at(-2), 'signature_delta')
  t.equal(kinds.at(-1), 'content_block_stop')
  t.ok(kinds.includes('thinking_delta'))
  const signature = events.find((e) => e.delta?.type === 'signature_delta').delta.signature
  t.equal(signature, message.content[0].signature, 'the same thinking gives the same signature')

  const custom = await invoke(c, directive({ thinking: 'step by step' }))
  t.equal(custom.content[0].thinking, 'step by step')
})

t.test('options.respond wins over directives and sees the request', async (t) => {
  const seen: string[] = []
  const { emulator, c } = await setup(t, {
    respond: (request) => {
      seen.push(request.operation)
      return (request.body as { max_tokens: number }).max_tokens === 7 ? { text: 'from respond' } : undefined
    },
  })
  t.equal((await invoke(c, directive({ text: 'from directive' }, 'x'))).content[0].text, 'from directive')
  t.equal((await invoke(c, { ...directive({ text: 'from directive' }), max_tokens: 7 })).content[0].text, 'from respond')
  t.same(seen, ['InvokeModel', 'InvokeModel'])
  t.equal(emulator.requests.length, 2)
})

t.test('slow stream: first-event and between-event delays', async (t) => {
  const { emulator, c } = await setup(t, { eventDelayMs: 1 })
  const started = Date.now()
  const events = await stream(c, directive({ text: 'a b c d', eventDelayMs: 40, firstEventDelayMs: 100 }))
  const elapsed = Date.now() - started
  // 9 events (start, block start, 4 words, block stop, delta, stop): 100 ms first, then 8 gaps of 40 ms.
  t.equal(events.length, 9)
  t.ok(elapsed >= 100 + 8 * 40 - 20, `took ${elapsed} ms`)
  t.equal(emulator.lastRequest()?.eventsSent, 9)
  const fast = Date.now()
  await invoke(c, directive({ firstEventDelayMs: 150 }))
  t.ok(Date.now() - fast >= 140, 'the JSON reply waits too')
})

t.test('a stream that ends without message_stop', async (t) => {
  const { emulator, c } = await setup(t)
  const events = await stream(c, directive({ endWithoutStop: true }))
  t.equal(events.at(-1).type, 'message_delta')
  t.notOk(events.some((e) => e.type === 'message_stop'))
  t.equal(emulator.lastRequest()?.aborted, false)
})

t.test('long streams: textChunks, repeat, metrics', async (t) => {
  const { c } = await setup(t)
  const events = await stream(c, directive({ text: 'abcdefghij', repeat: 300, textChunks: 1000 }))
  const text = streamedText(events)
  t.equal(text, Array(300).fill('abcdefghij').join(' '))
  t.equal(events.filter((e) => e.delta?.type === 'text_delta').length, 1000)
  const stop = events.at(-1)
  t.equal(stop.type, 'message_stop')
  const delta = events.at(-2)
  t.match(stop['amazon-bedrock-invocationMetrics'], {
    inputTokenCount: Number, outputTokenCount: delta.usage.output_tokens, invocationLatency: Number, firstByteLatency: Number,
  })
  t.equal(delta.usage.output_tokens, Math.ceil(text.length / 4))
  t.equal(events[0].message.usage.output_tokens, 1)
})

t.test('stop reason override', async (t) => {
  const { c } = await setup(t)
  t.equal((await invoke(c, directive({ stopReason: 'max_tokens' }))).stop_reason, 'max_tokens')
})

t.test('prompt caching: written once, read after', async (t) => {
  const { c } = await setup(t)
  const system = [{ type: 'text', text: 'You are terse. '.repeat(50), cache_control: { type: 'ephemeral' } }]
  const first = (await invoke(c, body('one', { system }))).usage
  t.ok(first.cache_creation_input_tokens > 100)
  t.equal(first.cache_read_input_tokens, 0)
  const second = (await invoke(c, body('two', { system }))).usage
  t.equal(second.cache_read_input_tokens, first.cache_creation_input_tokens)
  t.equal(second.cache_creation_input_tokens, 0)
  const total = second.input_tokens + second.cache_read_input_tokens
  t.equal(await countTokens(c, body('two', { system })), total, 'CountTokens gives the total')
  const plain = (await invoke(c, body('three'))).usage
  t.same([plain.cache_creation_input_tokens, plain.cache_read_input_tokens], [0, 0])
})
