// The direct Bedrock path (dist/bedrock/direct) against the SDK one (dist/bedrock/client.js), as
// bench/upstream-prototype.mjs measures them: InvokeModel against a TLS emulator in its own process,
// latency at concurrency 1, throughput at 64, and this process's CPU per call. Prints JSON.
// Run: npm run build && node bench/direct-upstream.mjs   (DURATION_MS, default 3000)
import { execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Agent } from 'undici'
import { Agent as HttpsAgent } from 'node:https'
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime'
import { NodeHttpHandler } from '@smithy/node-http-handler'
import { bedrockFromClient } from '../dist/bedrock/client.js'
import { createDirectBedrock } from '../dist/bedrock/direct/index.js'
import { measure } from './lib/measure.mjs'

const durationMs = Number(process.env.DURATION_MS ?? 3000)
const dir = mkdtempSync(join(tmpdir(), 'direct-bench-'))
execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
  '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
  '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' })
const ca = readFileSync(join(dir, 'cert.pem'))
const port = 40000 + Math.floor(Math.random() * 20000)
const emulator = spawn(process.execPath, ['dist/emulator/main.js'], {
  env: { ...process.env, EMULATOR_PORT: String(port), EMULATOR_TLS_CERT: join(dir, 'cert.pem'), EMULATOR_TLS_KEY: join(dir, 'key.pem') },
  stdio: 'ignore'
})
const url = `https://127.0.0.1:${port}`
for (let i = 0; ; i++) {
  try { await fetch(`${url}/_emulator/requests`, { dispatcher: new Agent({ connect: { ca } }) }); break } catch { if (i > 200) throw new Error('emulator did not start'); await new Promise((r) => setTimeout(r, 25)) }
}

process.env.AWS_ACCESS_KEY_ID ??= 'AKIDBENCH'
process.env.AWS_SECRET_ACCESS_KEY ??= 'bench-secret'
const settings = { region: 'us-east-1', endpoint: url, apiKey: undefined, maxAttempts: 2 }
const agentOptions = { keepAlive: true, keepAliveMsecs: 15_000, scheduling: 'lifo', ca }
const ways = {
  // As createBedrockClient builds it, plus trust in the test certificate.
  sdk: bedrockFromClient(new BedrockRuntimeClient({ region: 'us-east-1', endpoint: url, maxAttempts: 2,
    requestHandler: new NodeHttpHandler({ httpsAgent: new HttpsAgent(agentOptions), connectionTimeout: 10_000 }) })),
  direct: createDirectBedrock(settings, { dispatcher: new Agent({ connect: { ca, timeout: 10_000 }, keepAliveTimeout: 30_000 }) })
}
const modelId = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0'
const body = Buffer.from(JSON.stringify({ anthropic_version: 'bedrock-2023-05-31', max_tokens: 256, messages: [{ role: 'user', content: 'Hello, how are you today?' }] }))
const signal = new AbortController().signal


const results = { node: process.version, durationMs }
try {
  for (const [name, bedrock] of Object.entries(ways)) {
    const invoke = () => bedrock.invoke(modelId, body, signal)
    const stream = async () => { for await (const _ of (await bedrock.invokeStream(modelId, body, signal)).events) { /* drain */ } }
    results[name] = { invoke: { c1: await measure(invoke, { concurrency: 1, durationMs, warmup: 300 }), c64: await measure(invoke, { concurrency: 64, durationMs, warmup: 300 }) }, stream: { c64: await measure(stream, { concurrency: 64, durationMs, warmup: 300 }) } }
  }
} finally {
  for (const bedrock of Object.values(ways)) bedrock.close()
  emulator.kill()
  rmSync(dir, { recursive: true, force: true })
}
process.stdout.write(JSON.stringify(results, null, 2) + '\n')
