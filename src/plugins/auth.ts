/**
 * Bearer-token auth. `Authorization: Bearer <t>` is checked by
 * @fastify/bearer-auth; `x-api-key: <t>` (what the SDKs and Claude Code send
 * for an API key) by the same comparison. `/health`, CORS preflights and
 * unknown routes need no token.
 */
import bearerAuth from '@fastify/bearer-auth'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type { TokenSet } from '../auth/tokens.js'
import { unauthenticated } from '../errors.js'

export interface AuthOptions {
  readonly tokens: TokenSet
}

const PUBLIC_ROUTES = new Set(['/health'])

function isPublic (request: FastifyRequest): boolean {
  const route = request.routeOptions.url
  return request.method === 'OPTIONS' || route === undefined || PUBLIC_ROUTES.has(route)
}

export default fp(async function auth (app: FastifyInstance, options: AuthOptions) {
  const verify = (candidate: string): boolean => options.tokens.verify(candidate)
  await app.register(bearerAuth, {
    keys: [],
    auth: verify,
    addHook: false,
    // Case-insensitive scheme: `bearer <t>` is as common in the wild as `Bearer <t>`.
    specCompliance: 'rfc6749',
    verifyErrorLogLevel: 'debug'
  })

  app.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void) => {
    if (isPublic(request)) return done()
    const apiKey = request.headers['x-api-key']
    if (typeof apiKey === 'string' && verify(apiKey)) return done()
    if (request.headers.authorization === undefined) return done(unauthenticated())
    app.verifyBearerAuth!(request, reply, (error?: Error) => done(error === undefined ? undefined : unauthenticated()))
  })
}, { name: 'auth', dependencies: ['request-log'] })
