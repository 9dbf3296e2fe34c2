/**
 * The whole request translation in one place for every route that calls a
 * model: name to Bedrock id, beta header to body flags, body to Bedrock body.
 */
import type { FastifyBaseLogger } from 'fastify'
import type { MessageCreateParams } from '../types.js'
import { parseBetaHeader, selectBetas } from './betas.js'
import type { ModelResolver, ResolvedModel } from './models.js'
import { toBedrockBody, type BedrockBody } from './request.js'

export interface Invocation {
  readonly model: ResolvedModel
  readonly body: BedrockBody
}

export function prepareInvocation (
  params: Readonly<MessageCreateParams>,
  betaHeader: string | string[] | undefined,
  resolver: ModelResolver,
  log: FastifyBaseLogger
): Invocation {
  const model = resolver.resolve(params.model)
  const bodyBetas = Array.isArray(params.anthropic_beta) ? params.anthropic_beta.filter((flag) => typeof flag === 'string') : []
  const betas = selectBetas([...parseBetaHeader(betaHeader), ...bodyBetas], model.capabilities, model.oneMillionContext)
  const { body, changes } = toBedrockBody(params, betas.kept, model.capabilities)
  if (changes.length > 0 || betas.dropped.length > 0) {
    log.debug({ family: model.capabilities.family, removedFields: changes, droppedBetas: betas.dropped }, 'adapted request for Bedrock')
  }
  return { model, body }
}
