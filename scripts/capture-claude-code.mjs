#!/usr/bin/env node
// Records what real Claude Code versions send, as test fixtures (test/fixtures/claude-code/).
// Usage: npm run build && node scripts/capture-claude-code.mjs /path/to/claude[@version] ...
// Each binary runs a few scenarios in print mode against a recording server in front of the
// proxy and the emulator; every /v1/messages request is saved with its URL, its headers (minus
// credentials) and its body.
import { execFile, execFileSync } from 'node:child_process'
import { promisify } from 'node:util'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { request } from 'undici'
import { buildApp } from '../dist/app.js'
import { loadConfig } from '../dist/config.js'
import { startEmulator } from '../dist/emulator/server.js'

const root = fileURLToPath(new URL('..', import.meta.url))
const out = join(root, 'test', 'fixtures', 'claude-code')
const token = 'capture-token-0123456789'
const DROPPED_HEADERS = new Set(['authorization', 'x-api-key', 'host', 'content-length', 'connection', 'accept-encoding'])

const SCENARIOS = [
  { name: 'default-model', args: ['Say hello'] },
  { name: 'sonnet-4-5-tool-loop', args: ['Run it\n@emulator {"text":"Running.","toolUse":{"name":"Bash","input":{"command":"echo captured","description":"Echo"}}}', '--allowedTools', 'Bash', '--model', 'claude-sonnet-4-5'] },
  { name: 'haiku-4-5', args: ['Quick one', '--model', 'claude-haiku-4-5'] },
  { name: 'opus-4-5', args: ['Plan it', '--model', 'claude-opus-4-5'] }
]

process.env.AWS_ACCESS_KEY_ID = 'AKIDCAPTURE'
process.env.AWS_SECRET_ACCESS_KEY = 'capture-secret'
const emulator = await startEmulator()
const app = await buildApp(loadConfig({ AWS_REGION: 'us-east-1', BEARER_TOKEN: token, AWS_ENDPOINT_URL_BEDROCK_RUNTIME: emulator.url, LOG_LEVEL: 'warn' }))
const proxyUrl = await app.listen({ port: 0, host: '127.0.0.1' })

let captured = []
const recorder = createServer(async (req, res) => {
  const chunks = []
  for await (const chunk of req) chunks.push(chunk)
  const body = Buffer.concat(chunks)
  if (req.url.startsWith('/v1/messages')) {
    const headers = Object.fromEntries(Object.entries(req.headers).filter(([name]) => !DROPPED_HEADERS.has(name)))
    captured.push({ method: req.method, url: req.url, headers, body: JSON.parse(body.toString('utf8')) })
  }
  const upstream = await request(`${proxyUrl}${req.url}`, { method: req.method, headers: { ...req.headers, host: undefined }, body: body.length > 0 ? body : undefined })
  res.writeHead(upstream.statusCode, upstream.headers)
  for await (const chunk of upstream.body) res.write(chunk)
  res.end()
})
await new Promise((resolve) => recorder.listen(0, '127.0.0.1', resolve))
const recorderUrl = `http://127.0.0.1:${recorder.address().port}`

mkdirSync(out, { recursive: true })
for (const bin of process.argv.slice(2)) {
  const version = execFileSync(bin, ['--version'], { encoding: 'utf8' }).split(' ')[0].trim()
  for (const scenario of SCENARIOS) {
    captured = []
    const home = mkdtempSync(join(tmpdir(), 'capture-home-'))
    try {
      // Asynchronous: the recording server answers from this same process.
      const child = promisify(execFile)(bin, ['-p', ...scenario.args, '--output-format', 'json'], {
        cwd: home,
        timeout: 60_000,
        env: { PATH: process.env.PATH, HOME: home, ANTHROPIC_BASE_URL: recorderUrl, ANTHROPIC_AUTH_TOKEN: token, CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1', CLAUDE_CODE_MAX_RETRIES: '0' }
      })
      child.child.stdin?.end()
      await child
    } catch (error) {
      console.error(`${version} ${scenario.name}: ${error.message}`)
    }
    captured.forEach((entry, index) => {
      const file = join(out, `${version}--${scenario.name}--${index + 1}.json`)
      writeFileSync(file, JSON.stringify({ claudeCodeVersion: version, scenario: scenario.name, ...entry }, null, 1) + '\n')
      console.log(`${file}: ${entry.body.model}, ${JSON.stringify(entry.body).length} bytes`)
    })
  }
}
recorder.close()
await app.close()
await emulator.close()
