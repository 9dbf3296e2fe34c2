/**
 * The process: configuration from the environment, listen, and a graceful
 * stop. On SIGTERM/SIGINT it stops accepting, lets in-flight requests and
 * streams finish within SHUTDOWN_GRACE_MS, then exits.
 */
import { buildApp } from './app.js'
import { ConfigError, loadConfig, type Config } from './config.js'
import { ProxyError } from './errors.js'

function configFromEnvironment (): Config {
  try {
    return loadConfig(process.env)
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`bedrock-anthropic-proxy: configuration error: ${error.message}\n`)
      process.exit(78)
    }
    throw error
  }
}

async function main (): Promise<void> {
  const config = configFromEnvironment()
  const app = await buildApp(config, {
    // Idle keep-alive sockets outlive the load balancer's own (and headers may take as long, so a
    // reused connection is never cut first); a whole request must arrive within a minute more.
    timeouts: {
      keepAliveTimeout: config.keepAliveTimeoutMs,
      headersTimeout: config.keepAliveTimeoutMs + 1000,
      requestTimeout: config.keepAliveTimeoutMs + 60_000
    }
  }).catch((error: unknown) => {
    if (!(error instanceof ConfigError)) throw error
    process.stderr.write(`bedrock-anthropic-proxy: configuration error: ${error.message}\n`)
    process.exit(78)
  })
  await app.listen({ port: config.port, host: config.host })

  let stopping = false
  const stop = (signal: string): void => {
    if (stopping) return
    stopping = true
    app.log.info({ signal, graceMs: config.shutdownGraceMs }, 'shutting down: no new connections, finishing in-flight requests')
    const deadline = setTimeout(() => {
      app.log.warn({ calls: app.upstreamCalls.size }, 'grace period over: ending the remaining requests with an error')
      app.upstreamCalls.cancelAll(new ProxyError(529, 'overloaded_error', 'The server is shutting down; retry the request.', { shouldRetry: true }))
      // A moment for those error responses and events to reach the clients, then every socket goes.
      setTimeout(() => app.server.closeAllConnections(), 250).unref()
    }, config.shutdownGraceMs)
    deadline.unref()
    // Connections whose last response ends after close() began sit idle in keep-alive; close them as they free up.
    const sweeper = setInterval(() => app.server.closeIdleConnections(), 100)
    sweeper.unref()
    app.close().then(() => {
      clearTimeout(deadline)
      clearInterval(sweeper)
      process.exit(0)
    }, (error: unknown) => {
      app.log.error({ err: error }, 'error while shutting down')
      process.exit(1)
    })
  }
  process.once('SIGTERM', () => stop('SIGTERM'))
  process.once('SIGINT', () => stop('SIGINT'))
}

main().catch((error: unknown) => {
  process.stderr.write(`bedrock-anthropic-proxy: failed to start: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`)
  process.exit(1)
})
