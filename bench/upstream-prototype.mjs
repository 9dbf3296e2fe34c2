// Prototype, bench only: what a leaner upstream path would gain. Calls the emulator's InvokeModel in
// this process three ways and measures latency at concurrency 1, throughput at 64, and this
// process's CPU time per call:
//   sdk           the proxy's own upstream (dist/bedrock/client.js: AWS SDK client, keep-alive pool)
//   undici+sigv4  undici Pool + the SDK's own SigV4 signer (@smithy/signature-v4) with node:crypto
//   undici bearer undici Pool, no signing (the floor)
// plus SigV4 signing alone in a loop. Prints one JSON object.
// Env: EMULATOR_URL, MODEL_ID, BODY (the Bedrock body), DURATION_MS, NODE_EXTRA_CA_CERTS,
// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY.
import { createHash, createHmac } from 'node:crypto'
import { Pool } from 'undici'
import { SignatureV4 } from '@smithy/signature-v4'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { measure, round as r } from './lib/measure.mjs'

const root = process.env.BENCH_PROJECT_ROOT ?? new URL('..', import.meta.url).pathname
const { bedrockFromClient, createBedrockClient } = await import(pathToFileURL(join(root, 'dist/bedrock/client.js')).href)

const endpoint = new URL(process.env.EMULATOR_URL)
const modelId = process.env.MODEL_ID
const body = Buffer.from(process.env.BODY)
const durationMs = Number(process.env.DURATION_MS ?? 3000)
const path = `/model/${encodeURIComponent(modelId)}/invoke`

/** The Checksum interface the signer wants, on node:crypto (HMAC when given a secret). */
class NodeSha256 {
  constructor (secret) { this.secret = secret; this.reset() }
  update (data) { this.hash.update(typeof data === 'string' ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength)) }
  async digest () { return new Uint8Array(this.hash.digest()) }
  digestSync () { return this.hash.digest() }
  reset () { this.hash = this.secret === undefined ? createHash('sha256') : createHmac('sha256', this.secret) }
}

const signer = new SignatureV4({
  credentials: { accessKeyId: process.env.AWS_ACCESS_KEY_ID, secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY },
  region: 'us-east-1',
  service: 'bedrock',
  sha256: NodeSha256
})
const pool = new Pool(endpoint.origin, { connections: 64, pipelining: 1, keepAliveTimeout: 60_000 })
const baseHeaders = { 'content-type': 'application/json', accept: 'application/json' }

async function signedHeaders () {
  const signed = await signer.sign({
    method: 'POST',
    protocol: 'https:',
    hostname: endpoint.hostname,
    port: Number(endpoint.port),
    path,
    query: {},
    headers: { ...baseHeaders, host: endpoint.host, 'content-length': String(body.length) },
    body
  })
  return signed.headers
}

async function undiciCall (headers) {
  const { statusCode, body: answer } = await pool.request({ path, method: 'POST', headers, body })
  const bytes = await answer.arrayBuffer()
  if (statusCode !== 200) throw new Error(`status ${statusCode}: ${Buffer.from(bytes)}`)
}

const sdk = bedrockFromClient(createBedrockClient({ region: 'us-east-1', endpoint: endpoint.origin, apiKey: undefined, maxAttempts: 2 }))
const ways = {
  sdk: () => sdk.invoke(modelId, body, new AbortController().signal),
  'undici+sigv4': async () => undiciCall(await signedHeaders()),
  'undici bearer': () => undiciCall({ ...baseHeaders, authorization: 'Bearer x' })
}


const results = {}
for (const [name, call] of Object.entries(ways)) {
  results[name] = { c1: await measure(call, { concurrency: 1, durationMs, warmup: 200 }), c64: await measure(call, { concurrency: 64, durationMs, warmup: 200 }) }
}

// Signing alone.
for (let i = 0; i < 2000; i++) await signedHeaders()
const n = 20_000
const t0 = performance.now()
for (let i = 0; i < n; i++) await signedHeaders()
results.sigv4SignUs = r(((performance.now() - t0) * 1000) / n, 2)

process.stdout.write(JSON.stringify(results))
sdk.close()
await pool.destroy()
