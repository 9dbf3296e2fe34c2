import type { FastifyInstance } from 'fastify'

/** Readiness for the Lambda Web Adapter and ALB checks: no auth, no AWS call. */
export default async function healthRoutes (app: FastifyInstance): Promise<void> {
  app.get('/health', async () => ({ status: 'ok' }))
}
