/**
 * One log line per request, written when the response closes, whether Fastify
 * sent it or a stream wrote it to the raw socket. Routes fill in what they
 * learn (model, Bedrock ids, usage) on `request.audit`.
 */
import { randomUUID } from 'node:crypto'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'

export interface TokenUsage {
  input?: number
  output?: number
  cacheRead?: number
  cacheWrite?: number
}

const tokenCount = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined)

/**
 * Folds an Anthropic `usage` object into the audit's counts. Streams report
 * usage twice (message_start, then message_delta); later figures win.
 */
export function recordUsage (usage: TokenUsage, reported: Record<string, unknown> | null | undefined): void {
  if (reported === undefined || reported === null) return
  usage.input = tokenCount(reported.input_tokens) ?? usage.input
  usage.output = tokenCount(reported.output_tokens) ?? usage.output
  usage.cacheRead = tokenCount(reported.cache_read_input_tokens) ?? usage.cacheRead
  usage.cacheWrite = tokenCount(reported.cache_creation_input_tokens) ?? usage.cacheWrite
}

export interface Audit {
  readonly startedAt: bigint
  model?: string
  bedrockModelId?: string
  bedrockRequestId?: string
  stream?: boolean
  ttfbMs?: number
  usage?: TokenUsage
  /** The Anthropic error type answered, including one sent as a stream `error` event. */
  errorType?: string
}

declare module 'fastify' {
  interface FastifyRequest {
    audit: Audit
  }
}

/** Anthropic-style request ids: opaque, unguessable, never taken from the client. */
export function newRequestId (): string {
  return `req_${randomUUID().replaceAll('-', '')}`
}

export function elapsedMs (audit: Audit): number {
  return Number(process.hrtime.bigint() - audit.startedAt) / 1e6
}

/** Marks the moment the first byte of the answer goes out. */
export function markFirstByte (request: FastifyRequest): void {
  request.audit.ttfbMs ??= round(elapsedMs(request.audit))
}

const round = (ms: number): number => Math.round(ms * 100) / 100

export default fp(async function requestLog (app: FastifyInstance) {
  app.decorateRequest('audit', null as unknown as Audit)
  app.addHook('onRequest', async (request, reply) => {
    request.audit = { startedAt: process.hrtime.bigint() }
    reply.header('request-id', request.id)
    reply.raw.once('close', () => {
      const { audit } = request
      const finished = reply.raw.writableEnded
      request.log.info({
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status: finished ? reply.raw.statusCode : 499,
        latencyMs: round(elapsedMs(audit)),
        ttfbMs: audit.ttfbMs,
        model: audit.model,
        bedrockModelId: audit.bedrockModelId,
        bedrockRequestId: audit.bedrockRequestId,
        stream: audit.stream,
        usage: audit.usage,
        errorType: audit.errorType,
        aborted: finished ? undefined : true
      }, 'request')
    })
  })
}, { name: 'request-log' })
