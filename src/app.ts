/**
 * The application factory: everything but listening. Tests build it with an
 * injected Config and dependencies; server.ts builds it from the environment.
 */
import cors from '@fastify/cors'
import type { Server } from 'node:http'
import Fastify, { LogController, type FastifyBaseLogger, type FastifyHttpOptions, type FastifyInstance, type FastifyReply } from 'fastify'
import type { DestinationStream } from 'pino'
import type { Bedrock } from './bedrock/client.js'
import { createDirectBedrock } from './bedrock/direct/index.js'
import { accountLister, type AccountLister } from './bedrock/control-plane.js'
import { ModelRegistry } from './bedrock/discovery.js'
import { UpstreamCalls } from './bedrock/upstream-call.js'
import { answerClientError } from './client-errors.js'
import type { Config } from './config.js'
import { ProxyError, toProxyError } from './errors.js'
import { createLogger } from './logger.js'
import { TokenSet } from './auth/tokens.js'
import auth from './plugins/auth.js'
import requestLog, { newRequestId } from './plugins/request-log.js'
import countTokensRoutes from './routes/count-tokens.js'
import healthRoutes from './routes/health.js'
import messagesRoutes from './routes/messages.js'
import modelsRoutes from './routes/models.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** The Bedrock calls in flight: server.ts ends them cleanly when the shutdown grace runs out. */
    upstreamCalls: UpstreamCalls
  }
}

export interface ServerTimeouts {
  /** Idle keep-alive connections between requests. */
  readonly keepAliveTimeout: number
  /** Until a request's headers have arrived. */
  readonly headersTimeout: number
  /** Until a whole request (headers and body) has arrived; never applies to the response. */
  readonly requestTimeout: number
}

function serverOptions (timeouts: ServerTimeouts | undefined): Partial<FastifyHttpOptions<Server>> {
  if (timeouts === undefined) return {}
  const { keepAliveTimeout, headersTimeout, requestTimeout } = timeouts
  return {
    keepAliveTimeout,
    requestTimeout,
    // No socket inactivity timeout: it would cut a healthy stream during a long silence.
    connectionTimeout: 0,
    // Node checks the timeouts above every 30 s by default: too coarse for a slow-body attacker.
    http: { headersTimeout, requestTimeout, connectionsCheckingInterval: 1000 }
  }
}

export interface AppDeps {
  /** Defaults to the AWS SDK client built from `config.bedrock`. */
  readonly bedrock?: Bedrock
  /** Defaults to the control-plane listing built from `config.bedrock` (when discovery is on). */
  readonly account?: AccountLister
  /** Where log lines go; defaults to stdout. */
  readonly logDestination?: DestinationStream
  /** Node server timeouts (the server sets them for the load balancer in front). */
  readonly timeouts?: ServerTimeouts
}

export const MAX_PATH_PARAM_LENGTH = 512

/** Ajv must not coerce, strip or fill in anything: the body goes to the model as the client wrote it. */
const AJV_OPTIONS = { coerceTypes: false, removeAdditional: false, useDefaults: false, allErrors: false } as const

function formatSchemaErrors (errors: ReadonlyArray<{ instancePath: string; message?: string }>, dataVar: string): Error {
  const text = errors
    .map((error) => `${error.instancePath.slice(1).replaceAll('/', '.') || dataVar}: ${error.message ?? 'is invalid'}`)
    .join('; ')
  return new Error(text)
}

async function sdkBedrock (settings: Config['bedrock']): Promise<Bedrock> {
  const { bedrockFromClient, createBedrockClient } = await import('./bedrock/client.js')
  return bedrockFromClient(createBedrockClient(settings))
}

export async function buildApp (config: Config, deps: AppDeps = {}): Promise<FastifyInstance> {
  const logger = createLogger(config.logLevel, deps.logDestination) as FastifyBaseLogger
  // First what can refuse the configuration (MODEL_MAP, the token secret), before anything holds resources.
  const models = new ModelRegistry({
    geo: config.bedrock.inferenceGeo,
    modelMap: config.modelMap,
    account: config.discovery.enabled ? deps.account ?? accountLister(config.bedrock) : undefined,
    intervalMs: config.discovery.intervalMs,
    log: logger
  })
  const tokens = config.auth.disabled ? undefined : new TokenSet(config.auth.tokens)
  // The AWS SDK clients below are loaded only when configured: each costs start-up time.
  const tokenSecret = tokens !== undefined && config.auth.secretArn !== undefined
    ? await (await import('./auth/secret-tokens.js')).readTokenSecret(config.auth, tokens, logger)
    : undefined
  const bedrock = deps.bedrock ?? (config.bedrock.client === 'sdk'
    ? await sdkBedrock(config.bedrock)
    : createDirectBedrock(config.bedrock))

  const app = Fastify({
    ...serverOptions(deps.timeouts),
    loggerInstance: logger,
    // request-log.ts writes the one line per request instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.bodyLimitBytes,
    genReqId: newRequestId,
    requestIdHeader: false,
    ajv: { customOptions: AJV_OPTIONS },
    clientErrorHandler: answerClientError,
    // Model ids in /v1/models/:id can be ARNs, longer than Fastify's default 100 characters.
    routerOptions: { maxParamLength: MAX_PATH_PARAM_LENGTH },
    // Errors Fastify raises before routing (a malformed URL, an oversized path parameter) get the Anthropic shape too.
    frameworkErrors: (error, request, reply: FastifyReply) => {
      const failure = toProxyError(error)
      void reply.code(failure.statusCode).header('request-id', request.id).send(failure.body(String(request.id)))
    },
    schemaErrorFormatter: formatSchemaErrors
  })

  // Every body is JSON whatever its content type says: `curl -d` sends a form type by default.
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', { parseAs: 'string' }, app.getDefaultJsonParser('error', 'error'))

  app.setErrorHandler((error, request, reply) => {
    const failure = toProxyError(error)
    request.audit.errorType = failure.type
    if (failure.statusCode >= 500) request.log.error({ err: error }, 'request failed')
    if (reply.raw.headersSent || reply.raw.destroyed) return reply.hijack()
    return reply.code(failure.statusCode).headers(failure.headers()).send(failure.body(request.id))
  })
  app.setNotFoundHandler((request, reply) => {
    const failure = new ProxyError(404, 'not_found_error', `Not found: ${request.method} ${request.url.split('?')[0]!.slice(0, 200)}`)
    request.audit.errorType = failure.type
    return reply.code(404).send(failure.body(request.id))
  })

  await app.register(requestLog)
  await app.register(cors, {
    origin: config.corsOrigins === true ? '*' : [...config.corsOrigins],
    methods: ['GET', 'HEAD', 'POST', 'OPTIONS'],
    exposedHeaders: ['request-id', 'retry-after', 'x-should-retry'],
    maxAge: 86_400
  })
  if (tokens === undefined) app.log.warn('AUTH_DISABLED=true: every request is served without a token. Never expose this deployment.')
  else await app.register(auth, { tokens })

  app.addHook('onReady', async () => models.start())

  await app.register(healthRoutes)
  await app.register(modelsRoutes, { models })
  const calls = new UpstreamCalls(config.upstreamIdleTimeoutMs)
  app.decorate('upstreamCalls', calls)
  await app.register(messagesRoutes, { bedrock, models, calls, pingIntervalMs: config.pingIntervalMs })
  await app.register(countTokensRoutes, { bedrock, models, calls })

  app.addHook('onClose', async () => {
    tokenSecret?.stop()
    models.stop()
    bedrock.close()
  })
  return app
}
