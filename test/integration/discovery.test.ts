/**
 * Model discovery against the emulated account: the proxy serves the models
 * the account has, by their Anthropic names, with no catalogue to maintain.
 */
import { readFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import { request } from 'undici'
import { MODELS } from '../../src/emulator/server.js'
import { TOKEN } from '../helpers/config.js'
import { CURRENT_ACCOUNT, OPUS_5_5, startStack, waitForDiscovery, type Stack } from '../helpers/stack.js'

const headers = { 'x-api-key': TOKEN, 'content-type': 'application/json' }

async function message (stack: Stack, model: string): Promise<{ status: number; body: any }> {
  const response = await request(`${stack.url}/v1/messages`, { method: 'POST', headers, body: JSON.stringify({ model, max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }) })
  return { status: response.statusCode, body: await response.body.json() }
}

t.test("Claude Code's current default model works unconfigured when the account has it", async (t) => {
  const stack = await startStack({ emulator: { account: CURRENT_ACCOUNT } })
  t.teardown(() => stack.close())
  t.match(await waitForDiscovery(stack), { level: 30, models: MODELS.length + 1 })
  const answer = await message(stack, 'claude-opus-5-5')
  t.equal(answer.status, 200, JSON.stringify(answer.body))
  t.equal(stack.emulator.lastRequest()!.modelId, 'us.anthropic.claude-opus-5-5')

  // A real request of Claude Code 2.1.331, whose default model is claude-opus-5-5, exactly as recorded.
  const fixture = JSON.parse(readFileSync(new URL('../fixtures/claude-code/2.1.331--default-model--1.json', import.meta.url), 'utf8'))
  t.equal(fixture.body.model, 'claude-opus-5-5')
  const replay = await request(`${stack.url}${fixture.url}`, { method: 'POST', headers: { ...fixture.headers, 'x-api-key': TOKEN }, body: JSON.stringify(fixture.body) })
  t.equal(replay.statusCode, 200)
  t.match(await replay.body.text(), /event: message_stop/)
  t.equal(stack.emulator.lastRequest()!.status, 200)
  t.ok((stack.emulator.lastRequest()!.body as any).output_config, 'a 4.6+ family model keeps output_config')

  const counted = await request(`${stack.url}/v1/messages/count_tokens`, { method: 'POST', headers, body: JSON.stringify({ model: 'claude-opus-5-5', messages: [{ role: 'user', content: 'hi' }] }) })
  t.equal(counted.statusCode, 200)
  await counted.body.dump()
  t.equal(stack.emulator.lastRequest()!.modelId, 'anthropic.claude-opus-5-5', 'CountTokens with the base id')
  t.equal((await message(stack, 'opus')).status, 200)
  t.equal(stack.emulator.lastRequest()!.modelId, 'us.anthropic.claude-opus-5-5', '"opus" is the newest Opus the account has')
})

t.test('/v1/models matches the account; a model it lacks is a 400 naming alternatives', async (t) => {
  const account = { models: MODELS.filter((m) => ['claude-opus-4-7', 'claude-sonnet-4-5-20250929', 'claude-haiku-4-5-20251001'].includes(m.anthropicId)) }
  const stack = await startStack({ emulator: { account } })
  t.teardown(() => stack.close())
  await waitForDiscovery(stack)
  const list = await (await request(`${stack.url}/v1/models`, { headers })).body.json() as any
  t.same(list.data.map((m: any) => m.id).sort(), ['claude-haiku-4-5-20251001', 'claude-opus-4-7', 'claude-sonnet-4-5-20250929'])
  t.match(list.data.find((m: any) => m.id === 'claude-opus-4-7'), { type: 'model', display_name: 'Claude Opus 4.7' })
  const missing = await message(stack, 'claude-opus-4-8')
  t.equal(missing.status, 400)
  t.match(missing.body, { error: { type: 'invalid_request_error', message: /unknown model "claude-opus-4-8"\. Closest models available: claude-opus-4-7/ } })
  t.equal(stack.emulator.requests.length, 0, 'nothing silently routed to another model')
  t.equal((await message(stack, 'claude-sonnet-4-5')).status, 200, 'undated names work')
})

t.test('discovery failure falls back to the built-in table, with a warning saying why', async (t) => {
  const stack = await startStack({ emulator: { controlPlaneError: 'AccessDeniedException' } })
  t.teardown(() => stack.close())
  const warning = await waitForDiscovery(stack)
  t.match(warning, { level: 40, msg: /model discovery failed: serving the built-in model table/, reason: /AccessDeniedException/ })
  t.equal((await message(stack, 'claude-sonnet-4-5')).status, 200)
  t.ok((await (await request(`${stack.url}/health`)).body.json() as any).status === 'ok')
})

t.test('an application inference profile by MODEL_MAP alias, known by the model it routes to', async (t) => {
  const team = { id: 'team-a-7x', name: 'team-a', baseId: 'anthropic.claude-sonnet-4-5-20250929-v1:0' }
  const arn = 'arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/team-a-7x'
  const stack = await startStack({ env: { MODEL_MAP: JSON.stringify({ 'team-a': arn }) }, emulator: { account: { models: MODELS, applicationProfiles: [team] } } })
  t.teardown(() => stack.close())
  t.match(await waitForDiscovery(stack), { applicationProfiles: 1 })
  t.equal((await message(stack, 'team-a')).status, 200)
  t.equal(stack.emulator.lastRequest()!.modelId, arn)
  const counted = await request(`${stack.url}/v1/messages/count_tokens`, { method: 'POST', headers, body: JSON.stringify({ model: 'team-a', messages: [{ role: 'user', content: 'hi' }] }) })
  t.equal(counted.statusCode, 200)
  await counted.body.dump()
  t.equal(stack.emulator.lastRequest()!.modelId, team.baseId, 'CountTokens gets the base id of the routed model')
})

t.test('discovery looks again on its interval and keeps the last good answer when it fails', async (t) => {
  const models = [...MODELS]
  const stack = await startStack({ env: { MODEL_DISCOVERY_INTERVAL_MS: '100' }, emulator: { account: { models } } })
  t.teardown(() => stack.close())
  await waitForDiscovery(stack)
  t.equal((await message(stack, 'claude-opus-5-5')).status, 400)
  models.unshift(OPUS_5_5)
  let status = 400
  for (let i = 0; i < 100 && status !== 200; i++) {
    await sleep(20)
    status = (await message(stack, 'claude-opus-5-5')).status
  }
  t.equal(status, 200, 'a model enabled later is picked up without a restart')
})
