// Shared by test/emulator/*: the real AWS SDK client pointed at an emulator, and request bodies.
import {
  BedrockRuntimeClient,
  CountTokensCommand,
  InvokeModelCommand,
  InvokeModelWithResponseStreamCommand,
} from '@aws-sdk/client-bedrock-runtime'
import type { BedrockRuntimeClientConfig } from '@aws-sdk/client-bedrock-runtime'
import type { Emulator } from '../../src/emulator/server.js'

export const CREDENTIALS = { accessKeyId: 'AKIDEMULATOR', secretAccessKey: 'emulator-secret' }
export const PROFILE = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0'
export const BASE = 'anthropic.claude-sonnet-4-5-20250929-v1:0'

export function client(emulator: Emulator, config: Partial<BedrockRuntimeClientConfig> = {}): BedrockRuntimeClient {
  return new BedrockRuntimeClient({
    region: 'us-east-1',
    endpoint: emulator.url,
    credentials: CREDENTIALS,
    maxAttempts: 1,
    ...config,
  })
}

export function body(text = 'hello there', extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    anthropic_version: 'bedrock-2023-05-31',
    max_tokens: 100,
    messages: [{ role: 'user', content: text }],
    ...extra,
  }
}

const json = { contentType: 'application/json', accept: 'application/json' }

export async function invoke(c: BedrockRuntimeClient, b: unknown, modelId = PROFILE): Promise<any> {
  const out = await c.send(new InvokeModelCommand({ modelId, body: JSON.stringify(b), ...json }))
  return JSON.parse(new TextDecoder().decode(out.body))
}

/** Every Anthropic event of a streamed reply, in order. */
export async function stream(c: BedrockRuntimeClient, b: unknown, modelId = PROFILE): Promise<any[]> {
  const out = await c.send(new InvokeModelWithResponseStreamCommand({ modelId, body: JSON.stringify(b), ...json }))
  const events: any[] = []
  for await (const part of out.body ?? []) {
    if (part.chunk?.bytes) events.push(JSON.parse(new TextDecoder().decode(part.chunk.bytes)))
  }
  return events
}

export async function countTokens(c: BedrockRuntimeClient, b: unknown, modelId = BASE): Promise<number | undefined> {
  const out = await c.send(
    new CountTokensCommand({ modelId, input: { invokeModel: { body: new TextEncoder().encode(JSON.stringify(b)) } } }),
  )
  return out.inputTokens
}

/** The text of a streamed reply, from its text_delta events. */
export function streamedText(events: any[]): string {
  return events
    .filter((e) => e.type === 'content_block_delta' && e.delta.type === 'text_delta')
    .map((e) => e.delta.text)
    .join('')
}
