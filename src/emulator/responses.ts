// Builds the reply for a request from its script: an Anthropic Message for InvokeModel, or the
// sequence of Anthropic stream events for InvokeModelWithResponseStream. Deterministic: the same
// request and script give the same content, ids and token counts.
import { createHash } from 'node:crypto'
import type { Script } from './script.js'
import { defaultText, lastUserText } from './script.js'
import type { InputUsage } from './tokens.js'
import { tokensOf } from './tokens.js'

type ContentBlock =
  | { type: 'thinking'; thinking: string; signature: string }
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: unknown }

export interface Reply {
  id: string
  model: string
  content: ContentBlock[]
  stopReason: string
  usage: InputUsage & { output_tokens: number }
  /** How the text block is cut into text_delta events. */
  textChunks: string[]
}

export type StreamEvent = Record<string, unknown> & { type: string }

const digest = (...parts: string[]): Buffer => createHash('sha256').update(parts.join('\0')).digest()

function thinkingRequested(body: Record<string, unknown>): boolean {
  const thinking = body.thinking as { type?: unknown } | undefined
  return thinking?.type === 'enabled' || thinking?.type === 'adaptive'
}

/** Cuts text into `count` near-equal pieces, or by default into words with their trailing space. */
export function chunkText(text: string, count?: number): string[] {
  if (count !== undefined && count > 0) {
    // Boundaries at i * length / n give exactly n non-empty pieces whenever n <= length.
    const n = Math.min(count, text.length)
    const at = (i: number): number => Math.floor((i * text.length) / n)
    return Array.from({ length: n }, (_, i) => text.slice(at(i), at(i + 1)))
  }
  return text.match(/\s*\S+\s*/g) ?? (text ? [text] : [])
}

export function buildReply(
  script: Script,
  body: Record<string, unknown>,
  modelName: string,
  usage: InputUsage,
): Reply {
  const requestKey = JSON.stringify(body)
  const content: ContentBlock[] = []
  const thinking = script.thinking ?? thinkingRequested(body)
  if (thinking !== false) {
    const text = typeof thinking === 'string' ? thinking : `Thinking about: ${lastUserText(body).slice(0, 100)}`
    // Base64 of digests stands in for Bedrock's opaque, verifiable signature.
    const signature = Buffer.concat([digest('sig', text), digest('sig2', text)]).toString('base64')
    content.push({ type: 'thinking', thinking: text, signature })
  }
  const base = script.text ?? defaultText(body)
  const text = Array.from({ length: script.repeat ?? 1 }, () => base).join(' ')
  if (text.length > 0) content.push({ type: 'text', text })
  if (script.toolUse) {
    const id = script.toolUse.id ?? `toolu_bdrk_${digest('tool', requestKey).toString('hex').slice(0, 24)}`
    content.push({ type: 'tool_use', id, name: script.toolUse.name, input: script.toolUse.input ?? {} })
  }
  const outputText = content
    .map((b) => (b.type === 'text' ? b.text : b.type === 'thinking' ? b.thinking : JSON.stringify(b.input)))
    .join('')
  return {
    id: `msg_bdrk_${digest('msg', requestKey).toString('hex').slice(0, 24)}`,
    model: modelName,
    content,
    stopReason: script.stopReason ?? (script.toolUse ? 'tool_use' : 'end_turn'),
    usage: { ...usage, output_tokens: Math.max(1, tokensOf(outputText)) },
    textChunks: chunkText(text, script.textChunks),
  }
}

/** The InvokeModel body: an Anthropic Message. */
export function messageOf(reply: Reply): Record<string, unknown> {
  return {
    id: reply.id,
    type: 'message',
    role: 'assistant',
    model: reply.model,
    content: reply.content,
    stop_reason: reply.stopReason,
    stop_sequence: null,
    usage: reply.usage,
  }
}

function blockEvents(block: ContentBlock, index: number, reply: Reply): StreamEvent[] {
  const delta = (d: Record<string, unknown>): StreamEvent => ({ type: 'content_block_delta', index, delta: d })
  const events: StreamEvent[] = []
  if (block.type === 'thinking') {
    events.push({ type: 'content_block_start', index, content_block: { type: 'thinking', thinking: '', signature: '' } })
    for (const piece of chunkText(block.thinking)) events.push(delta({ type: 'thinking_delta', thinking: piece }))
    events.push(delta({ type: 'signature_delta', signature: block.signature }))
  } else if (block.type === 'text') {
    events.push({ type: 'content_block_start', index, content_block: { type: 'text', text: '' } })
    for (const piece of reply.textChunks) events.push(delta({ type: 'text_delta', text: piece }))
  } else {
    events.push({
      type: 'content_block_start',
      index,
      content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} },
    })
    const json = JSON.stringify(block.input)
    for (const piece of chunkText(json, Math.min(3, json.length))) {
      events.push(delta({ type: 'input_json_delta', partial_json: piece }))
    }
  }
  events.push({ type: 'content_block_stop', index })
  return events
}

/** The stream events, message_start to message_stop (metrics are added when it is sent). */
export function streamEventsOf(reply: Reply, endWithoutStop = false): StreamEvent[] {
  const events: StreamEvent[] = [
    {
      type: 'message_start',
      message: { ...messageOf(reply), content: [], stop_reason: null, usage: { ...reply.usage, output_tokens: 1 } },
    },
  ]
  reply.content.forEach((block, index) => events.push(...blockEvents(block, index, reply)))
  events.push({
    type: 'message_delta',
    delta: { stop_reason: reply.stopReason, stop_sequence: null },
    usage: { output_tokens: reply.usage.output_tokens },
  })
  if (!endWithoutStop) events.push({ type: 'message_stop' })
  return events
}
