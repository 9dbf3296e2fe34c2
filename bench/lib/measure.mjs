// Calls a function in a closed loop at a given concurrency for a fixed time, after a warm-up, and
// reports throughput, latency percentiles and this process's CPU per call.
export const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]
export const round = (value, digits = 3) => Number(value.toFixed(digits))

export async function measure (call, { concurrency, durationMs, warmup = 200 }) {
  for (let i = 0; i < warmup; i++) await call()
  const latencies = []
  const cpu0 = process.cpuUsage()
  const started = performance.now()
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() - started < durationMs) {
      const t0 = performance.now()
      await call()
      latencies.push(performance.now() - t0)
    }
  }))
  const elapsed = performance.now() - started
  const cpu = process.cpuUsage(cpu0)
  latencies.sort((a, b) => a - b)
  return {
    concurrency,
    calls: latencies.length,
    rps: round(latencies.length / (elapsed / 1000), 1),
    p50Ms: round(pct(latencies, 50)),
    p99Ms: round(pct(latencies, 99)),
    cpuUsPerCall: round((cpu.user + cpu.system) / latencies.length, 1)
  }
}
