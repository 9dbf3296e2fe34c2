// startEmulator: a Bedrock runtime stand-in that the real, unmodified AWS SDK client can call.
// See DESIGN.md section 7 and the option docs in types.ts.
import { handleRequest } from './handler.js'
import type { EmulatorState } from './handler.js'
import { PromptCache } from './tokens.js'
import { listen } from './transport.js'
import type { EmulatorOptions, RecordedRequest } from './types.js'

export type { EmulatorOptions, Operation, RecordedRequest } from './types.js'
export type { Account, ApplicationProfile, ModelInfo } from './models.js'
export { MODELS } from './models.js'
export type { Script } from './script.js'

export interface Emulator {
  /** e.g. http://127.0.0.1:PORT (https:// with tls). */
  url: string
  port: number
  /** Newest last. */
  requests: RecordedRequest[]
  lastRequest(): RecordedRequest | undefined
  clear(): void
  activeStreams(): number
  /** ListFoundationModels / ListInferenceProfiles calls answered so far. */
  controlPlaneCalls(): number
  /** Closes everything, including open streams and h2 sessions. */
  close(): Promise<void>
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const state: EmulatorState = { options, requests: [], cache: new PromptCache(), streams: new Set(), controlPlaneCalls: 0 }
  const host = options.host ?? '127.0.0.1'
  const listener = await listen({ port: options.port ?? 0, host, tls: options.tls }, (req, res) => {
    handleRequest(state, req, res).catch((error: unknown) => {
      // A failure outside the Bedrock error path (e.g. the client reset mid-upload): end the exchange.
      if (!res.headersSent) res.writeHead(500).end(String(error))
      else res.destroy()
    })
  })
  const urlHost = host.includes(':') ? `[${host}]` : host
  let closing: Promise<void> | undefined
  return {
    url: `${options.tls ? 'https' : 'http'}://${urlHost}:${listener.port}`,
    port: listener.port,
    requests: state.requests,
    lastRequest: () => state.requests.at(-1),
    clear: () => void (state.requests.length = 0),
    activeStreams: () => state.streams.size,
    controlPlaneCalls: () => state.controlPlaneCalls,
    close: () => {
      closing ??= (async () => {
        for (const abort of [...state.streams]) abort()
        await listener.close()
      })()
      return closing
    },
  }
}
