import type { FastifyReply } from 'fastify'

/**
 * An AbortSignal that fires when the client goes away before the response is
 * finished, so the Bedrock call stops generating (and billing) with it.
 */
export function abortOnDisconnect (reply: FastifyReply): AbortSignal {
  const controller = new AbortController()
  const raw = reply.raw
  raw.once('close', () => {
    if (!raw.writableEnded) controller.abort()
  })
  return controller.signal
}
