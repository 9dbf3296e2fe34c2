/**
 * One error type for everything the proxy answers with, and the mapping from
 * Fastify, auth and Bedrock failures into it (DESIGN section 5).
 */
import type { ErrorResponse, ErrorType } from './types.js'

export interface RetryAdvice {
  /** `x-should-retry`: the official SDKs honour it over their own status rules. */
  readonly shouldRetry: boolean
  /** `retry-after` in seconds, where waiting is what helps. */
  readonly retryAfterSeconds?: number
}

export class ProxyError extends Error {
  readonly statusCode: number
  readonly type: ErrorType
  readonly retry: RetryAdvice | undefined

  constructor (statusCode: number, type: ErrorType, message: string, retry?: RetryAdvice) {
    super(message)
    this.name = 'ProxyError'
    this.statusCode = statusCode
    this.type = type
    this.retry = retry
  }

  body (requestId: string): ErrorResponse {
    return { type: 'error', error: { type: this.type, message: this.message }, request_id: requestId }
  }

  /** Headers that tell clients whether and when to retry. */
  headers (): Record<string, string> {
    if (this.retry === undefined) return {}
    const headers: Record<string, string> = { 'x-should-retry': String(this.retry.shouldRetry) }
    if (this.retry.retryAfterSeconds !== undefined) headers['retry-after'] = String(this.retry.retryAfterSeconds)
    return headers
  }
}

export const invalidRequest = (message: string): ProxyError =>
  new ProxyError(400, 'invalid_request_error', message)

const NO_RETRY: RetryAdvice = { shouldRetry: false }
const RETRY_SOON: RetryAdvice = { shouldRetry: true }
const RETRY_LATER: RetryAdvice = { shouldRetry: true, retryAfterSeconds: 5 }

interface BedrockMapping { status: number; type: ErrorType; retry: RetryAdvice }

/**
 * Bedrock exception names (the SDK's class names, which are also the
 * `x-amzn-ErrorType` names; event-stream exception frames arrive lowerCamel
 * and the SDK raises them under the same class names).
 */
const BEDROCK_ERRORS: Readonly<Record<string, BedrockMapping>> = {
  ValidationException: { status: 400, type: 'invalid_request_error', retry: NO_RETRY },
  AccessDeniedException: { status: 403, type: 'permission_error', retry: NO_RETRY },
  UnrecognizedClientException: { status: 403, type: 'permission_error', retry: NO_RETRY },
  InvalidSignatureException: { status: 403, type: 'permission_error', retry: NO_RETRY },
  ExpiredTokenException: { status: 403, type: 'permission_error', retry: NO_RETRY },
  ResourceNotFoundException: { status: 404, type: 'not_found_error', retry: NO_RETRY },
  ThrottlingException: { status: 429, type: 'rate_limit_error', retry: RETRY_LATER },
  ServiceQuotaExceededException: { status: 429, type: 'rate_limit_error', retry: RETRY_LATER },
  ModelTimeoutException: { status: 504, type: 'timeout_error', retry: RETRY_SOON },
  ModelNotReadyException: { status: 529, type: 'overloaded_error', retry: RETRY_LATER },
  ServiceUnavailableException: { status: 529, type: 'overloaded_error', retry: RETRY_LATER },
  InternalServerException: { status: 500, type: 'api_error', retry: RETRY_SOON },
  ModelErrorException: { status: 500, type: 'api_error', retry: RETRY_SOON },
  ModelStreamErrorException: { status: 500, type: 'api_error', retry: RETRY_SOON }
}


/** ARNs and account ids are the caller's infrastructure, not something to hand to every client. */
export function scrubAwsIdentifiers (message: string): string {
  return message
    .replace(/arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:\d{0,12}:[^\s"',;)]+/g, '[arn]')
    .replace(/\b\d{12}\b/g, '[account]')
}

/** True for a failure that the AWS SDK raised for a Bedrock call (service or transport). */
export function isAwsSdkError (error: unknown): error is Error & { $metadata?: { httpStatusCode?: number; requestId?: string } } {
  return error instanceof Error && ('$metadata' in error || '$fault' in error)
}

/**
 * Bedrock's own exceptions keep Bedrock's message. Anything else (a load
 * balancer's HTML page, a reset connection) gets a message of ours: the
 * SDK's text for those quotes raw bytes and its own internals.
 */
export function fromBedrockError (error: Error & { $metadata?: { httpStatusCode?: number }; code?: string }): ProxyError {
  const mapping = BEDROCK_ERRORS[error.name]
  if (mapping !== undefined) {
    return new ProxyError(mapping.status, mapping.type, scrubAwsIdentifiers(error.message || error.name), mapping.retry)
  }
  const status = error.$metadata?.httpStatusCode
  if (status === undefined) return new ProxyError(500, 'api_error', `Could not reach Bedrock (${error.code ?? error.name}).`, RETRY_SOON)
  if (status === 503) return new ProxyError(529, 'overloaded_error', 'Bedrock is unavailable (HTTP 503); retry shortly.', RETRY_LATER)
  if (status === 504) return new ProxyError(504, 'timeout_error', 'Bedrock timed out (HTTP 504).', RETRY_SOON)
  return new ProxyError(500, 'api_error', `Bedrock answered with an unexpected response (HTTP ${status}).`, RETRY_SOON)
}

interface FastifyLikeError extends Error { code?: string; statusCode?: number; validation?: unknown }

const FASTIFY_CODES: Readonly<Record<string, (error: FastifyLikeError) => ProxyError>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: () => new ProxyError(413, 'request_too_large', 'Request exceeds the maximum allowed number of bytes.'),
  FST_ERR_CTP_INVALID_MEDIA_TYPE: () => invalidRequest('Unsupported content type: send the body as application/json.'),
  FST_ERR_CTP_EMPTY_JSON_BODY: () => invalidRequest('The request body is empty; expected a JSON object.'),
  FST_ERR_CTP_INVALID_JSON_BODY: (error) => invalidRequest(`The request body is not valid JSON: ${error.message}`),
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: () => invalidRequest('The request body length does not match its content-length header.'),
  FST_ERR_BAD_URL: () => invalidRequest('The request URL is malformed.'),
  FST_ERR_MAX_PARAM_LENGTH: () => new ProxyError(414, 'invalid_request_error', 'A path segment of the request URL is too long.'),
  FST_ERR_ASYNC_CONSTRAINT: () => invalidRequest('The request could not be routed.'),
  FST_BEARER_AUTH_MISSING_AUTHORIZATION_HEADER: () => unauthenticated(),
  FST_BEARER_AUTH_INVALID_AUTHORIZATION_HEADER: () => unauthenticated()
}

export const unauthenticated = (): ProxyError =>
  new ProxyError(401, 'authentication_error', 'invalid x-api-key or authorization bearer token')

/**
 * Every failure becomes a ProxyError. Client mistakes that Fastify reports are
 * 4xx; anything unrecognised is a 500 `api_error` with a generic message so that
 * internals do not leak.
 */
export function toProxyError (error: unknown): ProxyError {
  if (error instanceof ProxyError) return error
  if (isAwsSdkError(error)) return fromBedrockError(error)
  const candidate = error as FastifyLikeError
  if (candidate?.validation !== undefined) return invalidRequest(candidate.message)
  const byCode = candidate?.code === undefined ? undefined : FASTIFY_CODES[candidate.code]
  if (byCode !== undefined) return byCode(candidate)
  if (candidate?.name === 'CredentialsProviderError') {
    return new ProxyError(500, 'api_error', 'The proxy could not load AWS credentials to call Bedrock; see its logs.', RETRY_SOON)
  }
  if (error instanceof SyntaxError) return invalidRequest(`The request body is not valid JSON: ${error.message}`)
  const status = candidate?.statusCode
  if (typeof status === 'number' && status >= 400 && status < 500) {
    if (status === 413) return FASTIFY_CODES.FST_ERR_CTP_BODY_TOO_LARGE!(candidate)
    return invalidRequest(candidate.message)
  }
  return new ProxyError(500, 'api_error', 'Internal server error', RETRY_SOON)
}
