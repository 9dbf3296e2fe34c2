/**
 * Errors of the direct Bedrock path, shaped as the AWS SDK shapes them: the
 * SDK's class name as `name`, Bedrock's message, `$fault` and `$metadata`, so
 * that `isAwsSdkError`/`fromBedrockError` (src/errors.ts) treat both paths the
 * same. And the SDK's standard retry rules, to decide what is worth another try.
 */

export interface ResponseMetadata {
  httpStatusCode?: number
  requestId?: string
  extendedRequestId?: string
  cfId?: string
  attempts?: number
  totalRetryDelay?: number
}

export type Fault = 'client' | 'server'

/** An error as the SDK raises it for a Bedrock call. */
export interface BedrockServiceError extends Error {
  $fault?: Fault
  $metadata: ResponseMetadata
  /** Set on the SDK's retryable classes (ModelNotReadyException). */
  $retryable?: { throttling?: boolean }
  code?: string
}

/**
 * The SDK's modelled Bedrock runtime exceptions and their `$fault` trait.
 * Names outside this table get `$fault` from the status, as the SDK does.
 */
const MODELLED_FAULTS: Readonly<Record<string, Fault>> = {
  AccessDeniedException: 'client',
  InternalServerException: 'server',
  ThrottlingException: 'client',
  ValidationException: 'client',
  ConflictException: 'client',
  ResourceNotFoundException: 'client',
  ServiceQuotaExceededException: 'client',
  ServiceUnavailableException: 'server',
  ModelErrorException: 'client',
  ModelNotReadyException: 'client',
  ModelTimeoutException: 'client',
  ModelStreamErrorException: 'client'
}

/** Members of the modelled exceptions beyond `message` that the SDK copies onto the error. */
const EXTRA_MEMBERS = ['originalStatusCode', 'originalMessage', 'resourceName'] as const

export function serviceError (name: string, message: string, metadata: ResponseMetadata, fault: Fault, data?: Record<string, unknown>): BedrockServiceError {
  const error = new Error(message) as BedrockServiceError
  error.name = name
  error.$fault = fault
  error.$metadata = metadata
  if (name === 'ModelNotReadyException') error.$retryable = {}
  if (data !== undefined) {
    for (const member of EXTRA_MEMBERS) {
      if (data[member] !== undefined) (error as unknown as Record<string, unknown>)[member] = data[member]
    }
  }
  return error
}

/** `x-amzn-ErrorType: Name:namespace` (or `ns#Name`, or a list): the name, as the SDK's sanitizeErrorCode reads it. */
export function sanitizeErrorCode (raw: string): string {
  let value = raw
  if (value.includes(',')) value = value.split(',')[0] ?? value
  if (value.includes(':')) value = value.split(':')[0] ?? value
  if (value.includes('#')) value = value.split('#')[1] ?? value
  return value
}

function bodyCode (data: Record<string, unknown> | undefined): string | undefined {
  if (data === undefined) return undefined
  for (const key of Object.keys(data)) {
    if (key.toLowerCase() === 'code' && data[key] !== undefined) return sanitizeErrorCode(String(data[key]))
  }
  return typeof data.__type === 'string' ? sanitizeErrorCode(data.__type) : undefined
}

/**
 * A non-2xx answer before the body, as the SDK's restJson1 error deserializer
 * builds it: the name from `x-amzn-ErrorType`, else the body's `code`, else its
 * `__type`, else `Unknown`; the message from `message`/`Message`.
 *
 * One deliberate difference: a body that is not JSON (a load balancer's HTML
 * page) makes the SDK throw a SyntaxError quoting the page; here it is an
 * `Unknown` error with a short description (both map to 500 api_error).
 */
export function responseError (status: number, errorType: string | undefined, contentType: string | undefined, text: string, metadata: ResponseMetadata): BedrockServiceError {
  let data: Record<string, unknown> | undefined
  if (text.trim() !== '') {
    try {
      const parsed: unknown = JSON.parse(text)
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) data = parsed as Record<string, unknown>
    } catch {
      // Not JSON: described below.
    }
  } else {
    data = {}
  }
  const name = (errorType === undefined ? undefined : sanitizeErrorCode(errorType)) ?? bodyCode(data) ?? 'Unknown'
  const fault = MODELLED_FAULTS[name] ?? (status < 500 ? 'client' : 'server')
  const found = data?.message ?? data?.Message
  const message = data === undefined
    ? `Bedrock answered HTTP ${status} with a body that is not JSON${contentType === undefined ? '' : ` (${contentType.split(';')[0]})`}`
    : (typeof found === 'string' ? found : found === undefined ? 'UnknownError' : String(found))
  return serviceError(name, message, metadata, fault, data)
}

/** `throttlingException` -> `ThrottlingException`: the SDK's class for an event-stream exception frame. */
export function streamExceptionName (type: string): string {
  return type.length === 0 ? 'Unknown' : type[0]!.toUpperCase() + type.slice(1)
}

/**
 * An exception frame mid-stream. Known types get the SDK's class name and
 * fault; an unknown type keeps its name and the frame's text as the message,
 * as the SDK's unmarshaller does.
 */
export function streamException (type: string, payload: Uint8Array, requestId: string | undefined): BedrockServiceError {
  const text = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('utf8')
  const name = streamExceptionName(type)
  const fault = MODELLED_FAULTS[name]
  let data: Record<string, unknown> | undefined
  try {
    const parsed: unknown = JSON.parse(text)
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) data = parsed as Record<string, unknown>
  } catch {
    // Described by its text below.
  }
  if (fault === undefined || data === undefined) return serviceError(type, text, { requestId }, 'server')
  const found = data.message ?? data.Message
  return serviceError(name, typeof found === 'string' ? found : 'UnknownError', { requestId }, fault, data)
}

/** An `error` frame (`:error-code`, `:error-message`): unmodelled, as the SDK raises it, plus the AWS markers. */
export function streamErrorFrame (code: string, message: string | undefined, requestId: string | undefined): BedrockServiceError {
  return serviceError(code || 'Unknown', message || 'UnknownError', { requestId }, 'server')
}

/** What the signal's abort throws from every call: recognisable by name, with the reason as its cause. */
export function abortError (signal: AbortSignal): Error {
  const error = new Error('Request aborted', { cause: signal.reason })
  error.name = 'AbortError'
  return error
}

/** undici's socket failure codes, as the Node error codes the SDK's retry rules know. */
const TRANSPORT_CODES: Readonly<Record<string, string>> = {
  UND_ERR_SOCKET: 'ECONNRESET',
  UND_ERR_CLOSED: 'ECONNRESET',
  UND_ERR_CONNECT_TIMEOUT: 'ETIMEDOUT'
}
const TIMEOUT_CODES = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT'])

/**
 * A transport failure (refused, reset, timed out, TLS), with `$metadata` as
 * the SDK adds it, and named `TimeoutError` for the codes the SDK's Node
 * handler renames so.
 */
export function transportError (cause: unknown, metadata: ResponseMetadata): BedrockServiceError {
  const original = cause instanceof Error ? cause : new Error(String(cause))
  const rawCode = (original as { code?: unknown }).code
  const code = typeof rawCode === 'string' ? (TRANSPORT_CODES[rawCode] ?? rawCode) : undefined
  const error = new Error(original.message, { cause: original }) as BedrockServiceError
  error.name = code !== undefined && TIMEOUT_CODES.has(code) ? 'TimeoutError' : original.name
  if (code !== undefined) error.code = code
  error.$metadata = metadata
  return error
}

// The SDK's standard retry strategy (@smithy/core/retry), reduced to what Bedrock runtime calls meet.
const THROTTLING_NAMES = new Set([
  'BandwidthLimitExceeded', 'EC2ThrottledException', 'LimitExceededException', 'PriorRequestNotComplete',
  'ProvisionedThroughputExceededException', 'RequestLimitExceeded', 'RequestThrottled', 'RequestThrottledException',
  'SlowDown', 'ThrottledException', 'Throttling', 'ThrottlingException', 'TooManyRequestsException',
  'TransactionInProgressException'
])
const TRANSIENT_NAMES = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException'])
const TRANSIENT_STATUS = new Set([500, 502, 503, 504])
const TRANSIENT_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN'])

export type RetryKind = 'throttling' | 'transient' | undefined

export function retryKind (error: BedrockServiceError): RetryKind {
  if (error.name === 'AbortError') return undefined
  const status = error.$metadata.httpStatusCode
  if (status === 429 || THROTTLING_NAMES.has(error.name) || error.$retryable?.throttling === true) return 'throttling'
  if (error.$retryable !== undefined || TRANSIENT_NAMES.has(error.name) ||
    (error.code !== undefined && TRANSIENT_CODES.has(error.code)) ||
    (status !== undefined && TRANSIENT_STATUS.has(status))) return 'transient'
  return undefined
}
