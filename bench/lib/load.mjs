// Load: serial requests with microsecond timing (undici, one keep-alive connection) for concurrency 1,
// and autocannon for concurrency 64.
import autocannon from 'autocannon'
import { Client } from 'undici'

export function percentile (sorted, p) {
  if (sorted.length === 0) return NaN
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[rank]
}

export function summary (values) {
  const sorted = [...values].sort((a, b) => a - b)
  const mean = sorted.reduce((sum, v) => sum + v, 0) / (sorted.length || 1)
  return {
    n: sorted.length,
    mean: round(mean),
    p50: round(percentile(sorted, 50)),
    p90: round(percentile(sorted, 90)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted.at(-1) ?? NaN)
  }
}

export const round = (value, digits = 3) => (Number.isFinite(value) ? Number(value.toFixed(digits)) : null)

/**
 * Concurrency 1: one request at a time on one keep-alive connection, timed from the request to the
 * last body byte with performance.now(). Returns latency stats in ms and the request rate.
 */
export async function serial (target, { durationMs, warmup = 200, ca }) {
  const client = new Client(target.origin, { connect: ca ? { ca } : undefined, keepAliveTimeout: 60_000, pipelining: 1 })
  const options = { path: target.path, method: 'POST', headers: target.headers, body: target.body }
  let failures = 0
  const once = async () => {
    const { statusCode, body } = await client.request(options)
    await body.arrayBuffer()
    if (statusCode !== 200) failures++
  }
  for (let i = 0; i < warmup; i++) await once()
  failures = 0
  const latencies = []
  const started = performance.now()
  while (performance.now() - started < durationMs) {
    const t0 = performance.now()
    await once()
    latencies.push(performance.now() - t0)
  }
  const elapsed = performance.now() - started
  await client.close()
  return { ...summary(latencies), rps: round(latencies.length / (elapsed / 1000), 1), failures }
}

/** Concurrency 64 (or any): autocannon; latency is whole milliseconds (its HDR histogram's unit). */
export async function cannon (target, { connections, durationS, warmupS = 1 }) {
  const options = {
    url: target.origin + target.path,
    method: 'POST',
    headers: target.headers,
    body: target.body,
    connections,
    pipelining: 1
  }
  if (warmupS > 0) await autocannon({ ...options, duration: warmupS })
  const result = await autocannon({ ...options, duration: durationS })
  return {
    connections,
    rps: round(result.requests.average, 1),
    requests: result.requests.total,
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    mean: round(result.latency.mean),
    max: result.latency.max,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts
  }
}
