/** DESIGN section 5 as a table: Bedrock exception -> status, error type, x-should-retry, retry-after. */
export const BEDROCK_ERROR_TABLE: ReadonlyArray<readonly [name: string, status: number, type: string, shouldRetry: string, retryAfter: string | undefined]> = [
  ['ValidationException', 400, 'invalid_request_error', 'false', undefined],
  ['AccessDeniedException', 403, 'permission_error', 'false', undefined],
  ['ResourceNotFoundException', 404, 'not_found_error', 'false', undefined],
  ['ThrottlingException', 429, 'rate_limit_error', 'true', '5'],
  ['ServiceQuotaExceededException', 429, 'rate_limit_error', 'true', '5'],
  ['ModelTimeoutException', 504, 'timeout_error', 'true', undefined],
  ['ModelNotReadyException', 529, 'overloaded_error', 'true', '5'],
  ['ServiceUnavailableException', 529, 'overloaded_error', 'true', '5'],
  ['InternalServerException', 500, 'api_error', 'true', undefined],
  ['ModelErrorException', 500, 'api_error', 'true', undefined]
]
