// Renders bench/REPORT.md (or REPORT-quick.md) and an SVG chart (vega-lite -> vega, rendered in Node
// with no browser or canvas) from a results object. Run alone to re-render from a results file:
//   node bench/lib/report.mjs bench/results/<date>.json
import { readFileSync, writeFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as vega from 'vega'
import * as vegaLite from 'vega-lite'

const BENCH = fileURLToPath(new URL('../', import.meta.url))
const fmt = (v, digits = 2) => (v === null || v === undefined || Number.isNaN(v) ? 'n/a' : Number(v).toFixed(digits).replace(/\.?0+$/, (m) => (m.startsWith('.') ? '' : m)))
const int = (v) => (v === null || v === undefined ? 'n/a' : Math.round(v).toLocaleString('en-US'))
const status = (ok) => (ok === null ? 'n/a' : ok ? '**met**' : '**missed**')

/** Every figure judged against the issue's targets. */
export function targets (r) {
  const ns = r.nonStreaming
  const proxy = ns['proxy (info)']
  const direct = ns.direct
  const baseline = ns.baseline
  const rows = []
  const add = (figure, measured, target, ok, note = '') => rows.push({ figure, measured, target, ok, note })
  const addedP50 = proxy.c1.p50 - direct.c1.p50
  const addedP99 = proxy.c1.p99 - direct.c1.p99
  add('Added latency p50, concurrency 1', `${fmt(addedP50, 3)} ms (proxy ${fmt(proxy.c1.p50, 3)} − direct ${fmt(direct.c1.p50, 3)})`, '≤ 0.5 ms', addedP50 <= 0.5)
  add('Added latency p99, concurrency 1', `${fmt(addedP99, 3)} ms (proxy ${fmt(proxy.c1.p99, 3)} − direct ${fmt(direct.c1.p99, 3)})`, '≤ 2 ms', addedP99 <= 2)
  const ratio = proxy.c64.rps / baseline.c64.rps
  add('Throughput vs byte-pipe baseline, concurrency 64', `${fmt(ratio, 2)} × (${int(proxy.c64.rps)} / ${int(baseline.c64.rps)} req/s)`, '≥ 0.6 ×', ratio >= 0.6)
  add('Throughput, concurrency 64', `${int(proxy.c64.rps)} req/s`, '≥ 3,000 req/s', proxy.c64.rps >= 3000)
  const ttfb = r.streaming.ttfb
  const ttfbP50 = ttfb.proxy.p50 - ttfb.direct.p50
  add('Time to first event added, p50', `${fmt(ttfbP50, 3)} ms (proxy ${fmt(ttfb.proxy.p50, 3)} − direct ${fmt(ttfb.direct.p50, 3)})`, '≤ 1 ms', ttfbP50 <= 1,
    `p99 added ${fmt(ttfb.proxy.p99 - ttfb.direct.p99, 3)} ms`)
  const relay = r.streaming.relay
  const relayP99 = relay.proxy.delay.p99 - relay.direct.delay.p99
  const relayMax = relay.proxy.delay.max - relay.direct.delay.p50
  add('Per-event relay delay added, p99', `${fmt(relayP99, 3)} ms (proxy ${fmt(relay.proxy.delay.p99, 3)} − direct ${fmt(relay.direct.delay.p99, 3)})`, '≤ 1 ms', relayP99 <= 1,
    `p50 added ${fmt(relay.proxy.delay.p50 - relay.direct.delay.p50, 3)} ms over ${relay.proxy.events} events`)
  add('Per-event relay delay added, worst event', `${fmt(relayMax, 3)} ms (proxy max ${fmt(relay.proxy.delay.max, 3)} − direct p50 ${fmt(relay.direct.delay.p50, 3)})`, '≤ 1 ms (every event)', relayMax <= 1)
  add('Events batched together (no batching)', `${relay.proxy.coalescedEvents} of ${relay.proxy.events + r.plan.relayStreams} (direct: ${relay.direct.coalescedEvents})`, '0', relay.proxy.coalescedEvents === 0)
  const streams = r.openStreams.at(-1)
  add(`Memory per open stream at ${int(streams.streams)} streams`, `${fmt(streams.kibPerStream, 1)} KiB (RSS ${fmt(streams.rssBeforeMiB, 1)} → ${fmt(streams.rssMiB, 1)} MiB)`,
    '≤ 20 KiB at 10,000', streams.streams >= 10_000 || r.mode === 'full' ? streams.kibPerStream <= 20 : null,
    streams.streams < 10_000 ? `ran at ${int(streams.streams)}, not 10,000: see notes` : '')
  for (const level of r.openStreams.slice(0, -1)) {
    add(`Memory per open stream at ${int(level.streams)} streams`, `${fmt(level.kibPerStream, 1)} KiB (RSS ${fmt(level.rssBeforeMiB, 1)} → ${fmt(level.rssMiB, 1)} MiB)`, '(information)', null)
  }
  add(`Cold start, median of ${r.coldStart.n}`, `${fmt(r.coldStart.p50, 1)} ms (runs: ${r.coldStart.runs.map((v) => fmt(v, 0)).join(', ')})`, '≤ 250 ms', r.coldStart.p50 <= 250)
  const deps = r.dependencies
  add('Production dependency tree', `${deps.packages} packages (npm ls --omit=dev); ${fmt(deps.installedBytes / 2 ** 20, 1)} MiB installed` +
    (deps.npmCiOmitDev ? `; npm ci --omit=dev: ${fmt(deps.npmCiOmitDev.bytes / 2 ** 20, 1)} MiB` : ''), '(information)', null)
  add('Image size', deps.image, '(information)', null)
  return rows
}

function chartSpec (r) {
  const order = Object.keys(r.nonStreaming)
  const latency = []
  const throughput = []
  for (const [path, { c1, c64 }] of Object.entries(r.nonStreaming)) {
    for (const p of ['p50', 'p90', 'p99']) {
      latency.push({ path, percentile: p, concurrency: 'concurrency 1 (ms)', value: c1[p] })
      latency.push({ path, percentile: p, concurrency: 'concurrency 64 (ms)', value: c64[p] })
    }
    throughput.push({ path, value: c64.rps })
  }
  const bars = (title, yTitle) => ({
    mark: 'bar',
    encoding: {
      x: { field: 'path', type: 'nominal', sort: order, title: null, axis: { labelAngle: -30 } },
      xOffset: { field: 'percentile', sort: ['p50', 'p90', 'p99'] },
      y: { field: 'value', type: 'quantitative', title: yTitle },
      color: { field: 'percentile', type: 'nominal', sort: ['p50', 'p90', 'p99'], scale: { scheme: 'tableau10' } },
      tooltip: [{ field: 'value' }]
    },
    title,
    width: 260,
    height: 220
  })
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: `Non-streaming InvokeModel through each path (${r.mode} run, ${r.date.slice(0, 10)}, ${r.machine.cores} cores)`, anchor: 'start' },
    config: { font: 'sans-serif', background: 'white' },
    hconcat: [
      { data: { values: latency.filter((d) => d.concurrency.startsWith('concurrency 1 ')) }, ...bars('Latency, concurrency 1', 'ms (lower is better)') },
      { data: { values: latency.filter((d) => d.concurrency.startsWith('concurrency 64')) }, ...bars('Latency, concurrency 64', 'ms (lower is better)') },
      {
        data: { values: throughput },
        layer: [
          { mark: 'bar', encoding: { x: { field: 'path', type: 'nominal', sort: order, title: null, axis: { labelAngle: -30 } }, y: { field: 'value', type: 'quantitative', title: 'requests/s (higher is better)' }, color: { value: '#4c78a8' } } },
          { mark: { type: 'text', dy: -6 }, encoding: { x: { field: 'path', type: 'nominal', sort: order }, y: { field: 'value', type: 'quantitative' }, text: { field: 'value', type: 'quantitative', format: ',.0f' } } },
          { data: { values: [{ target: 3000 }] }, mark: { type: 'rule', strokeDash: [4, 4], color: '#e45756' }, encoding: { y: { field: 'target', type: 'quantitative' } } }
        ],
        title: 'Throughput, concurrency 64 (dashed: 3,000 req/s target)',
        width: 260,
        height: 220
      }
    ]
  }
}

export async function renderChart (r) {
  const { spec } = vegaLite.compile(chartSpec(r))
  const view = new vega.View(vega.parse(spec), { renderer: 'none' })
  const svg = await view.toSVG()
  view.finalize()
  return svg
}

function table (header, rows) {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n')
}

function whereTheTimeGoes (r) {
  const lines = []
  const p = r.profile
  if (p) {
    const group = (name) => p.groups.find((g) => g.name === name) ?? { ms: 0, pctOfBusy: 0 }
    lines.push(`Proxy (LOG_LEVEL=info) under concurrency 64 with \`--cpu-prof\`: ${int(p.rps)} req/s while profiled, ${int(p.requestsServed)} requests; ` +
      `${fmt(p.busyMs, 0)} ms busy of ${fmt(p.wallMs, 0)} ms sampled (idle ${fmt(p.idleMs, 0)} ms), i.e. **${fmt(p.busyUsPerRequest, 0)} µs of main-thread CPU per request** ` +
      `(/proc says ${fmt(p.cpuUsPerRequestMeasured, 0)} µs per request for the whole process, GC and the TLS/HTTP work of libuv included). Profile: \`${p.file}\` (open it in Chrome DevTools or speedscope).`)
    lines.push('')
    lines.push('Self time by group (share of busy time):')
    lines.push('')
    lines.push(table(['Group', 'Self ms', '% of busy', 'µs / request'], p.groups.map((g) => [g.name, fmt(g.ms, 1), fmt(g.pctOfBusy, 1), fmt((g.ms * 1000) / p.requestsServed, 1)])))
    lines.push('')
    lines.push('Top modules by self time:')
    lines.push('')
    lines.push(table(['Module', 'Self ms', '% of busy'], p.modules.slice(0, 15).map((m) => [`\`${m.name}\``, fmt(m.ms, 1), fmt(m.pctOfBusy, 1)])))
    lines.push('')
    lines.push('Top functions by self time:')
    lines.push('')
    lines.push(table(['Function', 'Self ms', '% of busy'], p.functions.slice(0, 15).map((f) => [`\`${f.name}\``, fmt(f.ms, 1), fmt(f.pctOfBusy, 1)])))
    lines.push('')
  } else {
    lines.push('(No profile in this run: the quick mode and `--no-profile` skip it.)')
    lines.push('')
  }
  const u = r.upstreamPrototype
  if (u) {
    lines.push('Upstream call alone, in one process against the same emulator (`bench/upstream-prototype.mjs`; the caller\'s CPU per call from `process.cpuUsage()`):')
    lines.push('')
    lines.push(table(['Upstream path', 'c=1 p50 ms', 'c=1 p99 ms', 'c=1 CPU µs/call', 'c=64 req/s', 'c=64 CPU µs/call'],
      ['sdk', 'undici+sigv4', 'undici bearer'].map((name) => [name === 'sdk' ? 'AWS SDK client (dist/bedrock/client.js, as the proxy runs it)' : name === 'undici+sigv4' ? 'undici Pool + @smithy/signature-v4 (node:crypto)' : 'undici Pool, unsigned (floor)',
        fmt(u[name].c1.p50Ms, 3), fmt(u[name].c1.p99Ms, 3), fmt(u[name].c1.cpuUsPerCall, 0), int(u[name].c64.rps), fmt(u[name].c64.cpuUsPerCall, 0)])))
    lines.push('')
    lines.push(`SigV4 signing alone (@smithy/signature-v4 with node:crypto, this body): **${fmt(u.sigv4SignUs, 1)} µs per request**.`)
    lines.push('')
  }
  const suggestions = suggest(r)
  if (suggestions.length > 0) {
    lines.push('### Suggestions, from the figures above')
    lines.push('')
    for (const s of suggestions) lines.push(`- ${s}`)
    lines.push('')
  }
  return lines.join('\n')
}

/** Concrete suggestions, each tied to a measured number of this run. */
export function suggest (r) {
  const out = []
  const p = r.profile
  const u = r.upstreamPrototype
  const ns = r.nonStreaming
  if (p) {
    const g = (name) => p.groups.find((x) => x.name === name) ?? { ms: 0, pctOfBusy: 0 }
    const sdk = g('@smithy/*').pctOfBusy + g('@aws-sdk/* + @aws-crypto/*').pctOfBusy
    const sdkUs = ((g('@smithy/*').ms + g('@aws-sdk/* + @aws-crypto/*').ms) * 1000) / p.requestsServed
    out.push(`The AWS SDK (middleware stack, serde, signing, its HTTP handler: @smithy/* + @aws-sdk/*) is ${fmt(sdk, 1)}% of the proxy's busy CPU under load (${fmt(sdkUs, 0)} µs/request self time, not counting the node internals it drives).` +
      (u ? ` In isolation the SDK upstream call costs ${fmt(u.sdk.c64.cpuUsPerCall, 0)} µs CPU per call at c=64 against ${fmt(u['undici+sigv4'].c64.cpuUsPerCall, 0)} µs for undici + the SDK's own SigV4 signer (${fmt(u.sdk.c64.cpuUsPerCall - u['undici+sigv4'].c64.cpuUsPerCall, 0)} µs, ${fmt(100 * (1 - u['undici+sigv4'].c64.cpuUsPerCall / u.sdk.c64.cpuUsPerCall), 0)}% less) and serves ${int(u.sdk.c64.rps)} vs ${int(u['undici+sigv4'].c64.rps)} calls/s. That is why the proxy calls Bedrock through its direct path by default (undici + @smithy/signature-v4 + the SDK's credential chain and event-stream codec, src/bedrock/direct/, tested against the SDK client); \`BEDROCK_CLIENT=sdk\` brings the SDK client back. Before/after: [HISTORY.md](HISTORY.md).` : ''))
    const pino = g('pino (+ its deps)')
    const warn = ns['proxy (warn)']
    out.push(`pino is ${fmt(pino.pctOfBusy, 1)}% of busy CPU at LOG_LEVEL=info` +
      (warn ? `; LOG_LEVEL=warn serves ${int(warn.c64.rps)} req/s against ${int(ns['proxy (info)'].c64.rps)} at info (${fmt(100 * (warn.c64.rps / ns['proxy (info)'].c64.rps - 1), 1)}%) with ${fmt(warn.c64.cpuUsPerRequest['proxy (warn)'], 0)} vs ${fmt(ns['proxy (info)'].c64.cpuUsPerRequest['proxy (info)'], 0)} µs CPU per request: ${Math.abs(warn.c64.rps / ns['proxy (info)'].c64.rps - 1) < 0.05 ? 'the one line per request is not where the time goes' : 'the log line (pino, its redaction and the request-log hooks) is worth making cheaper, though the gap is within this machine\'s run-to-run noise unless repeated runs confirm it'}.` : '.'))
    const fastify = g('fastify (+ its deps)')
    out.push(`Fastify and its dependencies (routing, hooks, Ajv validation, reply) are ${fmt(fastify.pctOfBusy, 1)}% of busy CPU; node internals (HTTP parser glue, streams, TLS, timers) ${fmt(g('node internals').pctOfBusy, 1)}%, native builtins and V8 ${fmt(g('native builtins').pctOfBusy + g('V8/native (program)').pctOfBusy, 1)}%, GC ${fmt(g('GC').pctOfBusy, 1)}%, our dist/ ${fmt(g('proxy dist/').pctOfBusy, 1)}%.`)
  }
  if (u) out.push(`SigV4 signing itself costs ${fmt(u.sigv4SignUs, 1)} µs per request with node:crypto: signing is not the problem, the machinery around it is.`)
  const base = ns.baseline
  const direct = ns.direct
  out.push(`The byte-pipe baseline serves ${int(base.c64.rps)} req/s on this machine (direct to the emulator: ${int(direct.c64.rps)}); at c=64 the emulator and the load generator share the same 2 cores, so every path's ceiling here is also set by them (CPU per request at c=64: ${Object.entries(ns).map(([name, v]) => `${name}: ${Object.entries(v.c64.cpuUsPerRequest).map(([proc, us]) => `${proc} ${fmt(us, 0)} µs`).join(', ')}`).join('; ')}).`)
  return out
}

export async function writeReport (r, { jsonName, svgName, reportName }) {
  const svg = await renderChart(r)
  writeFileSync(join(BENCH, 'results', svgName), svg)
  const m = r.machine
  const ns = r.nonStreaming
  const rows = targets(r)
  const md = []
  md.push(`# Benchmark report${r.mode === 'quick' ? ' (quick mode: smoke figures, short runs)' : ''}`)
  md.push('')
  md.push(`Generated by \`npm run bench${r.mode === 'quick' ? ' -- --quick' : ''}\` on ${r.date} from [results/${jsonName}](results/${jsonName}). Do not edit: re-run the bench. How to read it: [README.md](README.md).`)
  md.push('')
  md.push(`Machine: ${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}, ${m.distro ?? m.os} (${m.os}), ulimit -n ${m.nofileLimit}. ` +
    `Emulator (TLS, zero model latency), proxy, baseline and load generator all run on these ${m.cores} cores and compete for them; ` +
    (m.pinned ? 'processes were pinned with taskset (emulator and load generator on CPU 0, proxy and baseline on CPU 1).' : 'no CPU pinning (run with `--pin` to pin).'))
  md.push('')
  md.push('## Targets (issue 5)')
  md.push('')
  md.push(table(['Figure', 'Measured', 'Target', 'Status', 'Note'], rows.map((row) => [row.figure, row.measured, row.target, status(row.ok), row.note])))
  md.push('')
  if (r.notes.length > 0) {
    md.push('Notes:')
    md.push('')
    for (const note of r.notes) md.push(`- ${note}`)
    md.push('')
  }
  md.push(`![latency and throughput per path](results/${svgName})`)
  md.push('')
  md.push('## Non-streaming, side by side')
  md.push('')
  md.push('`direct`: the load generator to the emulator over TLS (Bedrock body, keep-alive). `baseline`: through the byte pipe (undici pool, TLS upstream). `proxy (info|warn)`: `node dist/server.js` with that LOG_LEVEL (Anthropic body, SigV4 upstream). Concurrency 1: undici, one keep-alive connection, timed with performance.now() (µs resolution). Concurrency 64: autocannon (whole-millisecond latency buckets).')
  md.push('')
  md.push(table(['Path', 'c=1 p50 ms', 'c=1 p90 ms', 'c=1 p99 ms', 'c=1 req/s', 'c=64 req/s', 'c=64 p50 ms', 'c=64 p90 ms', 'c=64 p99 ms', 'c=64 CPU µs/request', 'errors'],
    Object.entries(ns).map(([name, { c1, c64 }]) => [name, fmt(c1.p50, 3), fmt(c1.p90, 3), fmt(c1.p99, 3), int(c1.rps), int(c64.rps), c64.p50, c64.p90, c64.p99,
      Object.entries(c64.cpuUsPerRequest).map(([proc, us]) => `${proc} ${fmt(us, 0)}`).join(', '), `${c1.failures + c64.non2xx + c64.errors}`])))
  md.push('')
  const proxy = ns['proxy (info)']
  md.push(`Added latency at concurrency 1 (proxy info − direct): p50 ${fmt(proxy.c1.p50 - ns.direct.c1.p50, 3)} ms, p90 ${fmt(proxy.c1.p90 - ns.direct.c1.p90, 3)} ms, p99 ${fmt(proxy.c1.p99 - ns.direct.c1.p99, 3)} ms; the baseline adds p50 ${fmt(ns.baseline.c1.p50 - ns.direct.c1.p50, 3)} ms.`)
  md.push('')
  md.push('## Streaming')
  md.push('')
  const { ttfb, relay } = r.streaming
  md.push(`Time to first event (request sent → first complete event received, keep-alive connection, ${ttfb.direct.n} streams each): direct p50 ${fmt(ttfb.direct.p50, 3)} / p99 ${fmt(ttfb.direct.p99, 3)} ms; proxy p50 ${fmt(ttfb.proxy.p50, 3)} / p99 ${fmt(ttfb.proxy.p99, 3)} ms.`)
  md.push('')
  md.push(`Relay delay per event (${r.plan.relayStreams} streams × 50 events, 10 ms apart; a TCP pass-through in front of the emulator timestamps each event leaving it, the client timestamps its arrival; the first event of each stream is left out):`)
  md.push('')
  md.push(table(['Path', 'events', 'delay p50 ms', 'delay p90 ms', 'delay p99 ms', 'delay max ms', 'gap p50 ms', 'gap p99 ms', 'gap max ms', 'batched events'],
    Object.entries(relay).map(([name, v]) => [name, v.events, fmt(v.delay.p50, 3), fmt(v.delay.p90, 3), fmt(v.delay.p99, 3), fmt(v.delay.max, 3), fmt(v.gap.p50, 3), fmt(v.gap.p99, 3), fmt(v.gap.max, 3), v.coalescedEvents])))
  md.push('')
  md.push(`Extra inter-arrival gap through the proxy: p50 ${fmt(relay.proxy.gap.p50 - relay.direct.gap.p50, 3)} ms, p99 ${fmt(relay.proxy.gap.p99 - relay.direct.gap.p99, 3)} ms, max ${fmt(relay.proxy.gap.max - relay.direct.gap.max, 3)} ms.`)
  md.push('')
  md.push('Open streams (a fresh proxy, streams that received `message_start` and then wait an hour; RSS of the proxy process from /proc):')
  md.push('')
  md.push(table(['Open streams', 'RSS before MiB', 'RSS with streams MiB', 'KiB per stream', 'failed'], r.openStreams.map((s) => [int(s.streams), fmt(s.rssBeforeMiB, 1), fmt(s.rssMiB, 1), fmt(s.kibPerStream, 1), s.failures])))
  md.push('')
  md.push(`For scale: the proxy used for the load runs had ${fmt(r.rssAfterLoadMiB, 1)} MiB RSS after them.`)
  md.push('')
  md.push('## Start-up and size')
  md.push('')
  const d = r.dependencies
  md.push(`Cold start (spawn of \`node dist/server.js\` → first \`/health\` 200, polled every 2 ms): ${r.coldStart.runs.map((v) => `${fmt(v, 1)} ms`).join(', ')}; median ${fmt(r.coldStart.p50, 1)} ms.`)
  md.push('')
  md.push(`Production dependencies: ${d.packages} packages in \`npm ls --omit=dev --all --parseable\`, ${fmt(d.installedBytes / 2 ** 20, 1)} MiB on disk in this node_modules` +
    (d.npmCiOmitDev ? `; a clean \`npm ci --omit=dev\` is ${fmt(d.npmCiOmitDev.bytes / 2 ** 20, 1)} MiB (${d.npmCiOmitDev.packages} package folders, ${d.npmCiOmitDev.seconds} s from the npm cache); dist/ is ${fmt(d.distBytes / 1024, 0)} KiB.` : '.') +
    ` Image: ${d.image}.`)
  md.push('')
  md.push('## Where the time goes')
  md.push('')
  md.push(whereTheTimeGoes(r))
  const file = join(BENCH, reportName)
  writeFileSync(file, md.join('\n'))
  return file
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const file = process.argv[2]
  const r = JSON.parse(readFileSync(file, 'utf8'))
  const base = basename(file, '.json')
  const out = await writeReport(r, { jsonName: `${base}.json`, svgName: `${base}.svg`, reportName: r.mode === 'quick' ? 'REPORT-quick.md' : 'REPORT.md' })
  console.log(`wrote ${out}`)
}
