/**
 * The Bedrock runtime calls the proxy makes, over the AWS SDK client.
 *
 * The SDK's default handler for this client is HTTP/2 with a new session per
 * event stream, which costs a connection (and a TLS handshake) per call. A
 * keep-alive HTTP/1.1 pool reuses connections and streams just as well
 * (DESIGN section 3), so that is what the proxy uses.
 */
import { Agent as HttpAgent } from 'node:http'
import { Agent as HttpsAgent } from 'node:https'
import {
  BedrockRuntimeClient,
  CountTokensCommand,
  InvokeModelCommand,
  InvokeModelWithResponseStreamCommand
} from '@aws-sdk/client-bedrock-runtime'
import { NodeHttpHandler } from '@smithy/node-http-handler'
import type { Config } from '../config.js'

export interface InvokeResult {
  readonly body: Uint8Array
  readonly requestId: string | undefined
}

export interface StreamResult {
  /** Each item is the bytes of one Anthropic stream event (JSON). */
  readonly events: AsyncIterable<Uint8Array>
  readonly requestId: string | undefined
}

export interface CountResult {
  readonly inputTokens: number
  readonly requestId: string | undefined
}

/** What the routes need from Bedrock; the SDK implementation below is the only one in production. */
export interface Bedrock {
  invoke (modelId: string, body: Uint8Array, signal: AbortSignal): Promise<InvokeResult>
  invokeStream (modelId: string, body: Uint8Array, signal: AbortSignal): Promise<StreamResult>
  countTokens (modelId: string, body: Uint8Array, signal: AbortSignal): Promise<CountResult>
  close (): void
}

export function createBedrockClient (settings: Config['bedrock']): BedrockRuntimeClient {
  const agentOptions = { keepAlive: true, keepAliveMsecs: 15_000, scheduling: 'lifo' as const }
  return new BedrockRuntimeClient({
    region: settings.region,
    endpoint: settings.endpoint,
    maxAttempts: settings.maxAttempts,
    requestHandler: new NodeHttpHandler({
      httpAgent: new HttpAgent(agentOptions),
      httpsAgent: new HttpsAgent(agentOptions),
      connectionTimeout: 10_000
    }),
    ...(settings.apiKey === undefined
      ? {}
      : { token: { token: settings.apiKey }, authSchemePreference: ['httpBearerAuth'] })
  })
}

async function * chunkBytes (stream: AsyncIterable<{ chunk?: { bytes?: Uint8Array } }>): AsyncGenerator<Uint8Array> {
  for await (const event of stream) {
    const bytes = event.chunk?.bytes
    if (bytes !== undefined) yield bytes
  }
}

/** Native Anthropic bodies both ways: contentType and accept are JSON, never the SDK's octet-stream default. */
export function bedrockFromClient (client: BedrockRuntimeClient): Bedrock {
  const json = { contentType: 'application/json', accept: 'application/json' } as const
  return {
    async invoke (modelId, body, signal) {
      const output = await client.send(new InvokeModelCommand({ modelId, body, ...json }), { abortSignal: signal })
      return { body: output.body, requestId: output.$metadata.requestId }
    },
    async invokeStream (modelId, body, signal) {
      const output = await client.send(new InvokeModelWithResponseStreamCommand({ modelId, body, ...json }), { abortSignal: signal })
      if (output.body === undefined) throw new Error('Bedrock returned a stream response without a body')
      return { events: chunkBytes(output.body), requestId: output.$metadata.requestId }
    },
    async countTokens (modelId, body, signal) {
      const output = await client.send(new CountTokensCommand({ modelId, input: { invokeModel: { body } } }), { abortSignal: signal })
      if (typeof output.inputTokens !== 'number') throw new Error('Bedrock CountTokens returned no inputTokens')
      return { inputTokens: output.inputTokens, requestId: output.$metadata.requestId }
    },
    close () {
      client.destroy()
    }
  }
}
