/**
 * GET /v1/models and /v1/models/:id in the Anthropic list shape, with the
 * API's cursor pagination (`limit`, `after_id`, `before_id`).
 */
import type { FastifyInstance } from 'fastify'
import { ProxyError } from '../errors.js'
import type { ModelSource } from '../bedrock/discovery.js'
import type { ModelInfo, ModelInfosPage } from '../types.js'

export interface ModelsOptions {
  readonly models: ModelSource
}

interface PageQuery { limit?: string; after_id?: string; before_id?: string }

const pageQuery = {
  type: 'object',
  properties: {
    limit: { type: 'string', pattern: '^([1-9][0-9]{0,2}|1000)$' },
    after_id: { type: 'string', maxLength: 256 },
    before_id: { type: 'string', maxLength: 256 },
    beta: { type: 'string' }
  }
} as const

export function page (models: readonly ModelInfo[], query: PageQuery): ModelInfosPage {
  const limit = query.limit === undefined ? 20 : Number(query.limit)
  const indexOf = (id: string): number => {
    const index = models.findIndex((model) => model.id === id)
    if (index < 0) throw new ProxyError(400, 'invalid_request_error', `Unknown model id in cursor: ${id.slice(0, 100)}`)
    return index
  }
  let start = 0
  let end = models.length
  if (query.after_id !== undefined) start = indexOf(query.after_id) + 1
  if (query.before_id !== undefined) {
    end = indexOf(query.before_id)
    start = Math.max(start, end - limit)
  }
  const data = models.slice(start, Math.min(end, start + limit))
  return {
    data,
    has_more: start + data.length < end || (query.before_id !== undefined && start > 0),
    first_id: data[0]?.id ?? null,
    last_id: data[data.length - 1]?.id ?? null
  }
}

export default async function modelsRoutes (app: FastifyInstance, options: ModelsOptions): Promise<void> {
  const { models } = options

  app.get<{ Querystring: PageQuery }>('/v1/models', { schema: { querystring: pageQuery } }, async (request) => page(models.resolver.list(), request.query))

  app.get<{ Params: { id: string } }>('/v1/models/:id', async (request) => {
    const info = models.resolver.describe(request.params.id)
    if (info === undefined) throw new ProxyError(404, 'not_found_error', `model: ${request.params.id.slice(0, 100)} was not found`)
    return info
  })
}
