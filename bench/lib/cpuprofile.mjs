// Summarises a V8 .cpuprofile (from `node --cpu-prof`): self time per group (@smithy/*, @aws-sdk/*,
// fastify and its deps, pino, our dist/, node internals, GC, idle), per package, per node module, and
// the top functions. Self time is the sum of the sample intervals that landed in a function.
// Usage on its own: node bench/lib/cpuprofile.mjs <file.cpuprofile>
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const FASTIFY_FAMILY = /^(fastify|@fastify\/.*|find-my-way|avvio|light-my-request|fast-json-stringify|ajv|ajv-formats|fast-uri|fast-querystring|fast-decode-uri-component|secure-json-parse|toad-cache|rfdc|fastq|reusify|abstract-logging|process-warning|safe-regex2|ret|json-schema-ref-resolver|dequal|fast-deep-equal|@fastify\/.*)$/
const PINO_FAMILY = /^(pino|pino-std-serializers|sonic-boom|thread-stream|atomic-sleep|on-exit-leak-free|quick-format-unescaped|real-require|safe-stable-stringify|fast-redact|@pinojs\/.*|pino-abstract-transport)$/

function packageOf (url) {
  const at = url.lastIndexOf('node_modules/')
  if (at === -1) return undefined
  const rest = url.slice(at + 'node_modules/'.length).split('/')
  return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]
}

export function groupOf (callFrame) {
  const { url, functionName } = callFrame
  if (url === '') {
    if (functionName === '(garbage collector)') return 'GC'
    if (functionName === '(idle)') return 'idle'
    if (functionName === '(program)') return 'V8/native (program)'
    return 'native builtins'
  }
  const pkg = packageOf(url)
  if (pkg !== undefined) {
    if (pkg.startsWith('@smithy/')) return '@smithy/*'
    if (pkg.startsWith('@aws-sdk/') || pkg.startsWith('@aws-crypto/')) return '@aws-sdk/* + @aws-crypto/*'
    if (FASTIFY_FAMILY.test(pkg)) return 'fastify (+ its deps)'
    if (PINO_FAMILY.test(pkg)) return 'pino (+ its deps)'
    return `other packages`
  }
  if (url.includes('/dist/')) return 'proxy dist/'
  if (url.startsWith('node:')) return 'node internals'
  return 'other'
}

function moduleOf (callFrame) {
  const { url } = callFrame
  const pkg = packageOf(url)
  if (pkg !== undefined) return pkg
  if (url.startsWith('node:')) return url.replace(/^node:(internal\/)?/, 'node:')
  if (url.includes('/dist/')) return 'dist/' + url.slice(url.lastIndexOf('/dist/') + 6)
  return url === '' ? callFrame.functionName : url
}

export function summarise (profile) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const self = new Map()
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]
    // timeDeltas[i] is the time since the previous sample; it belongs to the sample before.
    const delta = profile.timeDeltas[i + 1] ?? 0
    self.set(id, (self.get(id) ?? 0) + delta)
  }
  const totalUs = [...self.values()].reduce((sum, v) => sum + v, 0)
  const tally = (keyOf, { skipIdle = false } = {}) => {
    const map = new Map()
    for (const [id, us] of self) {
      const node = byId.get(id)
      if (skipIdle && node.callFrame.functionName === '(idle)') continue
      const key = keyOf(node.callFrame)
      map.set(key, (map.get(key) ?? 0) + us)
    }
    return map
  }
  const idleUs = tally(groupOf).get('idle') ?? 0
  const busyUs = totalUs - idleUs
  const rows = (map, limit) => [...map]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([name, us]) => ({ name, ms: Number((us / 1000).toFixed(1)), pctOfBusy: Number(((100 * us) / busyUs).toFixed(1)) }))
  // Who calls the top functions (one and two frames up), for native ones like writev.
  const parent = new Map()
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node)
  const label = (frame) => `${frame.functionName || '(anonymous)'} ${moduleOf(frame)}:${frame.lineNumber + 1}`
  const functions = rows(tally(label, { skipIdle: true }), 25)
  for (const row of functions.slice(0, 5)) {
    const callers = new Map()
    for (const [id, us] of self) {
      const node = byId.get(id)
      if (label(node.callFrame) !== row.name) continue
      const up = parent.get(id)
      let outer = up
      while (outer && (outer.callFrame.url === '' || outer.callFrame.url.startsWith('node:')) && parent.get(outer.id)) outer = parent.get(outer.id)
      const key = up ? `${label(up.callFrame)}${outer && outer !== up ? ' … < ' + label(outer.callFrame) : ''}` : '(root)'
      callers.set(key, (callers.get(key) ?? 0) + us)
    }
    row.callers = [...callers].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([name, us]) => ({ name, ms: Number((us / 1000).toFixed(1)) }))
  }
  return {
    wallMs: Number((totalUs / 1000).toFixed(1)),
    busyMs: Number((busyUs / 1000).toFixed(1)),
    idleMs: Number((idleUs / 1000).toFixed(1)),
    groups: rows(tally(groupOf, { skipIdle: true })),
    modules: rows(tally(moduleOf, { skipIdle: true }), 25),
    functions
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = summarise(JSON.parse(readFileSync(process.argv[2], 'utf8')))
  console.log(JSON.stringify(result, null, 2))
}
