// Every Bedrock error reaches the real SDK as its typed exception, before and during a stream.
import * as sdk from '@aws-sdk/client-bedrock-runtime'
import t from 'tap'
import { request } from 'node:http'
import { ERROR_STATUS } from '../../src/emulator/errors.js'
import { startEmulator } from '../../src/emulator/server.js'
import type { Script } from '../../src/emulator/server.js'
import { body, client, invoke, stream } from '../helpers/emulator-sdk.js'

const SERVICE_ERRORS = [
  'ValidationException', 'AccessDeniedException', 'ResourceNotFoundException', 'ModelTimeoutException',
  'ThrottlingException', 'ModelNotReadyException', 'ServiceQuotaExceededException', 'ModelErrorException',
  'InternalServerException', 'ServiceUnavailableException',
] as const

const directive = (script: Script): Record<string, unknown> => body(`hi\n@emulator ${JSON.stringify(script)}`)

t.test('each scripted error is the SDK typed exception with its status', async (t) => {
  const emulator = await startEmulator()
  t.teardown(() => emulator.close())
  const c = client(emulator)
  t.teardown(() => c.destroy())
  for (const name of SERVICE_ERRORS) {
    const ErrorClass = (sdk as unknown as Record<string, new (...a: never[]) => Error>)[name]
    t.ok(ErrorClass, `${name} is an SDK class`)
    const status = ERROR_STATUS[name]
    for (const call of [invoke, stream]) {
      const error = await call(c, directive({ error: { type: name, message: `scripted ${name}` } })).catch((e: unknown) => e)
      t.type(error, ErrorClass as never, `${name} via ${call.name}`)
      t.match(error, { name, message: `scripted ${name}`, $metadata: { httpStatusCode: status } })
      t.equal(emulator.lastRequest()?.status, status)
      t.equal((error as { $metadata: { requestId?: string } }).$metadata.requestId, emulator.lastRequest()?.id)
    }
  }
})

t.test('the error wire shape', async (t) => {
  const emulator = await startEmulator()
  t.teardown(() => emulator.close())
  const reply = await fetch(`${emulator.url}/model/unknown-model/invoke`, {
    method: 'POST',
    headers: { authorization: 'Bearer x', 'content-type': 'application/json' },
    body: JSON.stringify(body()),
  })
  t.equal(reply.status, 400)
  t.equal(reply.headers.get('x-amzn-errortype'), 'ValidationException:http://internal.amazon.com/coral/com.amazon.bedrock/')
  t.equal(reply.headers.get('content-type'), 'application/json')
  t.match(reply.headers.get('x-amzn-requestid'), /^[0-9a-f-]{36}$/)
  t.same(await reply.json(), { message: 'The provided model identifier is invalid.' })

  const missing = await fetch(`${emulator.url}/model/${encodeURIComponent('us.anthropic.claude-opus-4-8')}/invoke`, {
    method: 'POST',
    body: JSON.stringify(body()),
  })
  t.equal(missing.status, 403, 'no Authorization header')
  t.match(missing.headers.get('x-amzn-errortype'), /^UnrecognizedClientException:/)
  t.same(await missing.json(), { message: 'The security token included in the request is invalid.' })

  const malformed = await fetch(`${emulator.url}/model/x/invoke`, { method: 'POST', headers: { authorization: 'AWS4-HMAC-SHA256 junk' } })
  t.equal(malformed.status, 403, 'a malformed SigV4 header')

  const unknown = await fetch(`${emulator.url}/nowhere`, { headers: { authorization: 'Bearer x' } })
  t.equal(unknown.status, 404)
  t.match(unknown.headers.get('x-amzn-errortype'), /^UnknownOperationException:/)
  t.equal(emulator.requests.length, 3, 'the three model routes are recorded, the unknown route is not')
})

t.test('exception frames mid-stream throw from the for-await loop', async (t) => {
  const emulator = await startEmulator()
  t.teardown(() => emulator.close())
  const c = client(emulator)
  t.teardown(() => c.destroy())
  const cases: Array<[string, string]> = [
    ['throttlingException', 'ThrottlingException'],
    ['modelStreamErrorException', 'ModelStreamErrorException'],
    ['validationException', 'ValidationException'],
    ['internalServerException', 'InternalServerException'],
    ['serviceUnavailableException', 'ServiceUnavailableException'],
    ['modelTimeoutException', 'ModelTimeoutException'],
  ]
  for (const [type, name] of cases) {
    const out = await c.send(
      new sdk.InvokeModelWithResponseStreamCommand({
        modelId: 'us.anthropic.claude-haiku-4-5-20251001-v1:0',
        body: JSON.stringify(directive({ streamError: { type, message: `broke: ${type}`, afterEvents: 3 } })),
      }),
    )
    const seen: string[] = []
    const error = await (async () => {
      for await (const part of out.body ?? []) {
        seen.push(JSON.parse(new TextDecoder().decode(part.chunk?.bytes)).type)
      }
    })().catch((e: unknown) => e)
    t.match(error, { name, message: `broke: ${type}` }, type)
    t.same(seen, ['message_start', 'content_block_start', 'content_block_delta'], 'three events came first')
    t.equal(emulator.lastRequest()?.eventsSent, 3)
  }
})

t.test('a model stream error carries the original status', async (t) => {
  const emulator = await startEmulator()
  t.teardown(() => emulator.close())
  const c = client(emulator)
  t.teardown(() => c.destroy())
  const error = await stream(c, directive({ streamError: { type: 'modelStreamErrorException' } })).catch((e: unknown) => e)
  t.match(error, { name: 'ModelStreamErrorException', originalStatusCode: 500 })
})

t.test('an invalid directive is a visible 400', async (t) => {
  const emulator = await startEmulator()
  t.teardown(() => emulator.close())
  const c = client(emulator)
  t.teardown(() => c.destroy())
  await t.rejects(invoke(c, body('hi\n@emulator {not json')), { name: 'ValidationException', message: /Invalid @emulator directive/ })
  await t.rejects(invoke(c, directive({ error: { type: 'NoSuchException' } })), { name: 'ValidationException', message: /error\.type/ })
  await t.rejects(invoke(c, directive({ streamError: { type: 'ThrottlingException' } })), { message: /streamError\.type/ })
})

t.test('a client that sends a broken upload gets no crash', async (t) => {
  const emulator = await startEmulator()
  t.teardown(() => emulator.close())
  await new Promise<void>((resolve) => {
    const req = request(`${emulator.url}/model/x/invoke`, { method: 'POST', headers: { 'content-length': '100' } })
    req.on('error', () => resolve())
    req.write('{"partial":')
    setTimeout(() => req.destroy(), 20)
  })
  const again = await fetch(`${emulator.url}/_emulator/requests`)
  t.equal(again.status, 200, 'still serving')
})
