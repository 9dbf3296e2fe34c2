// One request, end to end: routing, auth, model and body validation, scripting, and the reply
// (JSON Message, event stream, CountTokens, or a Bedrock error). Shared by HTTP/1.1 and HTTP/2.
import { randomUUID } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import type { Http2ServerRequest } from 'node:http2'
import { setTimeout as sleep } from 'node:timers/promises'
import { checkAuth } from './auth.js'
import { BedrockError, defaultMessage, MALFORMED_INPUT, validationError } from './errors.js'
import { listFoundationModels, listInferenceProfiles } from './control-plane.js'
import { DEFAULT_ACCOUNT, modelFor } from './models.js'
import type { AnyResponse, ReplyTarget } from './reply.js'
import { replyTarget, send, sendError } from './reply.js'
import { bodyFault, headerFault } from './faults.js'
import { buildReply, messageOf, streamEventsOf } from './responses.js'
import type { Script } from './script.js'
import { directiveScript } from './script.js'
import { writeStream } from './stream.js'
import { countInputTokens, type PromptCache } from './tokens.js'
import type { EmulatorOptions, Operation, RecordedRequest } from './types.js'
import { parseJsonBody, validateBody } from './validate.js'

export type AnyRequest = IncomingMessage | Http2ServerRequest

export interface EmulatorState {
  options: EmulatorOptions
  requests: RecordedRequest[]
  cache: PromptCache
  /** Abort functions of the streams being written. */
  streams: Set<() => void>
  /** Control-plane calls answered (they are not recorded as requests). */
  controlPlaneCalls: number
}

const ROUTE = /^\/model\/([^/]+)\/(invoke|invoke-with-response-stream|count-tokens)$/
const OPERATIONS: Record<string, Operation> = {
  invoke: 'InvokeModel',
  'invoke-with-response-stream': 'InvokeModelWithResponseStream',
  'count-tokens': 'CountTokens',
}

async function readBody(req: AnyRequest): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value)
  } catch {
    return value
  }
}

function plainHeaders(headers: AnyRequest['headers']): RecordedRequest['headers'] {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !name.startsWith(':')))
}

/** CountTokens wraps the InvokeModel body: {"input":{"invokeModel":{"body":"<base64>"}}}. */
function innerCountBody(outer: unknown): unknown {
  const body = (outer as { input?: { invokeModel?: { body?: unknown } } } | null)?.input?.invokeModel?.body
  if (typeof body !== 'string') throw validationError(MALFORMED_INPUT)
  return parseJsonBody(Buffer.from(body, 'base64'))
}

function controlRoute(state: EmulatorState, method: string, out: ReplyTarget, requestId: string): void {
  const headers = { 'content-type': 'application/json', 'x-amzn-requestid': requestId }
  if (method === 'GET') return send(out, undefined, 200, headers, JSON.stringify(state.requests))
  if (method === 'DELETE') {
    state.requests.length = 0
    return send(out, undefined, 204, { 'x-amzn-requestid': requestId }, '')
  }
  sendError(out, requestId, undefined, new BedrockError('UnknownOperationException', 'Unknown operation'))
}

export async function handleRequest(state: EmulatorState, req: AnyRequest, res: AnyResponse): Promise<void> {
  const startedAt = Date.now()
  const requestId = randomUUID()
  const out = replyTarget(res)
  const url = req.url ?? '/'
  const path = url.split('?', 1)[0] ?? '/'
  const method = req.method ?? 'GET'
  if (path === '/_emulator/requests') return controlRoute(state, method, out, requestId)
  if (method === 'GET' && (path === '/foundation-models' || path === '/inference-profiles')) {
    return controlPlane(state, req, path, out, requestId)
  }
  const route = method === 'POST' ? ROUTE.exec(path) : null
  if (!route) {
    return sendError(out, requestId, undefined, new BedrockError('UnknownOperationException', 'Unknown operation'))
  }

  const raw = await readBody(req)
  const record: RecordedRequest = {
    id: requestId,
    operation: OPERATIONS[route[2] ?? ''] as Operation,
    modelId: safeDecode(route[1] ?? ''),
    httpVersion: req.httpVersion,
    headers: plainHeaders(req.headers),
    body: raw.toString('utf8'),
    aborted: false,
    eventsSent: 0,
  }
  state.requests.push(record)
  state.requests.splice(0, Math.max(0, state.requests.length - (state.options.maxRecorded ?? 100)))
  out.onAbort(() => (record.aborted = true))

  try {
    try {
      record.body = JSON.parse(record.body as string)
      if (record.operation === 'CountTokens') record.body = innerCountBody(record.body)
    } catch {
      // Kept as text in the record; validation below answers with the right error.
    }
    const authError = checkAuth({ method, url, headers: req.headers, body: raw }, state.options)
    if (authError) throw authError
    await answer(state, record, raw, out, startedAt)
  } catch (error) {
    const bedrockError =
      error instanceof BedrockError ? error : new BedrockError('InternalServerException', String(error))
    if (!out.ended && record.status === undefined) sendError(out, requestId, record, bedrockError)
  }
}

const LISTINGS = { '/foundation-models': listFoundationModels, '/inference-profiles': listInferenceProfiles }

function controlPlane(state: EmulatorState, req: AnyRequest, path: keyof typeof LISTINGS, out: ReplyTarget, requestId: string): void {
  state.controlPlaneCalls++
  try {
    const authError = checkAuth({ method: 'GET', url: req.url ?? path, headers: req.headers, body: Buffer.alloc(0) }, state.options)
    if (authError) throw authError
    const failure = state.options.controlPlaneError
    if (failure) throw new BedrockError(failure, defaultMessage(failure))
    const query = new URLSearchParams((req.url ?? '').split('?')[1] ?? '')
    const listing = LISTINGS[path](state.options.account ?? DEFAULT_ACCOUNT, query)
    send(out, undefined, listing.status, { 'content-type': 'application/json', 'x-amzn-requestid': requestId }, listing.body)
  } catch (error) {
    sendError(out, requestId, undefined, error instanceof BedrockError ? error : new BedrockError('InternalServerException', String(error)))
  }
}

function scriptFor(state: EmulatorState, record: RecordedRequest, body: Record<string, unknown>): Script {
  return state.options.respond?.(record) ?? directiveScript(body) ?? {}
}

async function answer(state: EmulatorState, record: RecordedRequest, raw: Buffer, out: ReplyTarget, startedAt: number): Promise<void> {
  const count = record.operation === 'CountTokens'
  const model = modelFor(record.modelId, count ? 'count' : 'invoke', state.options.account)
  const parsed = count ? innerCountBody(parseJsonBody(raw)) : parseJsonBody(raw)
  const body = validateBody(parsed, { model })
  const script = scriptFor(state, record, body)
  const baseHeaders = { 'x-amzn-requestid': record.id }
  if (script.fault && (await headerFault(state, record, out, script.fault))) return

  if (script.error || record.operation !== 'InvokeModelWithResponseStream') {
    if (script.firstEventDelayMs) await sleep(script.firstEventDelayMs)
  }
  if (script.error) throw new BedrockError(script.error.type, script.error.message ?? defaultMessage(script.error.type))
  if (count) {
    const reply = JSON.stringify({ inputTokens: countInputTokens(body) })
    return send(out, record, 200, { ...baseHeaders, 'content-type': 'application/json' }, reply)
  }

  const reply = buildReply(script, body, model.anthropicId, state.cache.usage(model.baseId, body))
  const { usage } = reply
  if (record.operation === 'InvokeModel' && script.fault) {
    if (await bodyFault(state, record, out, script.fault, JSON.stringify(messageOf(reply)))) return
  }
  if (record.operation === 'InvokeModel') {
    return send(out, record, 200, {
      ...baseHeaders,
      'content-type': 'application/json',
      'x-amzn-bedrock-input-token-count': String(usage.input_tokens),
      'x-amzn-bedrock-output-token-count': String(usage.output_tokens),
      'x-amzn-bedrock-cache-read-input-token-count': String(usage.cache_read_input_tokens),
      'x-amzn-bedrock-cache-write-input-token-count': String(usage.cache_creation_input_tokens),
      'x-amzn-bedrock-invocation-latency': String(Date.now() - startedAt),
    }, JSON.stringify(messageOf(reply)))
  }

  record.status = 200
  out.writeHead(200, {
    ...baseHeaders,
    'content-type': 'application/vnd.amazon.eventstream',
    'x-amzn-bedrock-content-type': 'application/json',
  })
  // Headers go out at once, as Bedrock's do: the SDK's send() resolves before the first event.
  out.flushHeaders()
  const controller = new AbortController()
  const abort = (): void => controller.abort()
  out.onAbort(abort)
  state.streams.add(abort)
  try {
    await writeStream(out, {
      events: streamEventsOf(reply, script.endWithoutStop),
      script,
      eventDelayMs: state.options.eventDelayMs ?? 0,
      inputTokens: usage.input_tokens + usage.cache_creation_input_tokens + usage.cache_read_input_tokens,
      outputTokens: usage.output_tokens,
      startedAt,
    }, record, controller.signal)
  } finally {
    state.streams.delete(abort)
  }
}
