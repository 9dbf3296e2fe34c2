// Bedrock's checks on an Anthropic InvokeModel body, each a small pure rule that returns the
// message Bedrock answers with (as a 400 ValidationException), or undefined when the body passes.
// Only the checks that bite real clients are modelled; see DESIGN.md sections 3 and 7.
import { MALFORMED_INPUT, validationError } from './errors.js'
import type { ModelInfo } from './models.js'

export type Body = Record<string, unknown>
export interface RuleContext {
  model: ModelInfo
}
export interface Rule {
  name: string
  check: (body: Body, context: RuleContext) => string | undefined
}

export const ANTHROPIC_VERSION = 'bedrock-2023-05-31'

export const ALLOWED_KEYS: ReadonlySet<string> = new Set([
  'anthropic_version', 'anthropic_beta', 'max_tokens', 'messages', 'system', 'stop_sequences',
  'temperature', 'top_p', 'top_k', 'tools', 'tool_choice', 'thinking', 'metadata',
  'context_management', 'output_config',
])

export const KNOWN_BETAS: ReadonlySet<string> = new Set([
  'computer-use-2024-10-22', 'computer-use-2025-01-24', 'token-efficient-tools-2025-02-19',
  'interleaved-thinking-2025-05-14', 'output-128k-2025-02-19', 'dev-full-thinking-2025-05-14',
  'context-1m-2025-08-07', 'context-management-2025-06-27', 'effort-2025-11-24',
  'tool-search-tool-2025-10-19', 'tool-examples-2025-10-29', 'fine-grained-tool-streaming-2025-05-14',
])

const malformed = (detail: string): string =>
  `Malformed input request: #: ${detail}, please reformat your input and try again.`
const extraneous = (key: string): string => malformed(`extraneous key [${key}] is not permitted`)
const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
const betas = (body: Body): unknown[] => (Array.isArray(body.anthropic_beta) ? body.anthropic_beta : [])

/** Paths of every `cache_control` object in the body that carries a `scope` key. */
function scopedCacheControls(value: unknown, path: string, found: string[]): string[] {
  if (Array.isArray(value)) {
    value.forEach((item, i) => scopedCacheControls(item, path ? `${path}.${i}` : String(i), found))
  } else if (isObject(value)) {
    for (const [key, child] of Object.entries(value)) {
      const childPath = path ? `${path}.${key}` : key
      if (key === 'cache_control' && isObject(child) && 'scope' in child) found.push(`${childPath}.scope`)
      else scopedCacheControls(child, childPath, found)
    }
  }
  return found
}

export const RULES: readonly Rule[] = [
  {
    name: 'anthropic_version required',
    check: (body) => ('anthropic_version' in body ? undefined : malformed('required key [anthropic_version] not found')),
  },
  {
    name: 'anthropic_version value',
    check: (body) =>
      body.anthropic_version === ANTHROPIC_VERSION
        ? undefined
        : malformed(`#/anthropic_version: ${JSON.stringify(body.anthropic_version)} is not a valid enum value`),
  },
  {
    name: 'no extraneous keys',
    check: (body) => {
      const key = Object.keys(body).find((k) => !ALLOWED_KEYS.has(k))
      return key === undefined ? undefined : extraneous(key)
    },
  },
  {
    name: 'metadata holds only user_id',
    check: (body) => {
      if (body.metadata === undefined) return undefined
      if (!isObject(body.metadata)) return malformed('#/metadata: expected type: JSONObject')
      const key = Object.keys(body.metadata).find((k) => k !== 'user_id')
      return key === undefined ? undefined : extraneous(`metadata.${key}`)
    },
  },
  {
    name: 'anthropic_beta flags',
    check: (body) => {
      if (body.anthropic_beta === undefined) return undefined
      const list = body.anthropic_beta
      const ok = Array.isArray(list) && list.every((flag) => typeof flag === 'string' && KNOWN_BETAS.has(flag))
      return ok ? undefined : 'invalid beta flag'
    },
  },
  {
    name: 'context_management needs its beta',
    check: (body) =>
      body.context_management === undefined || betas(body).includes('context-management-2025-06-27')
        ? undefined
        : extraneous('context_management'),
  },
  {
    name: 'output_config needs Claude 4.6 or newer',
    check: (body, { model }) =>
      body.output_config === undefined || model.outputConfig ? undefined : extraneous('output_config'),
  },
  {
    name: 'max_tokens',
    check: (body) => {
      if (body.max_tokens === undefined) return 'max_tokens: field required'
      const n = body.max_tokens
      if (typeof n !== 'number' || !Number.isInteger(n)) return 'max_tokens: Input should be a valid integer'
      return n >= 1 ? undefined : 'max_tokens: Input should be greater than or equal to 1'
    },
  },
  {
    name: 'messages',
    check: (body) => {
      if (body.messages === undefined) return 'messages: field required'
      if (!Array.isArray(body.messages)) return 'messages: Input should be a valid list'
      return body.messages.length > 0 ? undefined : 'messages: at least one message is required'
    },
  },
  {
    name: 'message shape',
    check: (body) => {
      const messages = Array.isArray(body.messages) ? body.messages : []
      for (const [i, message] of messages.entries()) {
        if (!isObject(message)) return `messages.${i}: Input should be a valid dictionary`
        // Bedrock has no mid-conversation system messages: role `system` is refused here.
        if (message.role !== 'user' && message.role !== 'assistant') {
          return `messages.${i}.role: Input should be 'user' or 'assistant'`
        }
        if (message.content === undefined) return `messages.${i}.content: field required`
        if (typeof message.content !== 'string' && !Array.isArray(message.content)) {
          return `messages.${i}.content: Input should be a valid string or a valid list`
        }
      }
      return undefined
    },
  },
  {
    name: 'tool defer_loading / eager_input_streaming need the tool-search beta',
    check: (body) => {
      if (!Array.isArray(body.tools) || betas(body).includes('tool-search-tool-2025-10-19')) return undefined
      for (const [i, tool] of body.tools.entries()) {
        for (const key of ['defer_loading', 'eager_input_streaming']) {
          if (isObject(tool) && key in tool) return `tools.${i}.custom.${key}: Extra inputs are not permitted`
        }
      }
      return undefined
    },
  },
  {
    name: 'cache_control has no scope',
    check: (body) => {
      const [path] = scopedCacheControls(body, '', [])
      return path === undefined ? undefined : `${path}: Extra inputs are not permitted`
    },
  },
]

/** Checks a parsed body; throws the first rule's ValidationException. */
export function validateBody(body: unknown, context: RuleContext): Body {
  if (!isObject(body)) throw validationError(MALFORMED_INPUT)
  for (const rule of RULES) {
    const message = rule.check(body, context)
    if (message !== undefined) throw validationError(message)
  }
  return body
}

/** Parses a request body as JSON; anything but a JSON object is malformed input. */
export function parseJsonBody(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'))
  } catch {
    throw validationError(MALFORMED_INPUT)
  }
}
