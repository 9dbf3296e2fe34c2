// What the emulator answers: a Script, taken from `options.respond`, else from an `@emulator {json}`
// line in the last user message, else a deterministic echo of the conversation.
import { ERROR_STATUS, STREAM_EXCEPTION_TYPES, validationError } from './errors.js'

export interface Script {
  /** The reply text. */
  text?: string
  /** Emit a thinking block first; default: on when the body asks for thinking. */
  thinking?: boolean | string
  /** Emit a tool_use block after the text; stop_reason becomes 'tool_use'. */
  toolUse?: { name: string; input: unknown; id?: string }
  /** Answer with this Bedrock error (e.g. ThrottlingException) before any byte. */
  error?: { type: string; message?: string }
  /** Exception frame (lowerCamel type, e.g. throttlingException) after `afterEvents` events (default 2). */
  streamError?: { type: string; message?: string; afterEvents?: number }
  /** Delay between stream events. */
  eventDelayMs?: number
  /** Delay before the first event, or before the JSON reply. */
  firstEventDelayMs?: number
  /** Split the text into this many text_delta events. */
  textChunks?: number
  /** Repeat the text N times. */
  repeat?: number
  /** End the stream cleanly at the transport level but without message_stop. */
  endWithoutStop?: boolean
  /** Default 'end_turn', or 'tool_use' with toolUse. */
  stopReason?: string
  /** A transport or framing failure (docs/emulator.md, "Faults"). */
  fault?: Fault
}

/** Upstream failures below the Bedrock error model: what a broken network, load balancer or frame looks like. */
export const FAULT_TYPES = [
  'reset-before-headers',
  'reset-after-events',
  'stall',
  'corrupt-message-crc',
  'corrupt-prelude-crc',
  'truncated-frame',
  'non-json-5xx',
  'slow-headers',
] as const
export type FaultType = (typeof FAULT_TYPES)[number]

export interface Fault {
  type: FaultType
  /** Stream events sent intact before the fault (reset-after-events, stall, corrupt-*, truncated-frame); default 2. */
  afterEvents?: number
  /** slow-headers: how long the status line and headers are held back; default 1000. */
  delayMs?: number
  /** non-json-5xx: the status, 500-599; default 502. */
  status?: number
  /** non-json-5xx: the body; default a load balancer's HTML page. */
  body?: string
  /** non-json-5xx: the content type; default text/html. */
  contentType?: string
}

const DIRECTIVE = /^[ \t]*@emulator[ \t]+(.*)$/gm
const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

type Block = Record<string, unknown>
function blocksOf(content: unknown): Block[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }]
  return Array.isArray(content) ? content.filter(isObject) : []
}

/** The content of the last `user` message, as blocks. */
export function lastUserBlocks(body: Record<string, unknown>): Block[] {
  const messages = Array.isArray(body.messages) ? body.messages.filter(isObject) : []
  const last = messages.filter((m) => m.role === 'user').at(-1)
  return last ? blocksOf(last.content) : []
}

function textOf(blocks: Block[]): string {
  return blocks
    .filter((b) => b.type === 'text' && typeof b.text === 'string')
    .map((b) => b.text as string)
    .join('\n')
}

/** The last user message's text without directive lines. */
export function lastUserText(body: Record<string, unknown>): string {
  return textOf(lastUserBlocks(body)).replace(DIRECTIVE, '').trim()
}

const positive = (v: unknown): boolean => v === undefined || (typeof v === 'number' && Number.isInteger(v) && v >= 0)

/** Checks a script's shape so that a typo in a directive is a visible 400, not a silent default. */
export function checkScript(value: unknown): Script {
  if (!isObject(value)) throw new TypeError('the script must be a JSON object')
  const s = value as Script
  if (s.text !== undefined && typeof s.text !== 'string') throw new TypeError('text must be a string')
  if (s.error !== undefined && (!isObject(s.error) || ERROR_STATUS[s.error.type] === undefined)) {
    throw new TypeError(`error.type must be one of ${Object.keys(ERROR_STATUS).join(', ')}`)
  }
  if (s.streamError !== undefined) {
    const type = isObject(s.streamError) ? s.streamError.type : undefined
    if (typeof type !== 'string' || !STREAM_EXCEPTION_TYPES.has(type)) {
      throw new TypeError(`streamError.type must be one of ${[...STREAM_EXCEPTION_TYPES].join(', ')}`)
    }
    if (!positive(s.streamError.afterEvents)) throw new TypeError('streamError.afterEvents must be a count')
  }
  if (s.toolUse !== undefined && (!isObject(s.toolUse) || typeof s.toolUse.name !== 'string')) {
    throw new TypeError('toolUse.name must be a string')
  }
  if (s.fault !== undefined) checkFault(s.fault)
  for (const key of ['eventDelayMs', 'firstEventDelayMs', 'textChunks', 'repeat'] as const) {
    if (!positive(s[key])) throw new TypeError(`${key} must be a non-negative integer`)
  }
  return s
}

function checkFault(fault: unknown): void {
  if (!isObject(fault) || !(FAULT_TYPES as readonly unknown[]).includes(fault.type)) {
    throw new TypeError(`fault.type must be one of ${FAULT_TYPES.join(', ')}`)
  }
  if (!positive(fault.afterEvents)) throw new TypeError('fault.afterEvents must be a count')
  if (!positive(fault.delayMs)) throw new TypeError('fault.delayMs must be a non-negative integer')
  const status = fault.status
  if (status !== undefined && !(Number.isInteger(status) && (status as number) >= 500 && (status as number) <= 599)) {
    throw new TypeError('fault.status must be an integer from 500 to 599')
  }
  for (const key of ['body', 'contentType'] as const) {
    if (fault[key] !== undefined && typeof fault[key] !== 'string') throw new TypeError(`fault.${key} must be a string`)
  }
}

/** The script from an `@emulator {...}` line in the last user message, if any. */
export function directiveScript(body: Record<string, unknown>): Script | undefined {
  const text = textOf(lastUserBlocks(body))
  const match = [...text.matchAll(DIRECTIVE)].at(-1)
  if (!match) return undefined
  try {
    return checkScript(JSON.parse(match[1] ?? ''))
  } catch (error) {
    throw validationError(`Invalid @emulator directive: ${(error as Error).message}`)
  }
}

function toolResultText(block: Block): string {
  if (typeof block.content === 'string') return block.content
  return textOf(blocksOf(block.content))
}

/** The reply text when no script gives one. */
export function defaultText(body: Record<string, unknown>): string {
  const results = lastUserBlocks(body).filter((b) => b.type === 'tool_result')
  if (results.length > 0) return `Tool result received: ${results.map(toolResultText).join('\n')}`
  return `You said: ${lastUserText(body).slice(0, 200)}`
}
