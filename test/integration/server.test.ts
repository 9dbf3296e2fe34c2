/**
 * The built server as a process, configured only through the environment,
 * as `npm start`, the container and the demo run it.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { request } from 'undici'
import { startEmulator } from '../../src/emulator/server.js'
import { TOKEN } from '../helpers/config.js'
import { AWS_CREDENTIALS, directive, parseSse } from '../helpers/stack.js'

const SERVER = fileURLToPath(new URL('../../dist/server.js', import.meta.url))

async function freePort (): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as { port: number }
  server.close()
  return port
}

interface Running { child: ChildProcess; url: string; output: () => string; exit: Promise<number | null> }

async function startServer (env: Record<string, string>): Promise<Running> {
  const port = await freePort()
  const child = spawn(process.execPath, [SERVER], {
    env: { PATH: process.env.PATH, HOST: '127.0.0.1', PORT: String(port), AWS_REGION: 'us-east-1', ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let output = ''
  child.stdout!.on('data', (chunk) => { output += chunk })
  child.stderr!.on('data', (chunk) => { output += chunk })
  const exit = once(child, 'exit').then(([code]) => code as number | null)
  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 10_000
  for (;;) {
    if (child.exitCode !== null) break
    try {
      const health = await request(`${url}/health`)
      await health.body.dump()
      if (health.statusCode === 200) break
    } catch {}
    if (Date.now() > deadline) throw new Error(`server did not start: ${output}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  return { child, url, output: () => output, exit }
}

t.test('refuses to start without a token, naming the variable', async (t) => {
  const running = await startServer({})
  t.equal(await running.exit, 78)
  t.match(running.output(), /configuration error: BEARER_TOKEN: set BEARER_TOKEN, BEARER_TOKENS or BEARER_TOKEN_SECRET_ARN/)
})

t.test('refuses a bad value, naming the variable', async (t) => {
  const running = await startServer({ BEARER_TOKEN: TOKEN, MODEL_MAP: '{"x":"not a model id"}' })
  t.equal(await running.exit, 78)
  t.match(running.output(), /MODEL_MAP: "x" maps to "not a model id"/)
})

t.test('AUTH_DISABLED=true starts with a loud warning', async (t) => {
  const running = await startServer({ AUTH_DISABLED: 'true' })
  t.teardown(() => { running.child.kill('SIGKILL') })
  const models = await request(`${running.url}/v1/models`)
  t.equal(models.statusCode, 200)
  await models.body.dump()
  t.match(running.output(), /"level":40.*AUTH_DISABLED=true/)
})

t.test('configured by environment only: SigV4 credentials, endpoint override, tokens', async (t) => {
  const emulator = await startEmulator({ credentials: AWS_CREDENTIALS })
  const running = await startServer({
    BEARER_TOKENS: `${TOKEN},another-token-0123456789`,
    AWS_ENDPOINT_URL_BEDROCK_RUNTIME: emulator.url,
    AWS_ENDPOINT_URL_BEDROCK: emulator.url,
    AWS_ACCESS_KEY_ID: AWS_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: AWS_CREDENTIALS.secretAccessKey,
    BEDROCK_INFERENCE_PROFILE: 'eu'
  })
  t.teardown(async () => { running.child.kill('SIGKILL'); await emulator.close() })
  const response = await request(`${running.url}/v1/messages`, {
    method: 'POST',
    headers: { authorization: 'Bearer another-token-0123456789', 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'env only' }] })
  })
  t.equal(response.statusCode, 200)
  t.equal(response.headers['keep-alive'], 'timeout=620', 'idle keep-alive outlives a 600 s load balancer timeout')
  t.match(await response.body.json(), { content: [{ text: 'You said: env only' }] })
  t.equal(emulator.lastRequest()!.modelId, 'eu.anthropic.claude-sonnet-4-5-20250929-v1:0')
  t.match(emulator.lastRequest()!.headers.authorization, /^AWS4-HMAC-SHA256 Credential=AKIDEMULATOR/)
  t.notMatch(running.output(), new RegExp(`${TOKEN}|another-token|${AWS_CREDENTIALS.secretAccessKey}`), 'no secret in the logs')
})

t.test('AWS_BEARER_TOKEN_BEDROCK: a Bedrock API key instead of SigV4', async (t) => {
  const emulator = await startEmulator({ apiKey: 'bedrock-api-key-for-tests' })
  const running = await startServer({ BEARER_TOKEN: TOKEN, AWS_ENDPOINT_URL_BEDROCK_RUNTIME: emulator.url, AWS_ENDPOINT_URL_BEDROCK: emulator.url, AWS_BEARER_TOKEN_BEDROCK: 'bedrock-api-key-for-tests' })
  t.teardown(async () => { running.child.kill('SIGKILL'); await emulator.close() })
  const response = await request(`${running.url}/v1/messages`, {
    method: 'POST',
    headers: { 'x-api-key': TOKEN, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'claude-haiku-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'api key' }] })
  })
  t.equal(response.statusCode, 200)
  await response.body.dump()
  t.equal(emulator.lastRequest()!.headers.authorization, 'Bearer bedrock-api-key-for-tests')
  for (let i = 0; i < 250 && !running.output().includes('model discovery'); i++) await new Promise((resolve) => setTimeout(resolve, 20))
  t.ok(emulator.controlPlaneCalls() > 0)
  t.match(running.output(), /model discovery: serving the models the account offers/, 'discovery authenticated with the API key too')
  t.notMatch(running.output(), /bedrock-api-key-for-tests/)
})

t.test('SIGTERM: stops accepting, lets a live stream finish, exits 0', async (t) => {
  const emulator = await startEmulator({ credentials: AWS_CREDENTIALS })
  const running = await startServer({
    BEARER_TOKEN: TOKEN,
    AWS_ENDPOINT_URL_BEDROCK_RUNTIME: emulator.url,
    AWS_ENDPOINT_URL_BEDROCK: emulator.url,
    AWS_ACCESS_KEY_ID: AWS_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: AWS_CREDENTIALS.secretAccessKey
  })
  t.teardown(async () => { running.child.kill('SIGKILL'); await emulator.close() })
  const stream = await request(`${running.url}/v1/messages`, {
    method: 'POST',
    headers: { 'x-api-key': TOKEN, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 100, stream: true, messages: [{ role: 'user', content: directive({ text: 'one two three four five six', textChunks: 6, eventDelayMs: 80 }) }] })
  })
  t.equal(stream.statusCode, 200)
  running.child.kill('SIGTERM')
  await new Promise((resolve) => setTimeout(resolve, 100))
  const refused = await request(`${running.url}/health`).then((r) => r.statusCode, (error: Error) => error.message)
  t.not(refused, 200, `a new request after SIGTERM is not served (${refused})`)
  const events = parseSse(await stream.body.text())
  t.equal(events.at(-1)!.event, 'message_stop', 'the in-flight stream completed')
  t.equal(await running.exit, 0)
  t.match(running.output(), /shutting down/)
})

t.test('SIGTERM with many live streams: all finish within the grace period, or end with a clean error event when it runs out', async (t) => {
  const emulator = await startEmulator({ credentials: AWS_CREDENTIALS })
  const running = await startServer({
    BEARER_TOKEN: TOKEN,
    SHUTDOWN_GRACE_MS: '1500',
    AWS_ENDPOINT_URL_BEDROCK_RUNTIME: emulator.url,
    AWS_ENDPOINT_URL_BEDROCK: emulator.url,
    AWS_ACCESS_KEY_ID: AWS_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: AWS_CREDENTIALS.secretAccessKey
  })
  t.teardown(async () => { running.child.kill('SIGKILL'); await emulator.close() })
  const open = (eventDelayMs: number) => request(`${running.url}/v1/messages`, {
    method: 'POST',
    headers: { 'x-api-key': TOKEN, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 100, stream: true, messages: [{ role: 'user', content: directive({ text: 'one two three four five six', textChunks: 6, eventDelayMs }) }] })
  })
  // 20 streams that finish well within the grace period, 10 that would take far longer.
  const quick = await Promise.all(Array.from({ length: 20 }, () => open(100)))
  const slow = await Promise.all(Array.from({ length: 10 }, () => open(2000)))
  running.child.kill('SIGTERM')
  const quickEvents = await Promise.all(quick.map(async (response) => parseSse(await response.body.text())))
  const slowEvents = await Promise.all(slow.map(async (response) => parseSse(await response.body.text())))
  t.ok(quickEvents.every((events) => events.at(-1)!.event === 'message_stop'), 'every stream that could finish in time did')
  for (const events of slowEvents) {
    t.match(events.at(-1), { event: 'error', data: { type: 'error', error: { type: 'overloaded_error', message: /shutting down/ } } })
  }
  t.equal(await running.exit, 0)
  t.match(running.output(), /grace period over/)
})
