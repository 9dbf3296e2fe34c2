import t from 'tap'
import { request } from 'undici'
import { TOKEN } from '../helpers/config.js'
import { AWS_CREDENTIALS, directive, startStack } from '../helpers/stack.js'

t.test('no credential reaches a log line, at the most verbose level', async (t) => {
  const stack = await startStack({ env: { LOG_LEVEL: 'trace' } })
  t.teardown(() => stack.close())
  const wrongToken = 'wrong-token-distinctive-5f3a9c'
  const attempts: Array<Record<string, string>> = [
    { authorization: `Bearer ${TOKEN}` },
    { 'x-api-key': TOKEN },
    { authorization: `Bearer ${wrongToken}` },
    { 'x-api-key': wrongToken },
    { authorization: `Basic ${wrongToken}` }
  ]
  const bodies = [
    { model: 'claude-sonnet-4-5', max_tokens: 5, messages: [{ role: 'user', content: 'hello' }] },
    { model: 'claude-sonnet-4-5', max_tokens: 5, stream: true, messages: [{ role: 'user', content: 'hello' }] },
    { model: 'claude-sonnet-4-5', max_tokens: 5, messages: [{ role: 'user', content: directive({ error: { type: 'InternalServerException' } }) }] },
    { model: 'claude-sonnet-4-5', max_tokens: 5, stream: true, messages: [{ role: 'user', content: directive({ streamError: { type: 'internalServerException' } }) }] },
    { model: 'no-such-model', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }
  ]
  for (const headers of attempts) {
    for (const path of ['/v1/messages', '/v1/messages/count_tokens']) {
      for (const body of bodies) {
        const response = await request(`${stack.url}${path}`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body) })
        await response.body.dump()
      }
    }
    for (const path of ['/v1/models', '/health', '/nowhere']) await (await request(`${stack.url}${path}`, { headers })).body.dump()
  }
  await stack.app.close()
  const logs = stack.rawLogs()
  t.ok(stack.logs.filter((line) => line.msg === 'request').length >= attempts.length * 13, 'every request was logged')
  for (const secret of [TOKEN, wrongToken, AWS_CREDENTIALS.secretAccessKey]) {
    t.notOk(logs.includes(secret), `${secret.slice(0, 8)}… never logged`)
  }
})

t.test('headers holding credentials are redacted wherever a log line carries them', async (t) => {
  const stack = await startStack()
  t.teardown(() => stack.close())
  const headers = { authorization: `Bearer ${TOKEN}`, 'x-api-key': TOKEN, 'x-amz-security-token': TOKEN, accept: 'json' }
  stack.app.log.info({ request: { headers }, headers, req: { headers } }, 'diagnostic')
  const line = stack.logs.find((entry) => entry.msg === 'diagnostic')!
  const redacted = { authorization: '[redacted]', 'x-api-key': '[redacted]', 'x-amz-security-token': '[redacted]', accept: 'json' }
  t.same(line.request, { headers: redacted })
  t.same(line.headers, redacted)
  t.notOk(stack.rawLogs().includes(TOKEN))
})
