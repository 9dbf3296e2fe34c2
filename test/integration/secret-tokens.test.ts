/** Bearer tokens from AWS Secrets Manager: read at start, rotated without a restart. */
import { Writable } from 'node:stream'
import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import { buildApp } from '../../src/app.js'
import { TOKEN, testConfig } from '../helpers/config.js'
import { startSecretsManager } from '../helpers/secrets-manager.js'
import { AWS_CREDENTIALS } from '../helpers/stack.js'

const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:proxy/bearer-tokens-AbCdEf'
const FROM_SECRET = 'secret-token-0123456789abcdef'
const ROTATED = 'rotated-token-0123456789abcdef'

process.env.AWS_ACCESS_KEY_ID = AWS_CREDENTIALS.accessKeyId
process.env.AWS_SECRET_ACCESS_KEY = AWS_CREDENTIALS.secretAccessKey

async function status (app: Awaited<ReturnType<typeof buildApp>>, token: string): Promise<number> {
  return (await app.inject({ method: 'GET', url: '/v1/models', headers: { authorization: `Bearer ${token}` } })).statusCode
}

t.test('tokens from the secret work beside BEARER_TOKEN; rotation needs no restart', async (t) => {
  const secrets = await startSecretsManager()
  t.teardown(() => secrets.close())
  secrets.put(ARN, FROM_SECRET)
  const lines: string[] = []
  const app = await buildApp(testConfig({
    BEARER_TOKENS: '', BEARER_TOKEN: TOKEN, BEARER_TOKEN_SECRET_ARN: ARN, BEARER_TOKEN_SECRET_REFRESH_MS: '50',
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.url, LOG_LEVEL: 'info'
  }), { logDestination: new Writable({ write (chunk, _encoding, callback) { lines.push(chunk.toString()); callback() } }) })
  t.teardown(() => app.close())
  t.equal(await status(app, FROM_SECRET), 200)
  t.equal(await status(app, TOKEN), 200, 'the static token too')
  t.equal(await status(app, ROTATED), 401)

  secrets.put(ARN, JSON.stringify([ROTATED]))
  let rotated = 401
  for (let i = 0; i < 100 && rotated !== 200; i++) {
    await sleep(20)
    rotated = await status(app, ROTATED)
  }
  t.equal(rotated, 200, 'the new token works after the refresh')
  t.equal(await status(app, FROM_SECRET), 401, 'the rotated-out token stops working')
  t.equal(await status(app, TOKEN), 200)
  t.ok(lines.some((line) => line.includes('the secret rotated')))

  secrets.failWith(503)
  for (let i = 0; i < 200 && !lines.some((line) => line.includes('could not re-read the secret')); i++) await sleep(20)
  t.ok(lines.some((line) => line.includes('could not re-read the secret')), 'the failed refresh is logged')
  t.equal(await status(app, ROTATED), 200, 'a failed refresh keeps the tokens in force')
  t.notOk(lines.join('').includes(ROTATED) || lines.join('').includes(FROM_SECRET), 'no token in the logs')
})

t.test('a secret that cannot be read at start stops start-up, naming the variable', async (t) => {
  const secrets = await startSecretsManager()
  t.teardown(() => secrets.close())
  const config = testConfig({ BEARER_TOKENS: '', BEARER_TOKEN_SECRET_ARN: ARN, AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.url })
  await t.rejects(buildApp(config), { name: 'ConfigError', message: /^BEARER_TOKEN_SECRET_ARN: could not read the bearer token secret \(ResourceNotFoundException/ })
  secrets.put(ARN, 'short')
  await t.rejects(buildApp(config), { message: /unusable token: each token needs at least 16 characters/ })
})

t.test('the secret ARN alone is enough configuration; a malformed one is refused', async (t) => {
  t.doesNotThrow(() => testConfig({ BEARER_TOKENS: '', BEARER_TOKEN_SECRET_ARN: ARN }))
  t.throws(() => testConfig({ BEARER_TOKENS: '', BEARER_TOKEN_SECRET_ARN: 'my-secret' }), { name: 'ConfigError', message: /^BEARER_TOKEN_SECRET_ARN: / })
})
