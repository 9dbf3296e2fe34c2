/**
 * Anthropic Messages request body to the native Bedrock InvokeModel body
 * (DESIGN section 3). Everything the client sent passes through unchanged
 * except the changes listed here, each reported by field name (never content)
 * so the route can log it at debug level.
 *
 * The input object is not mutated; unchanged sub-trees are shared, not copied,
 * so large bodies cost a scan, not a clone.
 */
import type { ContentBlockParam, MessageCreateParams, MessageParam, Tool } from '../types.js'
import { BETA, type Capabilities } from './capabilities.js'

export const BEDROCK_ANTHROPIC_VERSION = 'bedrock-2023-05-31'

/** Top-level keys Bedrock accepts; anything else earns "extraneous key [x] is not permitted". */
const ACCEPTED_KEYS = new Set([
  'max_tokens', 'messages', 'system', 'stop_sequences', 'temperature', 'top_p', 'top_k',
  'tools', 'tool_choice', 'thinking', 'metadata', 'context_management', 'output_config'
])

export interface BedrockBody {
  anthropic_version: typeof BEDROCK_ANTHROPIC_VERSION
  anthropic_beta?: string[]
  [key: string]: unknown
}

export interface Translation {
  readonly body: BedrockBody
  /** Field paths removed or rewritten, for the debug log. */
  readonly changes: readonly string[]
}

export function toBedrockBody (params: Readonly<MessageCreateParams>, betas: readonly string[], capabilities: Capabilities): Translation {
  const changes: string[] = []
  const body: BedrockBody = { anthropic_version: BEDROCK_ANTHROPIC_VERSION }
  if (betas.length > 0) body.anthropic_beta = [...betas]

  for (const [key, value] of Object.entries(params)) {
    if (key === 'model' || key === 'stream' || key === 'anthropic_beta' || key === 'anthropic_version') continue
    if (ACCEPTED_KEYS.has(key)) body[key] = value
    else changes.push(key)
  }

  if (params.metadata !== undefined) body.metadata = keepUserIdOnly(params.metadata, changes)
  if (body.metadata === undefined) delete body.metadata
  if (body.context_management !== undefined && !betas.includes(BETA.contextManagement)) {
    delete body.context_management
    changes.push('context_management')
  }
  if (body.output_config !== undefined && !capabilities.outputConfig) {
    delete body.output_config
    changes.push('output_config')
  }
  if (Array.isArray(params.tools)) body.tools = gateTools(params.tools, betas.includes(BETA.toolSearch), changes)
  if (Array.isArray(params.system)) body.system = withoutCacheScope(params.system, 'system', changes)
  if (Array.isArray(params.messages)) body.messages = translateMessages(params.messages, changes)
  return { body, changes }
}

function keepUserIdOnly (metadata: unknown, changes: string[]): { user_id: unknown } | undefined {
  if (metadata === null || typeof metadata !== 'object') {
    changes.push('metadata')
    return undefined
  }
  const extra = Object.keys(metadata).filter((key) => key !== 'user_id')
  for (const key of extra) changes.push(`metadata.${key}`)
  if (extra.length === 0) return metadata as { user_id: unknown }
  const userId = (metadata as { user_id?: unknown }).user_id
  return userId === undefined ? undefined : { user_id: userId }
}

/** `defer_loading` and `eager_input_streaming` belong to tool search; without it Bedrock rejects them. */
function gateTools (tools: readonly Tool[], toolSearch: boolean, changes: string[]): Tool[] {
  const result = tools.map((tool, index) => {
    if (tool === null || typeof tool !== 'object') return tool
    let gated = tool
    if (!toolSearch && ('defer_loading' in tool || 'eager_input_streaming' in tool)) {
      const { defer_loading: deferLoading, eager_input_streaming: eager, ...rest } = tool
      if (deferLoading !== undefined) changes.push(`tools.${index}.defer_loading`)
      if (eager !== undefined) changes.push(`tools.${index}.eager_input_streaming`)
      gated = rest
    }
    return withoutScope(gated, `tools.${index}`, changes)
  })
  return sameItems(result, tools) ? tools as Tool[] : result
}

/** Bedrock has no prompt-caching scopes: `cache_control.scope` is refused wherever it appears. */
function withoutScope<T extends { cache_control?: unknown }> (item: T, path: string, changes: string[]): T {
  const cacheControl = item.cache_control
  if (cacheControl === null || typeof cacheControl !== 'object' || !('scope' in cacheControl)) return item
  const { scope: _scope, ...rest } = cacheControl as Record<string, unknown>
  changes.push(`${path}.cache_control.scope`)
  return { ...item, cache_control: rest }
}

function withoutCacheScope (blocks: readonly ContentBlockParam[], path: string, changes: string[]): ContentBlockParam[] {
  const result = blocks.map((block, index) => {
    if (block === null || typeof block !== 'object') return block
    const scoped = withoutScope(block, `${path}.${index}`, changes)
    if (!Array.isArray(scoped.content)) return scoped
    const content = withoutCacheScope(scoped.content, `${path}.${index}.content`, changes)
    return sameItems(content, scoped.content) ? scoped : { ...scoped, content }
  })
  return sameItems(result, blocks) ? blocks as ContentBlockParam[] : result
}

/**
 * Messages keep their order and content. A `{"role":"system"}` entry (Claude
 * Code's mid-conversation-system beta, which Bedrock does not have) becomes
 * user-turn content at the same place, merged into the following user turn
 * (or the preceding one, at the end) so roles still alternate.
 */
function translateMessages (messages: readonly MessageParam[], changes: string[]): MessageParam[] {
  const result: MessageParam[] = []
  let pendingSystem: ContentBlockParam[] = []
  messages.forEach((message, index) => {
    if (message === null || typeof message !== 'object') {
      result.push(message)
      return
    }
    const content = Array.isArray(message.content)
      ? withoutCacheScope(message.content, `messages.${index}.content`, changes)
      : message.content
    if (message.role === 'system') {
      changes.push(`messages.${index}.role`)
      pendingSystem = [...pendingSystem, ...asBlocks(content)]
      return
    }
    const translated = content === message.content ? message : { ...message, content }
    if (pendingSystem.length === 0) {
      result.push(translated)
      return
    }
    if (translated.role === 'user') {
      result.push({ ...translated, content: insertAfterToolResults(asBlocks(translated.content), pendingSystem) })
    } else {
      appendToUserTurn(result, pendingSystem)
      result.push(translated)
    }
    pendingSystem = []
  })
  if (pendingSystem.length > 0) appendToUserTurn(result, pendingSystem)
  return sameItems(result, messages) ? messages as MessageParam[] : result
}

function sameItems<T> (a: readonly T[], b: readonly T[]): boolean {
  return a.length === b.length && a.every((item, index) => item === b[index])
}

function appendToUserTurn (result: MessageParam[], blocks: ContentBlockParam[]): void {
  const last = result[result.length - 1]
  if (last !== undefined && last.role === 'user') {
    result[result.length - 1] = { ...last, content: [...asBlocks(last.content), ...blocks] }
  } else {
    result.push({ role: 'user', content: blocks })
  }
}

/** The API requires a user turn's tool_result blocks to come before anything else in it. */
function insertAfterToolResults (content: ContentBlockParam[], blocks: ContentBlockParam[]): ContentBlockParam[] {
  let at = 0
  while (at < content.length && content[at]?.type === 'tool_result') at++
  return [...content.slice(0, at), ...blocks, ...content.slice(at)]
}

function asBlocks (content: MessageParam['content']): ContentBlockParam[] {
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', text: content }]
  return Array.isArray(content) ? content : []
}
