// Public option and record types, kept apart from server.ts so the handler modules can use them
// without an import cycle. server.ts re-exports them.
import type { Account } from './models.js'
import type { Script } from './script.js'

export type Operation = 'InvokeModel' | 'InvokeModelWithResponseStream' | 'CountTokens'

export interface EmulatorOptions {
  /** Default 0 (an ephemeral port). */
  port?: number
  /** Default 127.0.0.1. */
  host?: string
  /** HTTPS with h2 and http/1.1 through ALPN. */
  tls?: { key: string | Buffer; cert: string | Buffer }
  /** When set, SigV4 signatures are fully verified; otherwise only the header's shape is checked. */
  credentials?: { accessKeyId: string; secretAccessKey: string }
  /** When set, `Authorization: Bearer <apiKey>` must match it; otherwise any Bearer value passes. */
  apiKey?: string
  /** Default delay between stream events (ms), default 0. */
  eventDelayMs?: number
  /** Programmatic scripting; wins over in-message directives. */
  respond?: (request: RecordedRequest) => Script | undefined
  /** How many requests to keep, default 100 (oldest dropped first). */
  maxRecorded?: number
  /** The account's models and application inference profiles; default: every model of DESIGN section 3. */
  account?: Account
  /** A Bedrock error name (e.g. AccessDeniedException) that the control-plane listings answer with. */
  controlPlaneError?: string
}

export interface RecordedRequest {
  /** The x-amzn-requestid it answered with. */
  id: string
  operation: Operation
  /** Percent-decoded. */
  modelId: string
  /** '1.1' or '2.0'. */
  httpVersion: string
  /** Request headers (HTTP/2 pseudo-headers left out). */
  headers: Record<string, string | string[] | undefined>
  /** Parsed JSON (for CountTokens: the decoded inner InvokeModel body); the raw text if not JSON. */
  body: unknown
  /** Status answered. */
  status?: number
  /** True when the client went away before the reply finished. */
  aborted: boolean
  /** Stream events written so far. */
  eventsSent: number
  /** The scripted fault injected into this exchange, if any (script `fault.type`). */
  fault?: string
}
