// Child processes of the bench: the TLS certificate, the emulator, the proxy and the baseline, each
// in its own process on 127.0.0.1, plus what we read about them from /proc (RSS, CPU time).
import { execFileSync, spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, openSync, readFileSync, existsSync } from 'node:fs'
import http from 'node:http'
import https from 'node:https'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = fileURLToPath(new URL('../../', import.meta.url))
export const BENCH = fileURLToPath(new URL('../', import.meta.url))
/** The checkout whose dist/ is measured: this one, or another with `--root=<dir>` (e.g. a clean export of HEAD). */
export let PROJECT = ROOT
export let SERVER = join(ROOT, 'dist/server.js')
export let EMULATOR = join(ROOT, 'dist/emulator/main.js')
export function setProjectRoot (dir) {
  PROJECT = dir
  SERVER = join(dir, 'dist/server.js')
  EMULATOR = join(dir, 'dist/emulator/main.js')
}
const NODELAY = join(BENCH, 'lib/emulator-nodelay.cjs')
export const BASELINE = join(BENCH, 'baseline.mjs')

export const TOKEN = 'bench-token-0123456789abcdef'
export const AWS_CREDENTIALS = { accessKeyId: 'AKIDBENCH00000000000', secretAccessKey: 'bench-secret-key-00000000000000000000' }

const CLK_TCK = 100 // jiffies per second on Linux (getconf CLK_TCK); used only for CPU-time deltas

export function workDir () {
  return mkdtempSync(join(tmpdir(), 'proxy-bench-'))
}

/** A self-signed P-256 certificate for 127.0.0.1/localhost, valid one day, made now. */
export function makeCertificate (dir) {
  const cert = join(dir, 'cert.pem')
  const key = join(dir, 'key.pem')
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
    '-keyout', key, '-out', cert
  ], { stdio: 'ignore' })
  return { cert, key, certPem: readFileSync(cert) }
}

export async function freePort () {
  const server = createServer().listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address()
  await new Promise((resolve) => server.close(resolve))
  return port
}

/** `taskset -c <cpu>` in front of the command when pinning was asked for and taskset exists. */
function command (args, cpu) {
  if (cpu === undefined) return [process.execPath, args]
  return ['taskset', ['-c', String(cpu), process.execPath, ...args]]
}

/**
 * Spawns `node <args>` with exactly `env` (plus PATH), stdout to `logFile` (or ignored), stderr kept
 * in memory for error messages.
 */
export function spawnNode (args, env, { cpu, logFile } = {}) {
  const [cmd, argv] = command(args, cpu)
  const out = logFile ? openSync(logFile, 'a') : 'ignore'
  const child = spawn(cmd, argv, { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', out, 'pipe'] })
  let stderr = ''
  child.stderr.on('data', (chunk) => { stderr = (stderr + chunk).slice(-20_000) })
  child.stderrText = () => stderr
  child.exited = once(child, 'exit').then(([code, signal]) => ({ code, signal }))
  return child
}

/** One GET on a fresh connection; resolves with the status, or rejects. */
export function getStatus (url, ca) {
  return new Promise((resolve, reject) => {
    const req = (url.startsWith('https') ? https.get : http.get)(url, { agent: false, ca }, (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode))
    })
    req.on('error', reject)
    req.setTimeout(2000, () => req.destroy(new Error('timeout')))
  })
}

/** Polls `url` until it answers `status` (any status when undefined); returns ms since `startedAt`. */
export async function waitReady (child, url, { ca, status = 200, timeoutMs = 15_000, intervalMs = 2, startedAt = performance.now() } = {}) {
  const deadline = startedAt + timeoutMs
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${url}: process exited (${child.exitCode ?? child.signalCode}): ${child.stderrText()}`)
    }
    try {
      const got = await getStatus(url, ca)
      if (status === undefined || got === status) return performance.now() - startedAt
    } catch {}
    if (performance.now() > deadline) throw new Error(`${url}: not ready after ${timeoutMs} ms: ${child.stderrText()}`)
    await new Promise((resolve) => setTimeout(resolve, intervalMs))
  }
}

export async function stop (child) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
  await child.exited
  clearTimeout(timer)
}

/** Resident set size in bytes, from /proc (the node process itself, not a taskset wrapper: exec replaces it). */
export function rssBytes (pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = /VmRSS:\s+(\d+) kB/.exec(status)
  return kb ? Number(kb[1]) * 1024 : NaN
}

/** User+system CPU time of a process in ms. */
export function cpuMs (pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK
}

export async function startEmulator ({ cert, key, cpu, eventDelayMs = 0, logFile }) {
  const port = await freePort()
  // The preload turns Nagle off on the emulator's sockets (see emulator-nodelay.cjs).
  const child = spawnNode(['--require', NODELAY, EMULATOR], {
    EMULATOR_PORT: String(port),
    EMULATOR_HOST: '127.0.0.1',
    EMULATOR_TLS_CERT: cert,
    EMULATOR_TLS_KEY: key,
    EMULATOR_EVENT_DELAY_MS: String(eventDelayMs)
  }, { cpu, logFile })
  const url = `https://127.0.0.1:${port}`
  // Any answer means it listens (GET / is an UnknownOperation error).
  await waitReady(child, `${url}/_emulator/requests`, { ca: readFileSync(cert) })
  return { child, url, port, name: 'emulator' }
}

/** The proxy exactly as deployed: `node dist/server.js`, configured by the environment only. */
export function proxyEnv ({ port, upstreamUrl, cert, logLevel = 'info', extra = {} }) {
  return {
    HOST: '127.0.0.1',
    PORT: String(port),
    BEARER_TOKEN: TOKEN,
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL_BEDROCK_RUNTIME: upstreamUrl,
    AWS_ACCESS_KEY_ID: AWS_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: AWS_CREDENTIALS.secretAccessKey,
    // Nothing from the developer's ~/.aws may leak in.
    AWS_CONFIG_FILE: '/nonexistent',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
    AWS_EC2_METADATA_DISABLED: 'true',
    LOG_LEVEL: logLevel,
    // No control-plane calls (model discovery, where the build has it): the bench stays on loopback.
    MODEL_DISCOVERY: 'false',
    NODE_EXTRA_CA_CERTS: cert,
    ...extra
  }
}

export async function startProxy ({ upstreamUrl, cert, logLevel, cpu, logFile, nodeArgs = [], extra, name = 'proxy' }) {
  const port = await freePort()
  const startedAt = performance.now()
  const child = spawnNode([...nodeArgs, SERVER], proxyEnv({ port, upstreamUrl, cert, logLevel, extra }), { cpu, logFile })
  const url = `http://127.0.0.1:${port}`
  const readyMs = await waitReady(child, `${url}/health`, { startedAt })
  return { child, url, port, readyMs, name }
}

export async function startBaseline ({ emulatorUrl, cert, modelId, cpu, connections = 128 }) {
  const port = await freePort()
  const child = spawnNode([BASELINE], {
    BASELINE_PORT: String(port),
    BASELINE_UPSTREAM: emulatorUrl,
    BASELINE_MODEL_ID: modelId,
    BASELINE_CONNECTIONS: String(connections),
    NODE_EXTRA_CA_CERTS: cert
  }, { cpu })
  const url = `http://127.0.0.1:${port}`
  await waitReady(child, `${url}/health`)
  return { child, url, port, name: 'baseline' }
}

export function distIsBuilt () {
  return existsSync(SERVER) && existsSync(EMULATOR)
}
