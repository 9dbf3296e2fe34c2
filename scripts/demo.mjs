#!/usr/bin/env node
// `npm run demo`: the proxy in front of the bundled Bedrock emulator, no AWS account needed.
// Builds if the build is missing or older than the sources, starts both, prints a token and
// examples to paste, and stops both on Ctrl-C.
import { spawn, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const proxyPort = process.env.PORT ?? '8080'
const emulatorPort = process.env.EMULATOR_PORT ?? '4010'
const token = process.env.DEMO_TOKEN ?? `demo-${randomBytes(12).toString('hex')}`

function newestMtime (dir) {
  let newest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs)
  }
  return newest
}

const built = join(root, 'dist', 'server.js')
if (!existsSync(built) || statSync(built).mtimeMs < newestMtime(join(root, 'src'))) {
  console.log('Building…')
  const result = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' })
  if (result.status !== 0) process.exit(result.status ?? 1)
}

const children = []
function start (name, script, env) {
  const child = spawn(process.execPath, [join(root, 'dist', script)], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] })
  child.stdout.on('data', (chunk) => process.stdout.write(chunk.toString().split('\n').filter(Boolean).map((line) => `[${name}] ${line}\n`).join('')))
  child.on('exit', (code) => {
    if (!stopping) {
      console.error(`${name} exited with code ${code}`)
      stop(code ?? 1)
    }
  })
  children.push(child)
}

let stopping = false
function stop (code = 0) {
  stopping = true
  for (const child of children) child.kill('SIGTERM')
  setTimeout(() => process.exit(code), 300).unref()
}
process.on('SIGINT', () => stop(0))
process.on('SIGTERM', () => stop(0))

start('emulator', 'emulator/main.js', { EMULATOR_PORT: emulatorPort, EMULATOR_EVENT_DELAY_MS: process.env.EMULATOR_EVENT_DELAY_MS ?? '40' })
start('proxy', 'server.js', {
  PORT: proxyPort,
  HOST: process.env.HOST ?? '127.0.0.1',
  BEARER_TOKEN: token,
  AWS_REGION: 'us-east-1',
  AWS_ENDPOINT_URL_BEDROCK_RUNTIME: `http://127.0.0.1:${emulatorPort}`,
  // Model discovery asks the emulator's control plane which models the (emulated) account has.
  AWS_ENDPOINT_URL_BEDROCK: `http://127.0.0.1:${emulatorPort}`,
  // The emulator checks that requests are signed; these stand-in credentials sign them.
  AWS_ACCESS_KEY_ID: 'AKIDDEMO',
  AWS_SECRET_ACCESS_KEY: 'demo-secret',
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'info'
})

const base = `http://localhost:${proxyPort}`
for (let attempt = 0; ; attempt++) {
  try {
    if ((await fetch(`${base}/health`)).ok) break
  } catch {}
  if (attempt > 200) {
    console.error('The proxy did not become healthy.')
    stop(1)
  }
  await new Promise((resolve) => setTimeout(resolve, 50))
}

console.log(`
bedrock-anthropic-proxy is running on ${base}, in front of the Bedrock emulator on :${emulatorPort}.

Demo token: ${token}

Stream a message:
  curl -N ${base}/v1/messages \\
    -H "x-api-key: ${token}" -H "anthropic-version: 2023-06-01" -H "content-type: application/json" \\
    -d '{"model":"claude-sonnet-4-5","max_tokens":256,"stream":true,"messages":[{"role":"user","content":"Hello, Claude"}]}'

Claude Code:
  ANTHROPIC_BASE_URL=${base} ANTHROPIC_AUTH_TOKEN=${token} CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1 claude -p "Hello"

Anthropic SDK (TypeScript):
  new Anthropic({ baseURL: '${base}', apiKey: '${token}' })

Ctrl-C stops both.
`)
