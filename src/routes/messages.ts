/**
 * POST /v1/messages: InvokeModel for JSON answers, InvokeModelWithResponseStream
 * relayed as Server-Sent Events for `stream: true`.
 */
import type { OutgoingHttpHeaders } from 'node:http'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Bedrock } from '../bedrock/client.js'
import type { UpstreamCalls } from '../bedrock/upstream-call.js'
import { ProxyError } from '../errors.js'
import { markFirstByte, recordUsage, type TokenUsage } from '../plugins/request-log.js'
import { relay } from '../streaming/relay.js'
import { SSE_HEADERS } from '../streaming/sse.js'
import type { ModelSource } from '../bedrock/discovery.js'
import { prepareInvocation } from '../translate/prepare.js'
import type { MessageCreateParams } from '../types.js'
import { messagesBody } from './schemas.js'

export interface MessagesOptions {
  readonly bedrock: Bedrock
  readonly models: ModelSource
  readonly pingIntervalMs: number
  readonly calls: UpstreamCalls
}


export default async function messagesRoutes (app: FastifyInstance, options: MessagesOptions): Promise<void> {
  const { bedrock, models, pingIntervalMs, calls } = options

  async function streamMessage (request: FastifyRequest, reply: FastifyReply, modelId: string, payload: Uint8Array): Promise<void> {
    const call = calls.open(reply)
    const upstream = await call.step(bedrock.invokeStream(modelId, payload, call.signal))
    request.audit.bedrockRequestId = upstream.requestId
    const events = upstream.events[Symbol.asyncIterator]()
    // Until Bedrock's first event is in, a failure is still a plain HTTP error the client can retry.
    const first = await call.step(events.next())
    if (first.done === true) throw new ProxyError(500, 'api_error', 'Bedrock ended the stream before its first event', { shouldRetry: true })

    reply.hijack()
    // Hijacked replies skip Fastify's header handling: CORS and request-id are copied over.
    reply.raw.writeHead(200, { ...(reply.getHeaders() as OutgoingHttpHeaders), ...SSE_HEADERS })
    markFirstByte(request)
    const usage: TokenUsage = {}
    request.audit.usage = usage
    const outcome = await relay({ raw: reply.raw, events, first: first.value, call, pingIntervalMs, requestId: request.id, usage })
    request.audit.errorType = outcome.errorType
  }

  const handler = async (request: FastifyRequest<{ Body: MessageCreateParams }>, reply: FastifyReply): Promise<unknown> => {
    const params = request.body
    const { audit } = request
    audit.model = params.model
    audit.stream = params.stream === true
    const { model, body } = prepareInvocation(params, request.headers['anthropic-beta'], models.resolver, request.log)
    audit.bedrockModelId = model.bedrockModelId
    const payload = Buffer.from(JSON.stringify(body))

    if (params.stream === true) return streamMessage(request, reply, model.bedrockModelId, payload)

    const call = calls.open(reply)
    const result = await call.step(bedrock.invoke(model.bedrockModelId, payload, call.signal))
    call.finish()
    audit.bedrockRequestId = result.requestId
    const answer = Buffer.from(result.body.buffer, result.body.byteOffset, result.body.byteLength)
    try {
      const usage: TokenUsage = {}
      recordUsage(usage, (JSON.parse(answer.toString('utf8')) as { usage?: Record<string, unknown> }).usage)
      audit.usage = usage
    } catch {
      throw new ProxyError(500, 'api_error', 'Bedrock returned a body that is not JSON', { shouldRetry: true })
    }
    markFirstByte(request)
    // Bedrock's body is already an Anthropic Message: sent as the bytes it came in.
    return reply.type('application/json').send(answer)
  }

  app.post('/v1/messages', { schema: { body: messagesBody } }, handler)
}
