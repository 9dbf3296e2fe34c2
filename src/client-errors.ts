/**
 * Requests Node's HTTP parser rejects before Fastify sees them (malformed
 * request lines, oversized headers) still get an Anthropic-shaped error.
 */
import { STATUS_CODES } from 'node:http'
import type { Socket } from 'node:net'
import { newRequestId } from './plugins/request-log.js'

export function answerClientError (error: Error & { code?: string }, socket: Socket): void {
  if (!socket.writable || error.code === 'ECONNRESET') {
    socket.destroy()
    return
  }
  const oversized = error.code === 'HPE_HEADER_OVERFLOW'
  const status = oversized ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400
  const requestId = newRequestId()
  const body = JSON.stringify({
    type: 'error',
    error: {
      type: oversized ? 'request_too_large' : 'invalid_request_error',
      message: oversized ? 'Request headers are too large.' : status === 408 ? 'The request took too long to arrive.' : 'Malformed HTTP request.'
    },
    request_id: requestId
  })
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n` +
    `request-id: ${requestId}\r\nconnection: close\r\n\r\n${body}`)
}
