// Streaming figures: time to first event, per-event relay delay, and memory per open stream.
import http from 'node:http'
import { createConnection, createServer } from 'node:net'
import { once } from 'node:events'
import { Client } from 'undici'
import { summary, round } from './load.mjs'
import { rssBytes } from './procs.mjs'

/** Splits SSE text into events as they complete; calls `onEvent(count)` per event found. */
function sseCounter () {
  let pending = ''
  return (chunk) => {
    pending += chunk.toString('utf8')
    let count = 0
    let at
    while ((at = pending.indexOf('\n\n')) !== -1) {
      const frame = pending.slice(0, at)
      pending = pending.slice(at + 2)
      if (!frame.startsWith('event: ping')) count++
    }
    return count
  }
}

/** Counts complete AWS event-stream frames (4-byte big-endian total length prefix). */
function eventStreamCounter () {
  let pending = Buffer.alloc(0)
  return (chunk) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk])
    let count = 0
    while (pending.length >= 4) {
      const total = pending.readUInt32BE(0)
      if (pending.length < total) break
      pending = pending.subarray(total)
      count++
    }
    return count
  }
}

/**
 * One streaming request; returns the send time, the header time and the arrival time of every event
 * (performance.now(), ms). Events that complete in the same chunk get the same time.
 */
async function timedStream (client, { path, headers, body }, kind) {
  const count = kind === 'sse' ? sseCounter() : eventStreamCounter()
  const sent = performance.now()
  const { statusCode, body: stream } = await client.request({ path, method: 'POST', headers, body })
  const headersAt = performance.now()
  const arrivals = []
  const chunkSizes = []
  for await (const chunk of stream) {
    const now = performance.now()
    const n = count(chunk)
    chunkSizes.push(n)
    for (let i = 0; i < n; i++) arrivals.push(now)
  }
  if (statusCode !== 200) throw new Error(`stream answered ${statusCode}`)
  return { sent, headersAt, arrivals, chunkSizes }
}

/** Time to first event over a reused keep-alive connection, `n` times; ms stats. */
export async function timeToFirstEvent (target, { n, kind, ca, warmup = 20 }) {
  const client = new Client(target.origin, { connect: ca ? { ca } : undefined, keepAliveTimeout: 60_000 })
  const values = []
  for (let i = 0; i < warmup + n; i++) {
    const run = await timedStream(client, target, kind)
    if (i >= warmup) values.push(run.arrivals[0] - run.sent)
  }
  await client.close()
  return summary(values)
}

/**
 * A TCP pass-through between a client (the proxy, or our direct client) and the emulator that
 * timestamps every chunk the emulator sends. Each stream event is one TLS record written 10 ms after
 * the last, so the first chunk after event i-1 reached the client is event i leaving the emulator.
 */
export async function startSpy (emulatorPort) {
  const chunks = []
  const sockets = new Set()
  const server = createServer((downstream) => {
    const upstream = createConnection(emulatorPort, '127.0.0.1')
    sockets.add(downstream).add(upstream)
    downstream.setNoDelay(true)
    upstream.setNoDelay(true)
    upstream.on('data', (chunk) => { chunks.push(performance.now()); downstream.write(chunk) })
    downstream.on('data', (chunk) => upstream.write(chunk))
    const end = () => { upstream.destroy(); downstream.destroy(); sockets.delete(upstream); sockets.delete(downstream) }
    upstream.on('close', end).on('error', end)
    downstream.on('close', end).on('error', end)
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return {
    port: server.address().port,
    chunks,
    close: () => { for (const socket of sockets) socket.destroy(); server.close() }
  }
}

/**
 * Runs `streams` streams one after another through `target` (whose upstream goes through `spy`) and
 * returns, per event after the first, the delay from the emulator's send to the client's receipt,
 * and the client-side inter-arrival gaps.
 */
export async function relayDelays (target, spy, { streams, kind, ca, expectedEvents }) {
  const client = new Client(target.origin, { connect: ca ? { ca } : undefined, keepAliveTimeout: 60_000 })
  const delays = []
  const gaps = []
  let coalesced = 0
  let unmatched = 0
  await timedStream(client, target, kind) // warm the connections
  for (let s = 0; s < streams; s++) {
    const from = spy.chunks.length
    const run = await timedStream(client, target, kind)
    if (run.arrivals.length !== expectedEvents) throw new Error(`expected ${expectedEvents} events, got ${run.arrivals.length}`)
    const sent = spy.chunks.slice(from)
    coalesced += run.chunkSizes.filter((n) => n > 1).reduce((sum, n) => sum + n - 1, 0)
    for (let i = 1; i < run.arrivals.length; i++) {
      gaps.push(run.arrivals[i] - run.arrivals[i - 1])
      const leftAt = sent.find((t) => t > run.arrivals[i - 1])
      if (leftAt === undefined || leftAt > run.arrivals[i]) { unmatched++; continue }
      delays.push(run.arrivals[i] - leftAt)
    }
  }
  await client.close()
  return { delay: summary(delays), gap: summary(gaps), coalescedEvents: coalesced, unmatched, events: delays.length }
}

/**
 * Opens streams through the proxy that stay open (the emulator sends message_start, then waits an
 * hour), `count` at a time up to each level in `levels`, and reads the proxy's RSS at each level.
 */
export async function openStreams ({ proxyUrl, proxyPid, target, levels, settleMs = 3000, parallel = 200 }) {
  const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity })
  const url = new URL(proxyUrl + target.path)
  const open = []
  let failures = 0
  const openOne = () => new Promise((resolve) => {
    const req = http.request(url, { method: 'POST', headers: target.headers, agent }, (res) => {
      if (res.statusCode !== 200) { failures++; res.resume(); return resolve() }
      res.once('data', () => resolve())
      res.on('error', () => {})
    })
    req.on('error', () => { failures++; resolve() })
    req.end(target.body)
    open.push(req)
  })

  await new Promise((resolve) => setTimeout(resolve, settleMs))
  const before = rssBytes(proxyPid)
  const results = []
  for (const level of levels) {
    while (open.length < level) {
      const batch = []
      for (let i = 0; i < parallel && open.length < level; i++) batch.push(openOne())
      await Promise.all(batch)
    }
    await new Promise((resolve) => setTimeout(resolve, settleMs))
    const rss = rssBytes(proxyPid)
    results.push({
      streams: level,
      failures,
      rssBeforeMiB: round(before / 2 ** 20, 1),
      rssMiB: round(rss / 2 ** 20, 1),
      kibPerStream: round((rss - before) / level / 1024, 2)
    })
  }
  for (const req of open) req.destroy()
  agent.destroy()
  return results
}
