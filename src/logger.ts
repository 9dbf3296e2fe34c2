/**
 * The pino logger. Credentials never reach a log line: the headers that carry
 * them are redacted wherever a logged object holds them.
 */
import pino, { type DestinationStream, type Logger } from 'pino'

const SECRET_HEADERS = ['authorization', '"x-api-key"', '"x-amz-security-token"']

export const REDACTED_PATHS: readonly string[] = SECRET_HEADERS.flatMap((header) => [
  `headers.${header}`,
  `req.headers.${header}`,
  `request.headers.${header}`
])

export function createLogger (level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    redact: { paths: [...REDACTED_PATHS], censor: '[redacted]' },
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime
  }
  return destination === undefined ? pino(options) : pino(options, destination)
}
