/**
 * The Anthropic API shapes the proxy reads or writes, named as the official
 * `@anthropic-ai/sdk` names them. Only the fields the proxy itself touches are
 * typed; everything else a client sends is carried through untouched, which is
 * why the request types keep an index signature.
 */

export type ErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'not_found_error'
  | 'request_too_large'
  | 'rate_limit_error'
  | 'api_error'
  | 'timeout_error'
  | 'overloaded_error'

export interface ErrorResponse {
  type: 'error'
  error: { type: ErrorType; message: string }
  request_id: string
}

export interface CacheControlEphemeral {
  type: 'ephemeral'
  ttl?: string
  [key: string]: unknown
}

export interface ContentBlockParam {
  type: string
  text?: string
  content?: string | ContentBlockParam[]
  cache_control?: CacheControlEphemeral | null
  [key: string]: unknown
}

export interface MessageParam {
  role: 'user' | 'assistant' | 'system'
  content: string | ContentBlockParam[]
}

export interface Tool {
  name?: string
  type?: string
  cache_control?: CacheControlEphemeral | null
  defer_loading?: boolean
  eager_input_streaming?: boolean
  [key: string]: unknown
}

export interface Metadata {
  user_id?: string | null
  [key: string]: unknown
}

interface MessageParamsBase {
  model: string
  messages: MessageParam[]
  system?: string | ContentBlockParam[]
  tools?: Tool[]
  thinking?: { type: string; budget_tokens?: number; [key: string]: unknown }
  metadata?: Metadata
  [key: string]: unknown
}

export interface MessageCreateParams extends MessageParamsBase {
  max_tokens: number
  stream?: boolean
}

/** count_tokens takes no max_tokens; Bedrock's CountTokens body needs one (see routes/count-tokens.ts). */
export interface MessageCountTokensParams extends MessageParamsBase {
  max_tokens?: number
}

export interface Usage {
  input_tokens?: number
  output_tokens?: number
  cache_creation_input_tokens?: number | null
  cache_read_input_tokens?: number | null
}

export interface Message {
  id: string
  type: 'message'
  model: string
  usage?: Usage
  [key: string]: unknown
}

export interface MessageTokensCount {
  input_tokens: number
}

export interface ModelInfo {
  type: 'model'
  id: string
  display_name: string
  created_at: string
}

export interface ModelInfosPage {
  data: ModelInfo[]
  has_more: boolean
  first_id: string | null
  last_id: string | null
}
