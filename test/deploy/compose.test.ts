/**
 * docker-compose.yml, read without Docker: the proxy in front of the emulator, both from this
 * image, with an init process and the port the image exposes.
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { parseDocument } from 'yaml'
import { loadConfig } from '../../src/config.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const doc = parseDocument(readFileSync(`${ROOT}docker-compose.yml`, 'utf8'))
const compose = doc.toJS() as { services: Record<string, any> }

/** Compose's `${NAME:-default}` with NAME unset. */
const interpolate = (value: unknown): string => String(value).replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1')

t.test('parses cleanly, two services', async (t) => {
  t.same([...doc.errors, ...doc.warnings], [])
  t.same(Object.keys(compose.services).sort(), ['emulator', 'proxy'])
})

t.test('both services run this repository\'s image', async (t) => {
  const { emulator, proxy } = compose.services
  t.equal(emulator.image, proxy.image, 'one image')
  for (const service of [emulator, proxy]) t.ok(service.build === '.' || service.build?.context === '.', 'built from this Dockerfile')
})

t.test('emulator: its command, listening on all interfaces, paced events', async (t) => {
  const { emulator } = compose.services
  t.same(emulator.command, ['node', 'dist/emulator/main.js'])
  t.equal(emulator.environment.EMULATOR_HOST, '0.0.0.0', 'reachable from the proxy container')
  t.equal(String(emulator.environment.EMULATOR_EVENT_DELAY_MS), '40')
  t.ok(emulator.healthcheck?.test, 'a health check of its own (the image\'s probes the proxy port)')
})

t.test('proxy: init, port 8080, pointed at the emulator, and a configuration the proxy accepts', async (t) => {
  const { proxy, emulator } = compose.services
  t.equal(proxy.init, true, 'an init process forwards SIGTERM to node')
  t.same(proxy.ports, ['8080:8080'])
  t.notOk(proxy.command ?? proxy.entrypoint, 'the image CMD runs the proxy')
  const env = Object.fromEntries(Object.entries<unknown>(proxy.environment).map(([k, v]) => [k, interpolate(v)]))
  const port = String(emulator.environment.EMULATOR_PORT ?? 4010)
  t.equal(env.AWS_ENDPOINT_URL_BEDROCK_RUNTIME, `http://emulator:${port}`, 'the emulator service, by name')
  t.ok(env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY, 'stand-in keys sign the requests the emulator checks')
  t.equal(env.AWS_REGION, 'us-east-1')
  t.match(String(proxy.environment.BEARER_TOKEN), /^\$\{BEARER_TOKEN:-.+\}$/, 'BEARER_TOKEN can be overridden from the shell')
  t.ok(proxy.depends_on?.emulator ?? (Array.isArray(proxy.depends_on) && proxy.depends_on.includes('emulator')), 'depends on the emulator')
  const config = loadConfig(env)
  t.equal(config.bedrock.endpoint, `http://emulator:${port}`)
  t.equal(config.auth.tokens.length, 1, 'the demo token is valid')
})
