/**
 * The Bedrock runtime calls without the AWS SDK client: undici with a
 * keep-alive pool, the SDK's own SigV4 signer and credential chain, and the
 * SDK's event-stream codec, behind the same `Bedrock` interface. The SDK
 * client (src/bedrock/client.ts) is the reference this is tested against
 * (test/bedrock/conformance.test.ts): same requests on the wire, same results,
 * same error names, messages and metadata. The SDK's per-request middleware
 * was most of the proxy's upstream CPU (bench/REPORT.md).
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { Agent } from 'undici'
import type { Dispatcher } from 'undici'
import type { Config } from '../../config.js'
import type { Bedrock, CountResult, InvokeResult, StreamResult } from '../client.js'
import { bearerAuthorizer, cachedCredentials, sigV4Authorizer } from './auth.js'
import type { Authorizer, CredentialProvider } from './auth.js'
import { abortError, responseError, retryKind, streamErrorFrame, streamException, transportError } from './errors.js'
import type { BedrockServiceError, ResponseMetadata, RetryKind } from './errors.js'
import { chunkBytes, frames, headerString } from './event-stream.js'
import { RetryQuota, retryDelayMs } from './retry.js'

export interface DirectBedrockOptions {
  /** Where requests go; by default an own keep-alive Agent (closed by `close()`). */
  readonly dispatcher?: Dispatcher
  /** Connections per origin of the own Agent; default unlimited, as the SDK path's Node agent. */
  readonly connections?: number
  /** Instead of the standard Node credential chain (tests). */
  readonly credentials?: CredentialProvider
}

type Operation = 'invoke' | 'invoke-with-response-stream' | 'count-tokens'

/** What the SDK puts on the wire for each operation with contentType and accept set to JSON. */
const OPERATION_HEADERS: Readonly<Record<Operation, Readonly<Record<string, string>>>> = {
  invoke: { 'content-type': 'application/json', accept: 'application/json' },
  'invoke-with-response-stream': { 'content-type': 'application/json', 'x-amzn-bedrock-accept': 'application/json' },
  'count-tokens': { 'content-type': 'application/json' }
}

const USER_AGENT = `bedrock-anthropic-proxy undici lang/js md/nodejs#${process.versions.node}`
const CONNECT_TIMEOUT_MS = 10_000
/** Idle keep-alive sockets are kept this long (less when the server says so). */
const KEEP_ALIVE_MS = 30_000
/** Error bodies are small; this much is kept to build the message. */
const ERROR_BODY_LIMIT = 64 * 1024

/** The SDK's default endpoint for a region (no FIPS or dual-stack variants). */
export function defaultEndpoint (region: string): string {
  return `https://bedrock-runtime.${region}.${region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com'}`
}

/** The SDK's label encoding (@smithy/core extendedEncodeURIComponent): ARNs keep no `:` or `/`. */
export function encodeLabel (value: string): string {
  if (/^[\w.~-]+$/.test(value)) return value
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
}

function header (headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name]
  return Array.isArray(value) ? value[0] : value
}

function metadataOf (status: number, headers: Record<string, string | string[] | undefined>): ResponseMetadata {
  return {
    httpStatusCode: status,
    requestId: header(headers, 'x-amzn-requestid') ?? header(headers, 'x-amzn-request-id') ?? header(headers, 'x-amz-request-id'),
    extendedRequestId: header(headers, 'x-amz-id-2'),
    cfId: header(headers, 'x-amz-cf-id')
  }
}

async function readLimited (body: Dispatcher.ResponseData['body']): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of body) {
    if (size < ERROR_BODY_LIMIT) chunks.push(chunk as Buffer)
    size += (chunk as Buffer).length
  }
  return Buffer.concat(chunks).subarray(0, ERROR_BODY_LIMIT).toString('utf8')
}

const isServiceError = (error: unknown): error is BedrockServiceError =>
  error instanceof Error && '$metadata' in error

/** Socket failures carry a code (undici's UND_ERR_*, Node's E*); codec failures and our own errors do not. */
const isTransportFailure = (error: unknown): boolean =>
  error instanceof Error && typeof (error as { code?: unknown }).code === 'string' && !isServiceError(error)

interface Answer {
  readonly body: Dispatcher.ResponseData['body']
  readonly metadata: ResponseMetadata
}

export function createDirectBedrock (settings: Config['bedrock'], options: DirectBedrockOptions = {}): Bedrock {
  const endpoint = new URL(settings.endpoint ?? defaultEndpoint(settings.region))
  const origin = endpoint.origin
  const basePath = endpoint.pathname.replace(/\/+$/, '')
  const protocol = endpoint.protocol
  const hostname = endpoint.hostname.replace(/^\[(.*)\]$/, '$1')
  const port = endpoint.port === '' ? undefined : Number(endpoint.port)
  const host = endpoint.host
  const maxAttempts = Math.max(1, settings.maxAttempts)
  const own = options.dispatcher === undefined
    ? new Agent({
      ...(options.connections === undefined ? {} : { connections: options.connections }),
      keepAliveTimeout: KEEP_ALIVE_MS,
      keepAliveMaxTimeout: 10 * 60_000,
      // The proxy has its own idle timeout (UpstreamCall): nothing here may cut a long stream or a long silence.
      headersTimeout: 0,
      bodyTimeout: 0,
      connect: { timeout: CONNECT_TIMEOUT_MS }
    })
    : undefined
  const dispatcher: Dispatcher = options.dispatcher ?? own!
  const authorize: Authorizer = settings.apiKey === undefined
    ? sigV4Authorizer(settings.region, options.credentials ?? cachedCredentials())
    : bearerAuthorizer(settings.apiKey)
  const quota = new RetryQuota()

  /** One call up to its 2xx headers, with the SDK's retries before that point. */
  async function send (operation: Operation, modelId: string, body: Uint8Array, signal: AbortSignal): Promise<Answer> {
    const path = `${basePath}/model/${encodeLabel(modelId)}/${operation}`
    let totalRetryDelay = 0
    let retryCost: number | undefined
    for (let attempt = 1; ; attempt++) {
      if (signal.aborted) throw abortError(signal)
      const headers = await authorize({
        hostname,
        port,
        protocol,
        path,
        headers: { ...OPERATION_HEADERS[operation], host, 'content-length': String(body.byteLength) },
        body
      })
      headers['user-agent'] = USER_AGENT
      let error: BedrockServiceError
      try {
        const response = await dispatcher.request({
          origin, path, method: 'POST', headers, body, signal, headersTimeout: 0, bodyTimeout: 0
        })
        const metadata = metadataOf(response.statusCode, response.headers)
        if (response.statusCode >= 200 && response.statusCode < 300) {
          quota.release(retryCost)
          metadata.attempts = attempt
          metadata.totalRetryDelay = totalRetryDelay
          return { body: response.body, metadata }
        }
        const text = await readLimited(response.body)
        error = responseError(response.statusCode, header(response.headers, 'x-amzn-errortype'),
          header(response.headers, 'content-type'), text, metadata)
      } catch (failure) {
        if (signal.aborted) throw abortError(signal)
        error = transportError(failure, {})
      }
      error.$metadata.attempts = attempt
      error.$metadata.totalRetryDelay = totalRetryDelay
      const kind = retryKind(error)
      if (kind === undefined || attempt >= maxAttempts) throw error
      const cost = quota.take(kind)
      if (cost === undefined) throw error
      retryCost = cost
      const delay = retryDelayMs(kind, attempt)
      try {
        await sleep(delay, undefined, { signal })
      } catch {
        throw abortError(signal)
      }
      totalRetryDelay += delay
    }
  }

  /** The whole body of a 2xx answer; a failure while reading it is not retried. */
  async function readAll (answer: Answer, signal: AbortSignal): Promise<Uint8Array> {
    try {
      return new Uint8Array(await answer.body.arrayBuffer())
    } catch (failure) {
      if (signal.aborted) throw abortError(signal)
      throw transportError(failure, { ...answer.metadata })
    }
  }

  async function * events (answer: Answer, signal: AbortSignal): AsyncGenerator<Uint8Array> {
    const requestId = answer.metadata.requestId
    try {
      for await (const frame of frames(answer.body)) {
        const type = headerString(frame, ':message-type')
        if (type === 'event') {
          if (headerString(frame, ':event-type') !== 'chunk') continue
          // Frames already read stay unread once aborted: the abort wins over them.
          if (signal.aborted) throw abortError(signal)
          const bytes = chunkBytes(frame)
          if (bytes !== undefined) yield bytes
        } else if (type === 'exception') {
          throw streamException(headerString(frame, ':exception-type') ?? '', frame.body, requestId)
        } else if (type === 'error') {
          throw streamErrorFrame(headerString(frame, ':error-code') ?? '', headerString(frame, ':error-message'), requestId)
        }
      }
    } catch (failure) {
      if (signal.aborted) throw abortError(signal)
      if (isTransportFailure(failure)) throw transportError(failure, { ...answer.metadata })
      throw failure
    } finally {
      // A consumer that stopped early leaves the rest unread: drop the connection rather than drain it.
      if (!answer.body.destroyed) answer.body.destroy()
    }
  }

  return {
    async invoke (modelId, body, signal): Promise<InvokeResult> {
      const answer = await send('invoke', modelId, body, signal)
      return { body: await readAll(answer, signal), requestId: answer.metadata.requestId }
    },
    async invokeStream (modelId, body, signal): Promise<StreamResult> {
      const answer = await send('invoke-with-response-stream', modelId, body, signal)
      return { events: events(answer, signal), requestId: answer.metadata.requestId }
    },
    async countTokens (modelId, body, signal): Promise<CountResult> {
      const request = Buffer.from(`{"input":{"invokeModel":{"body":"${Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('base64')}"}}}`)
      const answer = await send('count-tokens', modelId, request, signal)
      const text = Buffer.from(await readAll(answer, signal)).toString('utf8')
      let parsed: { inputTokens?: unknown } | null
      try {
        parsed = JSON.parse(text) as { inputTokens?: unknown } | null
      } catch (failure) {
        // As the SDK reports a body it cannot parse: with the response metadata, so it counts as Bedrock's failure.
        throw Object.assign(failure as Error, { $metadata: answer.metadata })
      }
      const inputTokens = parsed?.inputTokens
      if (typeof inputTokens !== 'number') throw new Error('Bedrock CountTokens returned no inputTokens')
      return { inputTokens, requestId: answer.metadata.requestId }
    },
    close () {
      own?.close().catch(() => {})
    }
  }
}

export { cachedCredentials } from './auth.js'
export type { CredentialProvider, Credentials } from './auth.js'
