/**
 * POST /v1/messages/count_tokens through Bedrock CountTokens. A failure is a
 * real error: a made-up count would silently break clients' context budgeting.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Bedrock } from '../bedrock/client.js'
import type { UpstreamCalls } from '../bedrock/upstream-call.js'
import type { ModelSource } from '../bedrock/discovery.js'
import { prepareInvocation } from '../translate/prepare.js'
import type { MessageCountTokensParams, MessageCreateParams, MessageTokensCount } from '../types.js'
import { countTokensBody } from './schemas.js'

export interface CountTokensOptions {
  readonly bedrock: Bedrock
  readonly models: ModelSource
  readonly calls: UpstreamCalls
}

/**
 * CountTokens takes a full InvokeModel body, which needs `max_tokens`; it must
 * exceed a thinking budget or Bedrock refuses the body. It does not change the count.
 */
export function countingMaxTokens (params: Readonly<MessageCountTokensParams>): number {
  if (typeof params.max_tokens === 'number') return params.max_tokens
  const budget = params.thinking?.budget_tokens
  return typeof budget === 'number' && budget > 0 ? budget + 1 : 1
}

export default async function countTokensRoutes (app: FastifyInstance, options: CountTokensOptions): Promise<void> {
  const { bedrock, models, calls } = options

  app.post('/v1/messages/count_tokens', { schema: { body: countTokensBody } }, async (request: FastifyRequest<{ Body: MessageCountTokensParams }>, reply): Promise<MessageTokensCount> => {
    const params: MessageCreateParams = { ...request.body, max_tokens: countingMaxTokens(request.body) }
    request.audit.model = params.model
    const { model, body } = prepareInvocation(params, request.headers['anthropic-beta'], models.resolver, request.log)
    request.audit.bedrockModelId = model.countTokensModelId
    const call = calls.open(reply)
    const result = await call.step(bedrock.countTokens(model.countTokensModelId, Buffer.from(JSON.stringify(body)), call.signal))
    call.finish()
    request.audit.bedrockRequestId = result.requestId
    request.audit.usage = { input: result.inputTokens }
    return { input_tokens: result.inputTokens }
  })
}
