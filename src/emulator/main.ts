// `npm run emulator`: the Bedrock emulator as a process, configured from the environment.
import { readFileSync } from 'node:fs'
import { startEmulator } from './server.js'

function numberFrom(name: string, fallback: number): number {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isInteger(value) || value < 0) {
    console.error(`${name} must be a non-negative integer, got ${JSON.stringify(raw)}`)
    process.exit(1)
  }
  return value
}

const certPath = process.env.EMULATOR_TLS_CERT
const keyPath = process.env.EMULATOR_TLS_KEY
if (Boolean(certPath) !== Boolean(keyPath)) {
  console.error('EMULATOR_TLS_CERT and EMULATOR_TLS_KEY must be set together')
  process.exit(1)
}

const emulator = await startEmulator({
  port: numberFrom('EMULATOR_PORT', 4010),
  host: process.env.EMULATOR_HOST || '127.0.0.1',
  eventDelayMs: numberFrom('EMULATOR_EVENT_DELAY_MS', 0),
  tls: certPath && keyPath ? { cert: readFileSync(certPath), key: readFileSync(keyPath) } : undefined,
})
console.log(`bedrock emulator listening on ${emulator.url}`)

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    emulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    )
  })
}
