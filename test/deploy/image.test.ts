/**
 * The container image, checked without Docker: the Dockerfile is linted (dockerfile-utils) and read
 * instruction by instruction; .dockerignore is checked against what the Dockerfile copies; then the
 * final stage's CMD runs here with exactly the final stage's ENV plus what template.yaml (Lambda)
 * and deploy/ecs-fargate.yaml (ECS) set, and must answer the readiness check, serve /v1/messages (in
 * front of the Bedrock emulator, started in-process) and stop on SIGTERM.
 */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { validate } from 'dockerfile-utils'
import t, { type Test } from 'tap'
import { startEmulator } from '../../src/emulator/server.js'
import { readTemplate as parseTemplateFile, ROOT } from '../helpers/cloudformation.js'
import { AWS_CREDENTIALS } from '../helpers/stack.js'

const DOCKERFILE = readFileSync(`${ROOT}Dockerfile`, 'utf8')

// ---- a small Dockerfile reader ------------------------------------------------------------------

interface Instruction { keyword: string; args: string; line: number }
interface Stage { image: string; name: string | undefined; instructions: Instruction[] }

function instructions (text: string): Instruction[] {
  const result: Instruction[] = []
  let pending = ''
  let start = 0
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim()
    if (pending === '' && (line === '' || line.startsWith('#'))) return
    if (pending !== '' && line.startsWith('#')) return // comment inside a continuation
    if (pending === '') start = index + 1
    if (line.endsWith('\\')) {
      pending += line.slice(0, -1) + ' '
      return
    }
    const full = (pending + line).trim()
    pending = ''
    const match = /^(\S+)\s*(.*)$/s.exec(full)!
    result.push({ keyword: match[1]!.toUpperCase(), args: match[2]!.replace(/\s+/g, ' ').trim(), line: start })
  })
  return result
}

function stages (text: string): Stage[] {
  const result: Stage[] = []
  for (const instruction of instructions(text)) {
    if (instruction.keyword === 'FROM') {
      const words = instruction.args.split(' ').filter((word) => !word.startsWith('--'))
      result.push({ image: words[0]!, name: words[1]?.toUpperCase() === 'AS' ? words[2] : undefined, instructions: [] })
    } else if (result.length > 0) {
      result.at(-1)!.instructions.push(instruction)
    }
  }
  return result
}

/** `ENV A=1 B="two"` (and the legacy `ENV A 1`) -> { A: '1', B: 'two' } */
function envOf (stage: Stage): Record<string, string> {
  const env: Record<string, string> = {}
  for (const { args } of stage.instructions.filter((i) => i.keyword === 'ENV')) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*=/.test(args)) {
      const [name, ...value] = args.split(' ')
      env[name!] = value.join(' ')
      continue
    }
    for (const match of args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("([^"]*)"|'([^']*)'|(\S*))/g)) {
      env[match[1]!] = match[3] ?? match[4] ?? match[5] ?? ''
    }
  }
  return env
}

interface Copy { from: string | undefined; sources: string[]; destination: string; chown: string | undefined }

function copiesOf (stage: Stage): Copy[] {
  return stage.instructions.filter((i) => i.keyword === 'COPY' || i.keyword === 'ADD').map(({ args }) => {
    const words = args.split(' ')
    const flags = words.filter((word) => word.startsWith('--'))
    const paths = words.filter((word) => !word.startsWith('--'))
    const flag = (name: string): string | undefined => flags.find((f) => f.startsWith(`--${name}=`))?.slice(name.length + 3)
    return { from: flag('from'), sources: paths.slice(0, -1), destination: paths.at(-1)!, chown: flag('chown') }
  })
}

function execForm (stage: Stage, keyword: string): string[] | undefined {
  const instruction = stage.instructions.filter((i) => i.keyword === keyword).at(-1)
  if (instruction === undefined) return undefined
  let args = instruction.args
  if (keyword === 'HEALTHCHECK') args = args.replace(/^(--\S+\s+)*CMD\s+/, '')
  try {
    const parsed: unknown = JSON.parse(args)
    return Array.isArray(parsed) && parsed.every((item) => typeof item === 'string') ? parsed : undefined
  } catch {
    return undefined
  }
}

const STAGES = stages(DOCKERFILE)
const FINAL = STAGES.at(-1)!
const stageNamed = (name: string | undefined): Stage | undefined => STAGES.find((stage) => stage.name === name)

// ---- lint -----------------------------------------------------------------------------------------

t.test('dockerfile-utils finds no error (and does find them in a broken file)', async (t) => {
  const ERROR = 1 // DiagnosticSeverity.Error
  const broken = validate('FROM node:24-bookworm-slim\nEXPOSE not-a-port\nCOPY\n')
  t.ok(broken.some((d) => d.severity === ERROR), 'the linter reports errors at all')
  const diagnostics = validate(DOCKERFILE)
  t.same(diagnostics.filter((d) => d.severity === ERROR).map((d) => `line ${d.range.start.line + 1}: ${d.message}`), [], 'no error')
  t.same(diagnostics.map((d) => `line ${d.range.start.line + 1}: ${d.message}`), [], 'no warning either')
})

// ---- settings -------------------------------------------------------------------------------------

t.test('multi-stage, every base image pinned (no latest), Node 22 or 24 on bookworm-slim', async (t) => {
  t.ok(STAGES.length >= 2, `${STAGES.length} stages`)
  const names = new Set<string>()
  for (const stage of STAGES) {
    if (stage.name !== undefined) names.add(stage.name)
    if (names.has(stage.image) && stage.image !== stage.name) continue // built on an earlier stage
    t.match(stage.image, /^node:(22|24)(\.\d+){0,2}-bookworm-slim(@sha256:[0-9a-f]{64})?$/, `FROM ${stage.image}`)
  }
  const external = STAGES.flatMap(copiesOf).map((c) => c.from).filter((from): from is string => from !== undefined && !names.has(from))
  t.ok(external.length > 0, 'copies from an external image (the adapter)')
  for (const image of external) {
    t.match(image, /^[a-z0-9./-]+:(\d+\.\d+\.\d+)(@sha256:[0-9a-f]{64})?$/, `COPY --from=${image} is pinned to a version`)
    t.notMatch(image, /:latest\b/)
  }
  t.notMatch(DOCKERFILE, /:latest\b/, 'no latest tag anywhere')
})

t.test('the build stage installs everything and builds; a stage installs production dependencies only', async (t) => {
  const build = STAGES.find((stage) => stage.instructions.some((i) => i.keyword === 'RUN' && /\bnpm run build\b/.test(i.args)))
  t.ok(build, 'a stage runs npm run build')
  t.ok(build!.instructions.some((i) => i.keyword === 'RUN' && /\bnpm ci\b/.test(i.args) && !/--omit=dev/.test(i.args)), 'with npm ci (dev dependencies included)')
  t.not(build, FINAL, 'not in the final stage')
  const runsInFinal = FINAL.instructions.filter((i) => i.keyword === 'RUN')
  t.same(runsInFinal, [], 'the final stage runs nothing (no build tools, no install)')

  const copies = copiesOf(FINAL)
  const modules = copies.find((c) => c.destination.replace(/\/$/, '').endsWith('node_modules'))
  t.ok(modules?.from, 'node_modules comes from another stage')
  const depsStage = stageNamed(modules!.from)
  t.ok(depsStage, `stage ${modules!.from} exists`)
  t.ok(depsStage!.instructions.some((i) => i.keyword === 'RUN' && /\bnpm ci\b.*--omit=dev/.test(i.args)), `${modules!.from} runs npm ci --omit=dev`)
  t.notOk(depsStage!.instructions.some((i) => i.keyword === 'RUN' && /\bnpm (install|i|ci)\b/.test(i.args) && !/--omit=dev/.test(i.args)), 'and installs nothing else')

  const dist = copies.find((c) => c.destination.replace(/\/$/, '').endsWith('dist'))
  t.equal(dist?.from, build!.name, 'dist comes from the build stage')
})

t.test('the final stage holds only dist, package files, production node_modules and the adapter', async (t) => {
  const allowed = [
    (c: Copy) => c.from === undefined && c.sources.every((s) => s === 'package.json' || s === 'package-lock.json' || s === 'package*.json'),
    (c: Copy) => c.from !== undefined && stageNamed(c.from) !== undefined && c.sources.length === 1 && /\/dist\/?$/.test(c.sources[0]!),
    (c: Copy) => c.from !== undefined && stageNamed(c.from) !== undefined && c.sources.length === 1 && /\/node_modules\/?$/.test(c.sources[0]!),
    (c: Copy) => c.from !== undefined && /aws-lambda-adapter:/.test(c.from) && c.sources.join() === '/lambda-adapter'
  ]
  for (const copy of copiesOf(FINAL)) {
    t.ok(allowed.some((rule) => rule(copy)), `COPY ${copy.from ? `--from=${copy.from} ` : ''}${copy.sources.join(' ')} ${copy.destination}`)
  }
  t.notOk(FINAL.instructions.some((i) => i.keyword === 'ADD'), 'no ADD')
})

t.test('the Lambda Web Adapter is copied to /opt/extensions/lambda-adapter', async (t) => {
  const adapter = copiesOf(FINAL).find((c) => c.from?.startsWith('public.ecr.aws/awsguru/aws-lambda-adapter:'))
  t.ok(adapter, 'from public.ecr.aws/awsguru/aws-lambda-adapter')
  t.same(adapter?.sources, ['/lambda-adapter'])
  t.equal(adapter?.destination, '/opt/extensions/lambda-adapter')
})

t.test('final stage: USER node, ENV, EXPOSE 8080, exec-form CMD, health check without curl', async (t) => {
  const users = FINAL.instructions.filter((i) => i.keyword === 'USER')
  t.equal(users.at(-1)?.args, 'node', 'runs as node')
  const env = envOf(FINAL)
  t.match(env, {
    NODE_ENV: 'production',
    PORT: '8080',
    AWS_LWA_PORT: '8080',
    AWS_LWA_READINESS_CHECK_PATH: '/health',
    AWS_LWA_INVOKE_MODE: 'response_stream'
  })
  t.equal(env.AWS_LWA_PORT, env.PORT, 'the adapter calls the port the server listens on')
  t.same(FINAL.instructions.filter((i) => i.keyword === 'EXPOSE').map((i) => i.args), ['8080'])
  t.same(execForm(FINAL, 'CMD'), ['node', 'dist/server.js'], 'exec-form CMD runs the server')
  t.notOk(FINAL.instructions.some((i) => i.keyword === 'ENTRYPOINT'), 'no ENTRYPOINT wraps it')
  const healthcheck = FINAL.instructions.find((i) => i.keyword === 'HEALTHCHECK')
  if (healthcheck !== undefined && healthcheck.args !== 'NONE') {
    const command = execForm(FINAL, 'HEALTHCHECK')
    t.ok(command, 'HEALTHCHECK is exec form')
    t.equal(command?.[0], 'node', 'and uses node, not curl or wget')
  }
})

t.test('.dockerignore admits exactly what the Dockerfile copies from the build context', async (t) => {
  const lines = readFileSync(`${ROOT}.dockerignore`, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'))
  t.equal(lines[0], '*', 'starts by excluding everything')
  const admitted = new Set(lines.slice(1).map((l) => {
    t.ok(l.startsWith('!'), `${l} is an exception`)
    return l.slice(1).replace(/^\.?\//, '').replace(/\/$/, '')
  }))
  const copied = new Set(STAGES.flatMap(copiesOf).filter((c) => c.from === undefined).flatMap((c) => c.sources).map((s) => s.replace(/^\.?\//, '').replace(/\/$/, '')))
  t.same([...admitted].sort(), [...copied].sort())
  for (const secret of ['node_modules', 'dist', '.git', '.env', 'test']) t.notOk(admitted.has(secret), `${secret} stays out`)
})

// ---- boot: the image's command, with the image's and the templates' environment -------------------

type Template = Record<string, Record<string, any>>
const readTemplate = (path: string): Template => parseTemplateFile(path) as Template

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

const NO_VALUE = Symbol('AWS::NoValue')

/** Evaluates intrinsic functions with the parameters' defaults (plus overrides), as CloudFormation would. */
function evaluator (template: Template, overrides: Record<string, string>, pseudo: Record<string, string>) {
  const parameters: Record<string, string> = {}
  for (const [name, definition] of Object.entries(template.Parameters ?? {})) {
    if (definition.Default !== undefined) parameters[name] = String(definition.Default)
  }
  Object.assign(parameters, overrides)
  const condition = (name: string): boolean => {
    const definition = template.Conditions?.[name]
    if (definition === undefined) throw new Error(`condition ${name} is not defined`)
    return evaluate(definition) as boolean
  }
  function evaluate (value: any): any {
    if (Array.isArray(value)) return value.map(evaluate).filter((item) => item !== NO_VALUE)
    if (value === null || typeof value !== 'object') return value
    const keys = Object.keys(value)
    if (keys.length === 1) {
      const [key] = keys as [string]
      const arg = value[key]
      switch (key) {
        case 'Ref':
          if (arg === 'AWS::NoValue') return NO_VALUE
          if (arg in parameters) return parameters[arg]
          if (arg in pseudo) return pseudo[arg]
          throw new Error(`cannot evaluate Ref ${arg}`)
        case 'Fn::If': return condition(arg[0]) ? evaluate(arg[1]) : evaluate(arg[2])
        case 'Fn::Equals': return String(evaluate(arg[0])) === String(evaluate(arg[1]))
        case 'Fn::Not': return !(evaluate(arg[0]) as boolean)
        case 'Fn::And': return (arg as Json[]).every((item) => evaluate(item) === true)
        case 'Fn::Or': return (arg as Json[]).some((item) => evaluate(item) === true)
        case 'Condition': return condition(arg)
        case 'Fn::FindInMap': {
          const [map, top, second] = (arg as Json[]).map(evaluate) as [string, string, string]
          const found = template.Mappings?.[map]?.[top]?.[second]
          if (found === undefined) throw new Error(`no mapping ${map}.${top}.${second}`)
          return String(found)
        }
        case 'Fn::Sub': return (arg as string).replace(/\$\{([^}!]+)\}/g, (_, name: string) => String(evaluate({ Ref: name })))
      }
    }
    const result: Record<string, unknown> = {}
    for (const [key, item] of Object.entries(value)) {
      const evaluated = evaluate(item)
      if (evaluated !== NO_VALUE) result[key] = evaluated
    }
    return result
  }
  return evaluate
}

async function freePort (): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as { port: number }
  server.close()
  await once(server, 'close')
  return port
}

interface Reply { status: number; headers: Headers; body: string }
interface Booted {
  get: (path: string, headers?: Record<string, string>) => Promise<Reply>
  post: (path: string, body: unknown, headers?: Record<string, string>) => Promise<Reply>
  stop: () => Promise<{ code: number | null; ms: number }>
  output: () => string
}

/** Runs the final stage's CMD (node = this node) with exactly `env`, from the repository root. */
async function boot (t: Test, env: Record<string, string>): Promise<Booted> {
  const command = execForm(FINAL, 'CMD')!
  t.equal(command[0], 'node')
  const child = spawn(process.execPath, command.slice(1), { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout.on('data', (chunk) => { output += chunk })
  child.stderr.on('data', (chunk) => { output += chunk })
  const exited = once(child, 'exit').then(([code]) => code as number | null)
  t.teardown(() => { if (child.exitCode === null) child.kill('SIGKILL') })
  const base = `http://127.0.0.1:${env.PORT}`
  const get = async (path: string, headers: Record<string, string> = {}): Promise<Reply> => {
    const response = await fetch(`${base}${path}`, { headers })
    return { status: response.status, headers: response.headers, body: await response.text() }
  }
  const post = async (path: string, body: unknown, headers: Record<string, string> = {}): Promise<Reply> => {
    const response = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) })
    return { status: response.status, headers: response.headers, body: await response.text() }
  }
  const deadline = Date.now() + 10_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}: ${output}`)
    try {
      await get(env.AWS_LWA_READINESS_CHECK_PATH ?? '/health')
      break
    } catch {}
    if (Date.now() > deadline) throw new Error(`the server did not start: ${output}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  const stop = async () => {
    const started = Date.now()
    child.kill('SIGTERM')
    const code = await Promise.race([exited, new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 5000))])
    if (code === 'timeout') throw new Error(`no exit within 5 s of SIGTERM: ${output}`)
    return { code, ms: Date.now() - started }
  }
  return { get, post, stop, output: () => output }
}

/** The image's ENV with PORT and AWS_LWA_PORT moved together to a free port (8080 may be taken here). */
async function imageEnv (t: Test): Promise<Record<string, string>> {
  const env = envOf(FINAL)
  t.equal(env.PORT, '8080', 'the image listens on 8080')
  t.equal(env.AWS_LWA_PORT, env.PORT, 'the adapter calls that port')
  const port = String(await freePort())
  return { ...env, PORT: port, AWS_LWA_PORT: port }
}

const BOOT_TOKEN = 'boot-test-token-0123456789abcdef'

/**
 * The Bedrock emulator, in this process, and the environment that points the booted server at it.
 * These three variables stand in for what AWS provides in a deployment: the Lambda execution role
 * or the ECS task role (credentials the SDK's default chain finds) and Bedrock's own endpoint. The
 * emulator checks that requests are SigV4-signed with exactly these credentials.
 */
async function bedrockStandIn (t: Test): Promise<Record<string, string>> {
  const emulator = await startEmulator({ credentials: AWS_CREDENTIALS })
  t.teardown(() => emulator.close())
  return {
    AWS_ENDPOINT_URL_BEDROCK_RUNTIME: emulator.url,
    AWS_ACCESS_KEY_ID: AWS_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: AWS_CREDENTIALS.secretAccessKey
  }
}

/** A message through the booted server: 200 and the emulator's echo, with the token; 401 without. */
async function checkMessages (t: Test, server: Booted, headers: Record<string, string>): Promise<void> {
  const text = 'Hello from the image boot test'
  const request = { model: 'claude-sonnet-4-5', max_tokens: 64, messages: [{ role: 'user', content: text }] }
  t.equal((await server.post('/v1/messages', request)).status, 401, 'POST /v1/messages needs the token')
  const reply = await server.post('/v1/messages', request, { 'anthropic-version': '2023-06-01', ...headers })
  t.equal(reply.status, 200, `POST /v1/messages with the token: ${reply.body.slice(0, 300)}`)
  const message = JSON.parse(reply.body)
  t.equal(message.type, 'message')
  t.equal(message.role, 'assistant')
  t.equal(message.content?.[0]?.text, `You said: ${text}`, 'the emulator\'s echo, through Bedrock\'s API')

  const streamed = await server.post('/v1/messages', { ...request, stream: true }, headers)
  t.equal(streamed.status, 200, 'streaming too')
  t.match(streamed.headers.get('content-type'), /^text\/event-stream/)
  t.match(streamed.body, /event: message_stop/, 'to the end of the stream')
}

t.test('boot as on Lambda: image ENV + template.yaml environment; readiness check, auth, /v1/messages, SIGTERM', async (t) => {
  const sam = readTemplate('template.yaml')
  const [, fn] = Object.entries(sam.Resources!).find(([, r]) => r.Type === 'AWS::Serverless::Function')!
  const evaluate = evaluator(sam, { BearerToken: BOOT_TOKEN }, { 'AWS::Region': 'us-east-1', 'AWS::Partition': 'aws', 'AWS::AccountId': '123456789012' })
  const templateEnv = evaluate(fn.Properties.Environment.Variables) as Record<string, string>
  t.equal(templateEnv.BEARER_TOKEN, BOOT_TOKEN, 'the template passes the BearerToken parameter on')
  // Lambda itself sets AWS_REGION (a reserved variable the template cannot set); the stand-in gives
  // the credentials of the function's role and the endpoint of Bedrock.
  const env: Record<string, string> = { ...(await imageEnv(t)), ...templateEnv, AWS_REGION: 'us-east-1', ...(await bedrockStandIn(t)) }
  const server = await boot(t, env)

  const health = await server.get(env.AWS_LWA_READINESS_CHECK_PATH!)
  t.equal(health.status, 200, 'the readiness check needs no token')
  t.same(JSON.parse(health.body), { status: 'ok' })
  t.equal((await server.get('/v1/models')).status, 401, 'everything else does')
  t.equal((await server.get('/v1/models', { authorization: `Bearer ${BOOT_TOKEN}` })).status, 200, 'the template token works')
  await checkMessages(t, server, { authorization: `Bearer ${BOOT_TOKEN}` })

  const healthcheck = execForm(FINAL, 'HEALTHCHECK')
  if (healthcheck !== undefined) {
    const probe = spawn(process.execPath, healthcheck.slice(1), { env: { PORT: env.PORT }, stdio: 'ignore' })
    t.equal((await once(probe, 'exit'))[0], 0, 'the image HEALTHCHECK command passes')
  }

  const { code, ms } = await server.stop()
  t.equal(code, 0, `SIGTERM: exit 0 after ${ms} ms`)
  t.match(server.output(), /shutting down/)
})

t.test('boot as on ECS: image ENV + task definition environment and secret; /v1/messages; keep-alive above the ALB', async (t) => {
  const ecs = readTemplate('deploy/ecs-fargate.yaml')
  const [, taskDefinition] = Object.entries(ecs.Resources!).find(([, r]) => r.Type === 'AWS::ECS::TaskDefinition')!
  const evaluate = evaluator(ecs, { BearerTokenSecretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:token-AbCdEf', ImageUri: 'x' }, { 'AWS::Region': 'us-east-1', 'AWS::Partition': 'aws', 'AWS::AccountId': '123456789012', 'AWS::StackName': 'proxy' })
  const container = taskDefinition.Properties.ContainerDefinitions[0]
  const taskEnv = Object.fromEntries((evaluate(container.Environment) as Array<{ Name: string; Value: string }>).map(({ Name, Value }) => [Name, Value]))
  const secrets = Object.fromEntries((evaluate(container.Secrets) as Array<{ Name: string }>).map(({ Name }) => [Name, BOOT_TOKEN]))
  t.same(Object.keys(secrets), ['BEARER_TOKEN'], 'the token comes from the secret')
  // The stand-in gives the credentials of the task role and the endpoint of Bedrock.
  const env: Record<string, string> = { ...(await imageEnv(t)), ...taskEnv, ...secrets, ...(await bedrockStandIn(t)) }
  const server = await boot(t, env)

  const health = await server.get('/health')
  t.equal(health.status, 200)
  const idle = Number(evaluate({ Ref: 'AlbIdleTimeoutSeconds' }))
  const keepAlive = Number(/timeout=(\d+)/.exec(health.headers.get('keep-alive') ?? '')?.[1])
  t.ok(keepAlive > idle, `node keeps idle connections ${keepAlive} s, longer than the ALB's ${idle} s`)
  t.equal((await server.get('/v1/models', { 'x-api-key': BOOT_TOKEN })).status, 200)
  await checkMessages(t, server, { 'x-api-key': BOOT_TOKEN })

  const { code } = await server.stop()
  t.equal(code, 0, 'SIGTERM: exit 0')
})
