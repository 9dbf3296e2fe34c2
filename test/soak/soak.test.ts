/**
 * Soak: a mix of streaming and JSON requests, Bedrock errors before and
 * during streams, client aborts, count_tokens and bad input through the built
 * server as a process. Afterwards its open file descriptors (sockets) and
 * memory return to where they were after warm-up.
 * `npm test` runs a short version; `npm run soak` runs 10,000 requests.
 */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { readdirSync, readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { Agent, request } from 'undici'
import { startEmulator } from '../../src/emulator/server.js'
import { TOKEN } from '../helpers/config.js'
import { AWS_CREDENTIALS, directive } from '../helpers/stack.js'

const TOTAL = Number(process.env.SOAK_REQUESTS ?? 600)
const CONCURRENCY = 32
const SERVER = fileURLToPath(new URL('../../dist/server.js', import.meta.url))

const rssKiB = (pid: number): number => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1])
const openFds = (pid: number): number => readdirSync(`/proc/${pid}/fd`).length

const body = (content: string, extra: Record<string, unknown> = {}): string =>
  JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 64, messages: [{ role: 'user', content }], ...extra })

type Kind = 'json' | 'stream' | 'error' | 'stream-error' | 'abort' | 'count' | 'bad'
const MIX: Kind[] = ['json', 'stream', 'stream', 'json', 'error', 'stream-error', 'abort', 'count', 'bad', 'stream']

t.test(`soak: ${TOTAL} mixed requests`, { timeout: Math.max(120_000, TOTAL * 60) }, async (t) => {
  const emulator = await startEmulator({ credentials: AWS_CREDENTIALS, maxRecorded: 10 })
  t.teardown(() => emulator.close())
  const probe = createServer().listen(0, '127.0.0.1')
  await once(probe, 'listening')
  const port = (probe.address() as { port: number }).port
  probe.close()
  const child = spawn(process.execPath, [SERVER], {
    env: {
      PATH: process.env.PATH, PORT: String(port), HOST: '127.0.0.1', BEARER_TOKEN: TOKEN, AWS_REGION: 'us-east-1', LOG_LEVEL: 'warn',
      AWS_ENDPOINT_URL_BEDROCK_RUNTIME: emulator.url, AWS_ENDPOINT_URL_BEDROCK: emulator.url,
      AWS_ACCESS_KEY_ID: AWS_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: AWS_CREDENTIALS.secretAccessKey
    },
    stdio: ['ignore', 'ignore', 'inherit']
  })
  t.teardown(() => { child.kill('SIGKILL') })
  const url = `http://127.0.0.1:${port}`
  for (let i = 0; ; i++) {
    try {
      if ((await request(`${url}/health`)).statusCode === 200) break
    } catch {}
    if (i > 200) throw new Error('the server did not start')
    await sleep(25)
  }
  const agent = new Agent({ connections: CONCURRENCY })
  t.teardown(() => agent.close())
  const headers = { 'x-api-key': TOKEN, 'content-type': 'application/json' }
  const outcomes = new Map<string, number>()
  const count = (key: string): void => { outcomes.set(key, (outcomes.get(key) ?? 0) + 1) }

  async function one (kind: Kind): Promise<void> {
    const post = (path: string, payload: string, signal?: AbortSignal) => request(`${url}${path}`, { method: 'POST', headers, body: payload, dispatcher: agent, signal })
    switch (kind) {
      case 'json': {
        const response = await post('/v1/messages', body('soak'))
        count(`json ${response.statusCode}`)
        return void await response.body.json()
      }
      case 'stream': {
        const response = await post('/v1/messages', body('soak stream with a few words', { stream: true }))
        const text = await response.body.text()
        return count(`stream ${text.endsWith('event: message_stop\ndata: {"type":"message_stop"}\n\n') ? 'complete' : 'broken'}`)
      }
      case 'error': {
        const response = await post('/v1/messages', body(directive({ error: { type: 'ThrottlingException' } })))
        count(`error ${response.statusCode}`)
        return void await response.body.dump()
      }
      case 'stream-error': {
        const response = await post('/v1/messages', body(directive({ streamError: { type: 'modelStreamErrorException', afterEvents: 2 } }), { stream: true }))
        return count(`stream-error ${(await response.body.text()).includes('event: error') ? 'event' : 'missing'}`)
      }
      case 'abort': {
        const controller = new AbortController()
        const response = await post('/v1/messages', body(directive({ text: 'slow '.repeat(50), textChunks: 50, eventDelayMs: 20 }), { stream: true }), controller.signal)
        for await (const _chunk of response.body) {
          controller.abort()
          break
        }
        return count('abort done')
      }
      case 'count': {
        const response = await post('/v1/messages/count_tokens', JSON.stringify({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'count me' }] }))
        count(`count ${response.statusCode}`)
        return void await response.body.dump()
      }
      case 'bad': {
        const response = await post('/v1/messages', '{"model": 42')
        count(`bad ${response.statusCode}`)
        return void await response.body.dump()
      }
    }
  }

  async function run (requests: number): Promise<void> {
    let next = 0
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (next < requests) {
        const kind = MIX[next++ % MIX.length]!
        await one(kind).catch((error: Error) => count(`${kind} threw ${error.name}`))
      }
    }))
  }

  await run(200)
  await sleep(1000)
  const before = { rss: rssKiB(child.pid!), fds: openFds(child.pid!) }
  outcomes.clear()
  await run(TOTAL)
  await sleep(2000)
  const after = { rss: rssKiB(child.pid!), fds: openFds(child.pid!) }
  t.comment(`outcomes: ${JSON.stringify(Object.fromEntries(outcomes))}`)
  t.comment(`before: ${before.rss} KiB RSS, ${before.fds} fds; after: ${after.rss} KiB RSS, ${after.fds} fds`)

  const per = TOTAL / MIX.length
  t.ok((outcomes.get('json 200') ?? 0) >= per * 2 - 1, 'JSON answers')
  t.ok((outcomes.get('stream complete') ?? 0) >= per * 3 - 1, 'complete streams')
  t.notOk(outcomes.has('stream broken'), 'no broken stream')
  t.ok((outcomes.get('error 429') ?? 0) >= per - 1, 'throttling mapped to 429')
  t.ok((outcomes.get('stream-error event') ?? 0) >= per - 1, 'mid-stream errors as events')
  t.ok((outcomes.get('count 200') ?? 0) >= per - 1)
  t.ok((outcomes.get('bad 400') ?? 0) >= per - 1)
  t.notOk([...outcomes.keys()].some((key) => key.includes('threw') && !key.startsWith('abort')), 'no request failed at the transport level')
  t.equal(emulator.activeStreams(), 0, 'every upstream stream closed, aborted ones included')
  t.ok(after.fds <= before.fds + 2, `file descriptors back to baseline (${before.fds} -> ${after.fds})`)
  t.ok(after.rss <= before.rss * 1.1 || TOTAL < 2000, `RSS within 10% of baseline (${before.rss} -> ${after.rss} KiB)`)
  t.equal((await request(`${url}/health`)).statusCode, 200)
})
