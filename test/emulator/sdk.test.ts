// The real AWS SDK client against the emulator, over each transport it can use.
import { NodeHttp2Handler, NodeHttpHandler } from '@smithy/node-http-handler'
import t from 'tap'
import type { Test } from 'tap'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { Agent } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startEmulator } from '../../src/emulator/server.js'
import type { Emulator } from '../../src/emulator/server.js'
import { BASE, body, client, countTokens, CREDENTIALS, invoke, stream, streamedText } from '../helpers/emulator-sdk.js'
import type { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime'

async function allThree(t: Test, emulator: Emulator, c: BedrockRuntimeClient, httpVersion: string): Promise<void> {
  const message = await invoke(c, body('hello there'))
  t.equal(message.type, 'message')
  t.equal(message.model, 'claude-sonnet-4-5-20250929')
  t.same(message.content, [{ type: 'text', text: 'You said: hello there' }])
  t.equal(emulator.lastRequest()?.httpVersion, httpVersion)
  t.equal(emulator.lastRequest()?.status, 200)

  const events = await stream(c, body('stream me'))
  t.equal(events[0].type, 'message_start')
  t.equal(events.at(-1).type, 'message_stop')
  t.equal(streamedText(events), 'You said: stream me')
  t.equal(emulator.lastRequest()?.httpVersion, httpVersion)

  const tokens = await countTokens(c, body('hello there'))
  t.equal(tokens, message.usage.input_tokens, 'CountTokens agrees with InvokeModel usage')
  t.equal(emulator.lastRequest()?.operation, 'CountTokens')
  t.same(emulator.lastRequest()?.body, body('hello there'), 'the inner body is recorded decoded')
  c.destroy()
}

t.test('HTTP/2 cleartext (the SDK default handler), SigV4 verified', async (t) => {
  const emulator = await startEmulator({ credentials: CREDENTIALS })
  t.teardown(() => emulator.close())
  await allThree(t, emulator, client(emulator), '2.0')
})

t.test('HTTP/1.1 (NodeHttpHandler), SigV4 verified', async (t) => {
  const emulator = await startEmulator({ credentials: CREDENTIALS })
  t.teardown(() => emulator.close())
  await allThree(t, emulator, client(emulator, { requestHandler: new NodeHttpHandler() }), '1.1')
})

t.test('a wrong secret or an unknown key id is refused when credentials are set', async (t) => {
  const emulator = await startEmulator({ credentials: CREDENTIALS })
  t.teardown(() => emulator.close())
  const wrongSecret = client(emulator, { credentials: { ...CREDENTIALS, secretAccessKey: 'nope' } })
  t.teardown(() => wrongSecret.destroy())
  await t.rejects(invoke(wrongSecret, body()), { name: 'InvalidSignatureException', $metadata: { httpStatusCode: 403 } })
  const wrongKey = client(emulator, { credentials: { ...CREDENTIALS, accessKeyId: 'AKIDOTHER' } })
  t.teardown(() => wrongKey.destroy())
  await t.rejects(invoke(wrongKey, body()), { name: 'UnrecognizedClientException', $metadata: { httpStatusCode: 403 } })
  t.equal(emulator.lastRequest()?.status, 403)
})

t.test('without credentials any well-formed signature passes', async (t) => {
  const emulator = await startEmulator()
  t.teardown(() => emulator.close())
  const c = client(emulator, { credentials: { accessKeyId: 'ANY', secretAccessKey: 'thing' } })
  t.teardown(() => c.destroy())
  t.equal((await invoke(c, body())).type, 'message')
})

t.test('Bearer API keys (the SDK token option)', async (t) => {
  const emulator = await startEmulator({ apiKey: 'k', credentials: CREDENTIALS })
  t.teardown(() => emulator.close())
  const bearer = (token: string): BedrockRuntimeClient =>
    client(emulator, { token: { token }, authSchemePreference: ['httpBearerAuth'] })
  const good = bearer('k')
  t.teardown(() => good.destroy())
  t.equal((await invoke(good, body())).type, 'message')
  t.equal(emulator.lastRequest()?.headers.authorization, 'Bearer k')
  t.equal((await stream(good, body())).at(-1).type, 'message_stop')
  const bad = bearer('wrong')
  t.teardown(() => bad.destroy())
  await t.rejects(invoke(bad, body()), { name: 'UnrecognizedClientException', $metadata: { httpStatusCode: 403 } })
})

t.test('TLS: h2 and http/1.1 through ALPN', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'emulator-tls-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const key = join(dir, 'key.pem')
  const cert = join(dir, 'cert.pem')
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', key, '-out', cert,
  ], { stdio: 'ignore' })
  const ca = readFileSync(cert)
  const emulator = await startEmulator({ tls: { key: readFileSync(key), cert: ca }, credentials: CREDENTIALS })
  t.teardown(() => emulator.close())
  t.match(emulator.url, /^https:\/\/127\.0\.0\.1:\d+$/)

  const h2 = new NodeHttp2Handler({ disableConcurrentStreams: true, nodeHttp2ConnectOptions: { ca } })
  await allThree(t, emulator, client(emulator, { requestHandler: h2 }), '2.0')
  const h1 = new NodeHttpHandler({ httpsAgent: new Agent({ ca }) })
  await allThree(t, emulator, client(emulator, { requestHandler: h1 }), '1.1')

  // And an untrusted certificate really is refused, so the trust above is what made it work.
  const untrusted = client(emulator, { requestHandler: new NodeHttpHandler() })
  t.teardown(() => untrusted.destroy())
  await t.rejects(invoke(untrusted, body()), /self[- ]signed|certificate/i)
})

t.test('model ids are percent-decoded, ARNs included', async (t) => {
  const emulator = await startEmulator()
  t.teardown(() => emulator.close())
  const c = client(emulator, { requestHandler: new NodeHttpHandler() })
  t.teardown(() => c.destroy())
  const arn = 'arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-opus-4-8'
  t.equal((await invoke(c, body(), arn)).model, 'claude-opus-4-8')
  t.equal(emulator.lastRequest()?.modelId, arn)
  const foundation = `arn:aws:bedrock:us-east-1::foundation-model/${BASE}`
  t.ok(await countTokens(c, body(), foundation))
  t.equal(emulator.lastRequest()?.modelId, foundation)
})
