/**
 * docker-compose.yml, read without Docker: the proxy in front of the emulator, both from this
 * image, with an init process and the port the image exposes; and docker-compose.aws.yml, the override
 * that points the proxy at real Bedrock.
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

// ---- docker-compose.aws.yml: the override that points the proxy at real Bedrock ---------------------

/** Compose's `!reset` tag (removes what the base file set), on scalars, maps and sequences. */
const RESET = Symbol('!reset')
const RESET_TAGS = [
  { tag: '!reset', resolve: () => RESET },
  { tag: '!reset', collection: 'map' as const, resolve: () => RESET },
  { tag: '!reset', collection: 'seq' as const, resolve: () => RESET }
]
const awsDoc = parseDocument(readFileSync(`${ROOT}docker-compose.aws.yml`, 'utf8'), { customTags: RESET_TAGS })
const aws = awsDoc.toJS() as { services: Record<string, any> }

/** Compose's `${NAME:-default}` with NAME taken from `shell` when set there. */
const interpolateFrom = (shell: Record<string, string>) => (value: unknown): string =>
  String(value).replace(/\$\{([A-Z_]+):-([^}]*)\}/g, (_, name: string, fallback: string) => shell[name] || fallback)

/** The proxy service's environment after `-f docker-compose.yml -f docker-compose.aws.yml` (compose's merge rules). */
function mergedProxyEnvironment (shell: Record<string, string>): Record<string, string> {
  const merged: Record<string, unknown> = { ...compose.services.proxy.environment }
  for (const [name, value] of Object.entries<unknown>(aws.services.proxy.environment)) {
    if (value === RESET) delete merged[name]
    else if (value === null) { // a name without a value: passed through from the shell, or unset
      if (shell[name] === undefined) delete merged[name]
      else merged[name] = shell[name]
    } else merged[name] = value
  }
  const resolve = interpolateFrom(shell)
  return Object.fromEntries(Object.entries(merged).map(([k, v]) => [k, resolve(v)]))
}

t.test('docker-compose.aws.yml parses cleanly and changes only the proxy service', async (t) => {
  t.same([...awsDoc.errors, ...awsDoc.warnings], [])
  t.same(Object.keys(aws.services), ['proxy'])
  t.notOk(aws.services.proxy.image ?? aws.services.proxy.build ?? aws.services.proxy.command, 'same image, same command')
})

t.test('docker-compose.aws.yml removes the emulator endpoint and the stand-in keys, and the dependency', async (t) => {
  const { environment, depends_on: dependsOn } = aws.services.proxy
  for (const name of ['AWS_ENDPOINT_URL_BEDROCK_RUNTIME', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']) {
    t.ok(name in compose.services.proxy.environment, `${name} is in the base file`)
    t.equal(environment[name], RESET, `and !reset here`)
  }
  t.equal(dependsOn, RESET, 'depends_on is reset: `up proxy` starts the proxy alone')
  const env = mergedProxyEnvironment({})
  t.notOk('AWS_ENDPOINT_URL_BEDROCK_RUNTIME' in env, 'no endpoint override after the merge')
  t.notOk('AWS_ACCESS_KEY_ID' in env || 'AWS_SECRET_ACCESS_KEY' in env, 'no stand-in keys after the merge')
  const config = loadConfig(env)
  t.equal(config.bedrock.endpoint, undefined, 'the proxy calls Bedrock itself')
  t.equal(config.bedrock.apiKey, undefined, 'and signs with the profile when no API key is given')
})

t.test('docker-compose.aws.yml mounts ~/.aws read-only for the node user and sets AWS_PROFILE and AWS_REGION', async (t) => {
  const { volumes, environment } = aws.services.proxy
  t.same(volumes, ['~/.aws:/home/node/.aws:ro'], 'the host profile, read-only, in the image user\'s home')
  t.match(String(environment.AWS_PROFILE), /^\$\{AWS_PROFILE:-.+\}$/, 'AWS_PROFILE from the shell, with a default')
  t.match(String(environment.AWS_REGION), /^\$\{AWS_REGION:-.+\}$/, 'AWS_REGION from the shell, with a default')
  const defaults = mergedProxyEnvironment({})
  t.equal(defaults.AWS_PROFILE, 'default')
  t.equal(defaults.AWS_REGION, 'us-east-1')
  const chosen = mergedProxyEnvironment({ AWS_PROFILE: 'team', AWS_REGION: 'eu-central-1' })
  t.equal(chosen.AWS_PROFILE, 'team')
  t.equal(loadConfig(chosen).bedrock.region, 'eu-central-1')
  t.equal(loadConfig(chosen).bedrock.inferenceGeo, 'eu')
})

t.test('docker-compose.aws.yml passes a Bedrock API key through from the shell, only when set', async (t) => {
  t.ok('AWS_BEARER_TOKEN_BEDROCK' in aws.services.proxy.environment)
  t.equal(aws.services.proxy.environment.AWS_BEARER_TOKEN_BEDROCK, null, 'a name without a value')
  t.notOk('AWS_BEARER_TOKEN_BEDROCK' in mergedProxyEnvironment({}), 'unset when the shell has none')
  const env = mergedProxyEnvironment({ AWS_BEARER_TOKEN_BEDROCK: 'bedrock-api-key-example' })
  t.equal(loadConfig(env).bedrock.apiKey, 'bedrock-api-key-example')
})

t.test('the README shows docker-compose.aws.yml as it is', async (t) => {
  const readme = readFileSync(`${ROOT}README.md`, 'utf8')
  const blocks = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((match) => match[1]!)
  const shown = blocks.find((block) => block.includes('AWS_ENDPOINT_URL_BEDROCK_RUNTIME: !reset'))
  t.ok(shown, 'a yaml block with the override')
  const parsed = parseDocument(shown ?? '', { customTags: RESET_TAGS })
  t.same([...parsed.errors, ...parsed.warnings], [])
  t.same(parsed.toJS(), aws, 'same settings as the file')
  t.match(readme, /docker compose -f docker-compose\.yml -f docker-compose\.aws\.yml up proxy/, 'and the command that uses it')
})
