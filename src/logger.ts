/**
 * The pino logger. Credentials never reach a log line: the headers that carry
 * them are redacted wherever a logged object holds them.
 */
import pino, { type DestinationStream, type Logger } from 'pino'

const SECRET_HEADERS = ['authorization', 'x-api-key', 'x-amz-security-token']
const HEADER_HOLDERS = ['headers', 'req.headers', 'request.headers', '*.headers']

export const REDACTED_PATHS: readonly string[] = HEADER_HOLDERS.flatMap((holder) =>
  SECRET_HEADERS.map((header) => `${holder}["${header}"]`))

/**
 * Lines go to stdout asynchronously: a synchronous write per request blocks
 * the event loop that relays streams. Buffered lines are written out when the
 * process exits, so a graceful stop loses none.
 */
function stdout (): DestinationStream {
  const destination = pino.destination({ dest: 1, sync: false })
  process.once('exit', () => {
    try {
      destination.flushSync()
    } catch {
      // stdout already closed: nothing more can be written.
    }
  })
  return destination
}

export function createLogger (level: string, destination: DestinationStream = stdout()): Logger {
  return pino({
    level,
    redact: { paths: [...REDACTED_PATHS], censor: '[redacted]' },
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime
  }, destination)
}
