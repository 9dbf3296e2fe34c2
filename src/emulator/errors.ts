// Bedrock error replies, in the exact wire shape the AWS SDK's restJson1 protocol parses:
// status code + `x-amzn-ErrorType: <Name>:<namespace>` + JSON body `{"message": "..."}`.
// The SDK reads the name before the colon to pick its typed exception class.

const BEDROCK_NAMESPACE = 'http://internal.amazon.com/coral/com.amazon.bedrock/'
// Authentication failures come from the shared AWS front door, not from Bedrock itself.
const CORAL_NAMESPACE = 'http://internal.amazon.com/coral/com.amazon.coral.service/'

/** HTTP status of every error the emulator can answer with before the first byte. */
export const ERROR_STATUS: Readonly<Record<string, number>> = {
  ValidationException: 400,
  AccessDeniedException: 403,
  ResourceNotFoundException: 404,
  ModelTimeoutException: 408,
  ThrottlingException: 429,
  ModelNotReadyException: 429,
  ServiceQuotaExceededException: 400,
  ModelErrorException: 424,
  InternalServerException: 500,
  ServiceUnavailableException: 503,
  UnrecognizedClientException: 403,
  InvalidSignatureException: 403,
  UnknownOperationException: 404,
}

const AUTH_ERRORS = new Set(['UnrecognizedClientException', 'InvalidSignatureException', 'UnknownOperationException'])

/** Exception types the InvokeModelWithResponseStream event stream can carry (`:exception-type`). */
export const STREAM_EXCEPTION_TYPES: ReadonlySet<string> = new Set([
  'throttlingException',
  'modelStreamErrorException',
  'validationException',
  'internalServerException',
  'serviceUnavailableException',
  'modelTimeoutException',
])

export class BedrockError extends Error {
  readonly type: string
  readonly status: number

  constructor(type: string, message: string) {
    super(message)
    const status = ERROR_STATUS[type]
    if (status === undefined) throw new TypeError(`unknown Bedrock error type: ${type}`)
    this.type = type
    this.status = status
  }
}

export function validationError(message: string): BedrockError {
  return new BedrockError('ValidationException', message)
}

export const MALFORMED_INPUT = 'Malformed input request, please reformat your input and try again.'
export const INVALID_MODEL_ID = 'The provided model identifier is invalid.'
export const INVALID_TOKEN = 'The security token included in the request is invalid.'
export const INVALID_SIGNATURE =
  'The request signature we calculated does not match the signature you provided. ' +
  'Check your AWS Secret Access Key and signing method. Consult the service documentation for details.'

/** Default message for a scripted error that gives none. */
export function defaultMessage(type: string): string {
  return `Emulated ${type}`
}

/** Headers and body of an error reply; the caller adds x-amzn-requestid. */
export function errorReply(error: BedrockError): { status: number; headers: Record<string, string>; body: string } {
  const namespace = AUTH_ERRORS.has(error.type) ? CORAL_NAMESPACE : BEDROCK_NAMESPACE
  return {
    status: error.status,
    headers: {
      'content-type': 'application/json',
      'x-amzn-errortype': `${error.type}:${namespace}`,
    },
    body: JSON.stringify({ message: error.message }),
  }
}
