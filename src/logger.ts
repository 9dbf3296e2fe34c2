/**
 * The pino logger. Credentials never reach a log line: the headers that carry
 * them are redacted wherever a logged object holds them.
 */
import pino, { type DestinationStream, type Logger } from 'pino'

const SECRET_HEADERS = ['authorization', 'x-api-key', 'x-amz-security-token']
const HEADER_HOLDERS = ['headers', 'req.headers', 'request.headers', '*.headers']

export const REDACTED_PATHS: readonly string[] = HEADER_HOLDERS.flatMap((holder) =>
  SECRET_HEADERS.map((header) => `${holder}["${header}"]`))

export function createLogger (level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    redact: { paths: [...REDACTED_PATHS], censor: '[redacted]' },
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime
  }
  return destination === undefined ? pino(options) : pino(options, destination)
}
