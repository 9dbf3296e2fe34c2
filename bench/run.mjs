#!/usr/bin/env node
// `npm run bench` (full) and `npm run bench -- --quick` (under a minute, smoke use; no assertions).
// Starts the emulator (TLS, certificate made now), the proxy (`node dist/server.js`, env only) and a
// byte-pipe baseline, each in its own process on 127.0.0.1, measures them side by side, and writes
// bench/results/<date>.json + bench/REPORT.md + bench/results/<date>.svg (quick: quick-<date>.json,
// bench/REPORT-quick.md, quick-<date>.svg). See bench/README.md.
//
// Flags: --quick, --pin (taskset: emulator + load generator on CPU 0, proxy/baseline on CPU 1),
// --build (rebuild dist/ first; done anyway when dist/ is missing), --no-profile, --no-prototype.
import { execFileSync, execSync, spawnSync } from 'node:child_process'
import { isDeepStrictEqual } from 'node:util'
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, cpSync } from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'
import { Client } from 'undici'
import { cannon, serial, round, summary } from './lib/load.mjs'
import {
  BENCH, ROOT, TOKEN, AWS_CREDENTIALS, cpuMs, distIsBuilt, setProjectRoot, PROJECT, makeCertificate, rssBytes, startBaseline,
  startEmulator, startProxy, stop, workDir
} from './lib/procs.mjs'
import { openStreams, relayDelays, startSpy, timeToFirstEvent } from './lib/streams.mjs'
import { summarise } from './lib/cpuprofile.mjs'
import { writeReport } from './lib/report.mjs'

const argv = process.argv.slice(2)
const args = new Set(argv)
const rootArg = argv.find((a) => a.startsWith('--root='))
if (rootArg) setProjectRoot(rootArg.slice('--root='.length).replace(/\/?$/, '/'))
const quick = args.has('--quick')
const pin = args.has('--pin') && spawnSync('taskset', ['-V']).status === 0
const cpus = pin ? { load: 0, emulator: 0, proxy: 1 } : {}
const log = (...parts) => console.log(`[bench ${((performance.now()) / 1000).toFixed(1)}s]`, ...parts)

const plan = quick
  ? { serialMs: 1500, cannonS: 2, warmupS: 1, ttfbN: 50, relayStreams: 3, streamLevels: [1000], coldStarts: 3, logLevels: ['info'], profile: false, prototype: false, npmCi: false, settleMs: 1000 }
  : { serialMs: 8000, cannonS: 10, warmupS: 2, ttfbN: 300, relayStreams: 20, streamLevels: [1000, 10_000], coldStarts: 5, logLevels: ['info', 'warn'], profile: !args.has('--no-profile'), prototype: !args.has('--no-prototype'), npmCi: true, settleMs: 3000 }

if (pin) execFileSync('taskset', ['-cp', String(cpus.load), String(process.pid)], { stdio: 'ignore' })
if (args.has('--build') || !distIsBuilt()) {
  log('building dist/ (npm run build)')
  execSync('npm run build', { cwd: rootArg ? rootArg.slice('--root='.length) : ROOT, stdio: 'inherit' })
}

const dir = workDir()
const { cert, key, certPem } = makeCertificate(dir)
const started = new Date()
const children = []
const cleanup = async () => { for (const child of children.splice(0)) await stop(child) }
process.on('SIGINT', () => { cleanup().finally(() => process.exit(130)) })

// --- what we send ------------------------------------------------------------------------------
const MODEL = 'claude-sonnet-4-5'
const proxyHeaders = { 'content-type': 'application/json', 'x-api-key': TOKEN, 'anthropic-version': '2023-06-01' }
const bedrockHeaders = { 'content-type': 'application/json', accept: 'application/json', authorization: 'Bearer x' }
const EVENTS = 50
const streamText = Array.from({ length: EVENTS - 5 }, (_, i) => `word${String(i).padStart(3, '0')} `).join('')
const messagesBody = (content, stream) => JSON.stringify({ model: MODEL, max_tokens: 256, ...(stream ? { stream: true } : {}), messages: [{ role: 'user', content }] })
const bodies = {
  plain: messagesBody('Hello, Claude', false),
  // 50 events 10 ms apart: message_start, content_block_start, 45 deltas, content_block_stop, message_delta, message_stop.
  relay: messagesBody(`Hello\n@emulator ${JSON.stringify({ text: streamText, textChunks: EVENTS - 5, eventDelayMs: 10 })}`, true),
  ttfb: messagesBody(`Hello\n@emulator ${JSON.stringify({ text: 'Hi', textChunks: 1 })}`, true),
  // message_start, then nothing for an hour: a stream that stays open.
  slow: messagesBody(`Hello\n@emulator ${JSON.stringify({ text: 'a b', textChunks: 2, eventDelayMs: 3_600_000 })}`, true)
}

async function post (origin, path, headers, body, ca) {
  const client = new Client(origin, { connect: ca ? { ca } : undefined })
  const { statusCode, body: answer } = await client.request({ path, method: 'POST', headers, body })
  const text = await answer.text()
  await client.close()
  if (statusCode !== 200) throw new Error(`${origin}${path}: ${statusCode} ${text.slice(0, 500)}`)
  return text
}

/** The Bedrock model id and body the proxy produced for `body`, read back from the emulator. */
async function bedrockFormOf (emulator, proxy, body) {
  await post(proxy.url, '/v1/messages', proxyHeaders, body)
  const client = new Client(emulator.url, { connect: { ca: certPem } })
  const { body: list } = await client.request({ path: '/_emulator/requests', method: 'GET' })
  const record = (await list.json()).at(-1)
  await client.close()
  return { modelId: record.modelId, body: JSON.stringify(record.body) }
}

function machine () {
  const cpu = os.cpus()
  let nofile = null
  try { nofile = Number(execSync('ulimit -n', { shell: '/bin/bash' }).toString().trim()) } catch {}
  return {
    cpuModel: cpu[0]?.model ?? 'unknown',
    cores: cpu.length,
    memoryGiB: round(os.totalmem() / 2 ** 30, 1),
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    distro: (() => { try { return /PRETTY_NAME="([^"]+)"/.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] } catch { return undefined } })(),
    nofileLimit: nofile,
    pinned: pin
  }
}

async function withCpu (procs, fn) {
  const before = procs.map((p) => cpuMs(p.child.pid))
  const result = await fn()
  const after = procs.map((p) => cpuMs(p.child.pid))
  const requests = result.requests ?? 0
  result.cpuUsPerRequest = Object.fromEntries(procs.map((p, i) => [p.name, requests > 0 ? round(((after[i] - before[i]) * 1000) / requests, 1) : null]))
  return result
}

function depTree () {
  const parseable = execSync('npm ls --omit=dev --all --parseable', { cwd: ROOT, maxBuffer: 64 * 2 ** 20 }).toString().trim().split('\n')
  const paths = parseable.slice(1) // the first line is the project itself
  const result = { packages: paths.length, image: 'not built: Docker is not available on this machine' }
  // Bytes of the installed prod packages in this tree, without counting nested ones twice.
  const sorted = [...paths].sort()
  const roots = sorted.filter((p, i) => !sorted.slice(0, i).some((q) => p.startsWith(q + '/')))
  result.installedBytes = roots.reduce((sum, p) => sum + Number(execFileSync('du', ['-sb', p]).toString().split('\t')[0]), 0)
  if (plan.npmCi) {
    const target = join(dir, 'prod-install')
    mkdirSync(target)
    cpSync(join(ROOT, 'package.json'), join(target, 'package.json'))
    cpSync(join(ROOT, 'package-lock.json'), join(target, 'package-lock.json'))
    const t0 = performance.now()
    execSync('npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error', { cwd: target, stdio: 'ignore' })
    result.npmCiOmitDev = {
      seconds: round((performance.now() - t0) / 1000, 1),
      bytes: Number(execFileSync('du', ['-sb', join(target, 'node_modules')]).toString().split('\t')[0]),
      packages: readdirSync(join(target, 'node_modules'), { recursive: true }).filter((p) => p.endsWith('package.json') && /node_modules\/(@[^/]+\/)?[^/]+\/package\.json$/.test('node_modules/' + p)).length
    }
    result.distBytes = Number(execFileSync('du', ['-sb', join(ROOT, 'dist')]).toString().split('\t')[0])
  }
  return result
}

function measured () {
  const git = (...a) => { try { return execFileSync('git', ['-C', PROJECT, ...a], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim() } catch { return undefined } }
  return { root: PROJECT, commit: git('rev-parse', '--short', 'HEAD'), dirtyFiles: git('status', '--porcelain', '--untracked-files=no', '--', 'src')?.split('\n').filter(Boolean).length }
}
const results = { date: started.toISOString(), mode: quick ? 'quick' : 'full', machine: machine(), measured: measured(), plan, notes: argv.filter((a) => a.startsWith('--note=')).map((a) => a.slice(7)) }
try {
  log(`mode ${results.mode}; ${results.machine.cores} cores (${results.machine.cpuModel}); pinned: ${pin}`)
  const emulator = await startEmulator({ cert, key, cpu: cpus.emulator, logFile: join(dir, 'emulator.log') })
  children.push(emulator.child)
  const proxies = {}
  for (const level of plan.logLevels) {
    const proxy = await startProxy({ upstreamUrl: emulator.url, cert, logLevel: level, cpu: cpus.proxy, logFile: join(dir, `proxy-${level}.log`), name: `proxy (${level})` })
    children.push(proxy.child)
    proxies[level] = proxy
  }
  const main = proxies.info
  const plain = await bedrockFormOf(emulator, main, bodies.plain)
  const baseline = await startBaseline({ emulatorUrl: emulator.url, cert, modelId: plain.modelId, cpu: cpus.proxy })
  children.push(baseline.child)
  results.request = { proxyBody: bodies.plain, bedrockModelId: plain.modelId, bedrockBody: plain.body }
  // The body sent direct and through the baseline is exactly what the proxy sent upstream.
  const expected = JSON.parse(bodies.plain)
  delete expected.model
  if (!isDeepStrictEqual({ ...expected, anthropic_version: 'bedrock-2023-05-31' }, JSON.parse(plain.body))) {
    results.notes.push(`the proxy's Bedrock body differs from the client's body beyond model/anthropic_version: ${plain.body}`)
  }

  const invokePath = `/model/${encodeURIComponent(plain.modelId)}/invoke`
  const targets = {
    direct: { origin: emulator.url, path: invokePath, headers: bedrockHeaders, body: plain.body, ca: certPem, procs: [emulator] },
    baseline: { origin: baseline.url, path: '/v1/messages', headers: { 'content-type': 'application/json' }, body: plain.body, procs: [baseline, emulator] },
    ...Object.fromEntries(Object.entries(proxies).map(([level, proxy]) => [
      proxy.name, { origin: proxy.url, path: '/v1/messages', headers: proxyHeaders, body: bodies.plain, procs: [proxy, emulator] }
    ]))
  }
  for (const [name, target] of Object.entries(targets)) {
    const answer = await post(target.origin, target.path, target.headers, target.body, target.ca)
    if (!answer.includes('"type":"message"')) throw new Error(`${name} did not answer a Message: ${answer.slice(0, 300)}`)
  }

  // --- non-streaming latency and throughput ----------------------------------------------------
  results.nonStreaming = {}
  for (const [name, target] of Object.entries(targets)) {
    log(`non-streaming: ${name}: concurrency 1 (${plan.serialMs} ms), concurrency 64 (${plan.cannonS} s)`)
    const c1 = await serial(target, { durationMs: plan.serialMs, ca: target.ca })
    const c64 = await withCpu(target.procs, () => cannon(target, { connections: 64, durationS: plan.cannonS, warmupS: plan.warmupS }))
    results.nonStreaming[name] = { c1, c64 }
    log(`  c1 p50 ${c1.p50} p99 ${c1.p99} ms, ${c1.rps} req/s; c64 ${c64.rps} req/s p50 ${c64.p50} p99 ${c64.p99} ms, non2xx ${c64.non2xx} errors ${c64.errors}`)
  }
  const rssAfterLoad = rssBytes(main.child.pid)

  // --- streaming: time to first event ----------------------------------------------------------
  const ttfbForm = await bedrockFormOf(emulator, main, bodies.ttfb)
  const streamPath = `/model/${encodeURIComponent(ttfbForm.modelId)}/invoke-with-response-stream`
  log(`streaming: time to first event, ${plan.ttfbN} streams per path`)
  results.streaming = {
    ttfb: {
      direct: await timeToFirstEvent({ origin: emulator.url, path: streamPath, headers: bedrockHeaders, body: ttfbForm.body }, { n: plan.ttfbN, kind: 'eventstream', ca: certPem }),
      proxy: await timeToFirstEvent({ origin: main.url, path: '/v1/messages', headers: proxyHeaders, body: bodies.ttfb }, { n: plan.ttfbN, kind: 'sse' })
    }
  }

  // --- streaming: per-event relay delay (through a timestamping TCP spy) ------------------------
  log(`streaming: relay delay, ${plan.relayStreams} streams x ${EVENTS} events at 10 ms per path`)
  const spy = await startSpy(emulator.port)
  const spied = await startProxy({ upstreamUrl: `https://127.0.0.1:${spy.port}`, cert, logLevel: 'info', cpu: cpus.proxy, logFile: join(dir, 'proxy-spied.log'), name: 'proxy (spied)' })
  children.push(spied.child)
  const relayForm = await bedrockFormOf(emulator, spied, bodies.relay)
  results.streaming.relay = {
    direct: await relayDelays({ origin: `https://127.0.0.1:${spy.port}`, path: streamPath, headers: bedrockHeaders, body: relayForm.body }, spy, { streams: plan.relayStreams, kind: 'eventstream', ca: certPem, expectedEvents: EVENTS }),
    proxy: await relayDelays({ origin: spied.url, path: '/v1/messages', headers: proxyHeaders, body: bodies.relay }, spy, { streams: plan.relayStreams, kind: 'sse', expectedEvents: EVENTS })
  }
  await stop(spied.child)
  spy.close()

  // --- open streams: memory --------------------------------------------------------------------
  // Each open stream holds one client socket and one upstream socket in the proxy: two descriptors.
  const nofile = results.machine.nofileLimit ?? 1024
  const maxStreams = Math.floor((nofile - 200) / 2)
  const levels = plan.streamLevels.map((n) => Math.min(n, maxStreams))
  if (levels.some((n, i) => n !== plan.streamLevels[i])) {
    results.notes.push(`open streams: the file-descriptor limit (ulimit -n ${nofile}, not raisable here) allows ${maxStreams} streams per proxy (one client and one upstream socket each), so the 10,000 level ran at ${levels.at(-1)}`)
  }
  for (const proxy of Object.values(proxies)) { await stop(proxy.child) }
  await stop(baseline.child)
  const fresh = await startProxy({ upstreamUrl: emulator.url, cert, logLevel: 'info', cpu: cpus.proxy, logFile: join(dir, 'proxy-streams.log'), name: 'proxy (streams)' })
  children.push(fresh.child)
  for (let i = 0; i < 50; i++) await post(fresh.url, '/v1/messages', proxyHeaders, i % 2 ? bodies.plain : bodies.ttfb)
  log(`open streams: ${levels.join(', ')}`)
  results.openStreams = await openStreams({ proxyUrl: fresh.url, proxyPid: fresh.child.pid, target: { path: '/v1/messages', headers: proxyHeaders, body: bodies.slow }, levels, settleMs: plan.settleMs })
  await stop(fresh.child)
  results.rssAfterLoadMiB = round(rssAfterLoad / 2 ** 20, 1)

  // --- cold start ------------------------------------------------------------------------------
  log(`cold start: ${plan.coldStarts} starts`)
  const starts = []
  for (let i = 0; i < plan.coldStarts; i++) {
    const proxy = await startProxy({ upstreamUrl: emulator.url, cert, logLevel: 'info', cpu: cpus.proxy, name: 'cold' })
    starts.push(proxy.readyMs)
    await stop(proxy.child)
  }
  results.coldStart = { ...summary(starts), runs: starts.map((v) => round(v, 1)) }

  // --- profile under concurrency 64 ------------------------------------------------------------
  if (plan.profile) {
    log('profile: proxy (info) with --cpu-prof under concurrency 64')
    const profileDir = join(BENCH, 'results', 'profiles')
    rmSync(profileDir, { recursive: true, force: true })
    mkdirSync(profileDir, { recursive: true })
    const profiled = await startProxy({ upstreamUrl: emulator.url, cert, logLevel: 'info', cpu: cpus.proxy, logFile: join(dir, 'proxy-profiled.log'), nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`], name: 'proxy (profiled)' })
    children.push(profiled.child)
    const load = await withCpu([profiled], () => cannon({ origin: profiled.url, path: '/v1/messages', headers: proxyHeaders, body: bodies.plain }, { connections: 64, durationS: plan.cannonS, warmupS: plan.warmupS }))
    await stop(profiled.child)
    const file = readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile'))
    const summaryOfProfile = summarise(JSON.parse(readFileSync(join(profileDir, file), 'utf8')))
    // The profile covers start-up, the warm-up and the measured run; per-request figures use all requests served.
    const served = load.requests + Math.round(load.rps * plan.warmupS)
    results.profile = { file: `bench/results/profiles/${file}`, rps: load.rps, requestsServed: served, cpuUsPerRequestMeasured: load.cpuUsPerRequest['proxy (profiled)'], busyUsPerRequest: round((summaryOfProfile.busyMs * 1000) / served, 1), ...summaryOfProfile }
  }

  // --- prototype: a leaner upstream path -------------------------------------------------------
  if (plan.prototype) {
    log('prototype: upstream call paths in one process (SDK vs undici+SigV4 vs unsigned)')
    const proto = spawnSync(process.execPath, [join(BENCH, 'upstream-prototype.mjs')], {
      env: { PATH: process.env.PATH, BENCH_PROJECT_ROOT: rootArg ? rootArg.slice('--root='.length) : ROOT, EMULATOR_URL: emulator.url, MODEL_ID: plain.modelId, BODY: plain.body, DURATION_MS: '4000', NODE_EXTRA_CA_CERTS: cert, AWS_ACCESS_KEY_ID: AWS_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: AWS_CREDENTIALS.secretAccessKey, AWS_CONFIG_FILE: '/nonexistent', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent', AWS_EC2_METADATA_DISABLED: 'true' },
      encoding: 'utf8',
      maxBuffer: 16 * 2 ** 20
    })
    if (proto.status === 0) results.upstreamPrototype = JSON.parse(proto.stdout)
    else results.notes.push(`upstream prototype failed: ${proto.stderr.slice(-1000)}`)
  }

  // --- production dependency tree --------------------------------------------------------------
  log('production dependency tree')
  results.dependencies = depTree()
} finally {
  await cleanup()
  rmSync(dir, { recursive: true, force: true })
}

const day = started.toISOString().slice(0, 10)
const base = quick ? `quick-${day}` : day
mkdirSync(join(BENCH, 'results'), { recursive: true })
const jsonFile = join(BENCH, 'results', `${base}.json`)
writeFileSync(jsonFile, JSON.stringify(results, null, 2) + '\n')
const reportFile = await writeReport(results, { jsonName: `${base}.json`, svgName: `${base}.svg`, reportName: quick ? 'REPORT-quick.md' : 'REPORT.md' })
log(`wrote ${jsonFile.slice(ROOT.length)}, ${reportFile.slice(ROOT.length)} and bench/results/${base}.svg in ${round((Date.now() - started.getTime()) / 1000, 1)} s`)
