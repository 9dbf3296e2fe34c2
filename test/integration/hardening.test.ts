/** What Node's HTTP layer rejects, and timeouts that bound requests without cutting streams. */
import { connect } from 'node:net'
import t from 'tap'
import { request } from 'undici'
import { buildApp } from '../../src/app.js'
import { startEmulator } from '../../src/emulator/server.js'
import { TOKEN, testConfig } from '../helpers/config.js'
import { AWS_CREDENTIALS, directive, parseSse } from '../helpers/stack.js'

async function raw (port: number, text: string): Promise<string> {
  const socket = connect(port, '127.0.0.1')
  let answer = ''
  socket.on('data', (chunk) => { answer += chunk.toString() })
  socket.write(text)
  await new Promise((resolve) => { socket.on('close', resolve); socket.on('end', resolve) })
  return answer
}

t.test("requests Node's parser rejects get an Anthropic error", async (t) => {
  const app = await buildApp(testConfig())
  t.teardown(() => app.close())
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as { port: number }
  const cases: Array<[string, string, number, string]> = [
    ['a malformed request line', 'NOT HTTP AT ALL\r\n\r\n', 400, 'invalid_request_error'],
    ['a bad header', 'GET /health HTTP/1.1\r\nhost: x\r\nbad header\r\n\r\n', 400, 'invalid_request_error'],
    ['oversized headers', `GET /health HTTP/1.1\r\nhost: x\r\nx-big: ${'a'.repeat(20_000)}\r\n\r\n`, 431, 'request_too_large']
  ]
  for (const [name, text, status, type] of cases) {
    const answer = await raw(port, text)
    t.match(answer, new RegExp(`^HTTP/1.1 ${status} `), name)
    const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))
    t.match(body, { type: 'error', error: { type, message: String }, request_id: /^req_/ }, name)
  }
  t.equal((await request(`http://127.0.0.1:${port}/health`)).statusCode, 200, 'still serving')
})

t.test('the request timeout bounds a request that never finishes arriving, and never cuts a stream', async (t) => {
  process.env.AWS_ACCESS_KEY_ID = AWS_CREDENTIALS.accessKeyId
  process.env.AWS_SECRET_ACCESS_KEY = AWS_CREDENTIALS.secretAccessKey
  const emulator = await startEmulator({ credentials: AWS_CREDENTIALS })
  t.teardown(() => emulator.close())
  const app = await buildApp(testConfig({ AWS_ENDPOINT_URL_BEDROCK_RUNTIME: emulator.url }), { timeouts: { requestTimeout: 500, headersTimeout: 400, keepAliveTimeout: 400 } })
  t.teardown(() => app.close())
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as { port: number }

  const stream = await request(`http://127.0.0.1:${port}/v1/messages`, {
    method: 'POST',
    headers: { 'x-api-key': TOKEN, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 50, stream: true, messages: [{ role: 'user', content: directive({ text: 'a b c d e', textChunks: 5, eventDelayMs: 300 }) }] })
  })
  const events = parseSse(await stream.body.text())
  t.equal(events.at(-1)!.event, 'message_stop', 'a 2 s stream outlives a 0.5 s request timeout')

  const started = Date.now()
  const answer = await raw(port, `POST /v1/messages HTTP/1.1\r\nhost: x\r\nx-api-key: ${TOKEN}\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{"model":`)
  t.ok(Date.now() - started < 5000, 'a body that never completes does not hold the socket forever')
  t.match(answer, /^HTTP\/1.1 408 /)
})
