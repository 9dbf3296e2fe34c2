/**
 * Bearer-token auth. `Authorization: Bearer <t>` is checked by
 * @fastify/bearer-auth; `x-api-key: <t>` (what the SDKs and Claude Code send
 * for an API key) by the same comparison. `/health`, CORS preflights and
 * unknown routes need no token.
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import bearerAuth from '@fastify/bearer-auth'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { unauthenticated } from '../errors.js'

export interface AuthOptions {
  readonly tokens: readonly string[]
}

const digest = (value: string): Buffer => createHash('sha256').update(value).digest()

/**
 * Compares digests, so the time taken does not depend on the length of the
 * presented token, and checks every accepted token without stopping at a match.
 */
export function tokenVerifier (tokens: readonly string[]): (candidate: string) => boolean {
  const accepted = tokens.map(digest)
  return (candidate) => {
    const presented = digest(candidate)
    let matched = false
    for (const token of accepted) matched = timingSafeEqual(token, presented) || matched
    return matched
  }
}

const PUBLIC_ROUTES = new Set(['/health'])

function isPublic (request: FastifyRequest): boolean {
  const route = request.routeOptions.url
  return request.method === 'OPTIONS' || route === undefined || PUBLIC_ROUTES.has(route)
}

export default fp(async function auth (app: FastifyInstance, options: AuthOptions) {
  const verify = tokenVerifier(options.tokens)
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
