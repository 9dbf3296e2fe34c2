/**
 * The proxy on a real socket in front of the Bedrock emulator, as a user runs
 * it: the real AWS SDK client, SigV4-signed with credentials from the
 * environment (verified by the emulator), over loopback.
 */
import { Writable } from 'node:stream'
import { setTimeout as sleep } from 'node:timers/promises'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../../src/app.js'
import { MODELS, startEmulator, type Account, type Emulator, type EmulatorOptions, type ModelInfo } from '../../src/emulator/server.js'
import { testConfig } from './config.js'

export const AWS_CREDENTIALS = { accessKeyId: 'AKIDEMULATOR00000000', secretAccessKey: 'emulator-secret-key-0000000000' }

/** A model newer than the built-in table: Claude Code 2.1.331's default. */
export const OPUS_5_5: ModelInfo = { anthropicId: 'claude-opus-5-5', baseId: 'anthropic.claude-opus-5-5', profiles: ['global', 'us', 'eu'], onDemand: false, outputConfig: true, name: 'Claude Opus 5.5' }

/** An account with today's models: the built-in table's and the newer one. */
export const CURRENT_ACCOUNT: Account = { models: [OPUS_5_5, ...MODELS] }

export interface Stack {
  readonly url: string
  readonly app: FastifyInstance
  readonly emulator: Emulator
  /** Every log line the proxy wrote, parsed. */
  readonly logs: Array<Record<string, unknown>>
  /** Raw log text, for checks that nothing secret was written. */
  readonly rawLogs: () => string
  close (): Promise<void>
}

export interface StackOptions {
  readonly env?: Record<string, string>
  readonly emulator?: EmulatorOptions
}

export async function startStack (options: StackOptions = {}): Promise<Stack> {
  // The SDK's default credential chain reads these, as it would in a deployment.
  process.env.AWS_ACCESS_KEY_ID = AWS_CREDENTIALS.accessKeyId
  process.env.AWS_SECRET_ACCESS_KEY = AWS_CREDENTIALS.secretAccessKey
  const emulator = await startEmulator({ credentials: AWS_CREDENTIALS, ...options.emulator })
  const chunks: string[] = []
  const logs: Array<Record<string, unknown>> = []
  const destination = new Writable({
    write (chunk: Buffer, _encoding, callback) {
      const text = chunk.toString()
      chunks.push(text)
      for (const line of text.split('\n')) if (line.trim() !== '') logs.push(JSON.parse(line))
      callback()
    }
  })
  const app = await buildApp(testConfig({
    AWS_ENDPOINT_URL_BEDROCK_RUNTIME: emulator.url,
    AWS_ENDPOINT_URL_BEDROCK: emulator.url,
    MODEL_DISCOVERY: 'true',
    LOG_LEVEL: 'debug',
    ...options.env
  }), { logDestination: destination })
  const address = await app.listen({ port: 0, host: '127.0.0.1' })
  return {
    url: address,
    app,
    emulator,
    logs,
    rawLogs: () => chunks.join(''),
    async close () {
      await app.close()
      await emulator.close()
    }
  }
}

/** A line in the last user message that scripts the emulator's answer. */
export const directive = (script: Record<string, unknown>): string => `@emulator ${JSON.stringify(script)}`

/** Parses a Server-Sent Events body into events. */
export function parseSse (text: string): Array<{ event: string; data: any }> {
  return text.split('\n\n').filter((frame) => frame.trim() !== '').map((frame) => {
    const lines = frame.split('\n')
    const event = lines.find((line) => line.startsWith('event: '))?.slice(7) ?? ''
    const data = lines.find((line) => line.startsWith('data: '))?.slice(6) ?? ''
    return { event, data: JSON.parse(data) }
  })
}

/** Resolves with the log line of the first model discovery (success or failure). */
export async function waitForDiscovery (stack: Stack): Promise<Record<string, unknown>> {
  for (let i = 0; i < 500; i++) {
    const line = stack.logs.find((entry) => typeof entry.msg === 'string' && entry.msg.startsWith('model discovery'))
    if (line !== undefined) return line
    await sleep(10)
  }
  throw new Error('no model discovery log line')
}
