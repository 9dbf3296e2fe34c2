/**
 * template.yaml (AWS SAM, Lambda) and deploy/ecs-fargate.yaml (CloudFormation, ECS/Fargate), read
 * with the `yaml` package and CloudFormation's short-form tags mapped to their long forms. Checks
 * the deployment contract (DESIGN.md section 8) setting by setting, and that every Ref, GetAtt, Sub
 * variable, FindInMap and Condition points at something defined.
 */
import { existsSync, readFileSync } from 'node:fs'
import t, { type Test } from 'tap'
import { INFERENCE_GEOS } from '../../src/config.js'
import { CFN_FUNCTIONS, CFN_TAGS, parseTemplate, ROOT, type Template } from '../helpers/cloudformation.js'


const SAM = parseTemplate(readFileSync(`${ROOT}template.yaml`, 'utf8'))
const ECS = parseTemplate(readFileSync(`${ROOT}deploy/ecs-fargate.yaml`, 'utf8'))

const PSEUDO = new Set(['AWS::AccountId', 'AWS::NotificationARNs', 'AWS::NoValue', 'AWS::Partition', 'AWS::Region', 'AWS::StackId', 'AWS::StackName', 'AWS::URLSuffix'])

/** GetAtt attributes this project uses, per resource type (a typo is a deploy-time failure). */
const ATTRIBUTES: Record<string, string[]> = {
  'AWS::Serverless::Function': ['Arn'],
  'AWS::Lambda::Url': ['FunctionUrl', 'FunctionArn'],
  'AWS::IAM::Role': ['Arn', 'RoleId'],
  'AWS::Logs::LogGroup': ['Arn'],
  'AWS::ElasticLoadBalancingV2::LoadBalancer': ['DNSName', 'LoadBalancerFullName', 'LoadBalancerName', 'CanonicalHostedZoneID', 'LoadBalancerArn'],
  'AWS::ElasticLoadBalancingV2::TargetGroup': ['TargetGroupFullName', 'TargetGroupArn', 'TargetGroupName'],
  'AWS::ECS::Service': ['Name', 'ServiceArn'],
  'AWS::ECS::Cluster': ['Arn'],
  'AWS::EC2::SecurityGroup': ['GroupId']
}

/** Resources the SAM transform generates, which templates may Ref/GetAtt. */
function resourceTypes (template: Template): Map<string, string> {
  const types = new Map<string, string>()
  for (const [id, resource] of Object.entries<any>(template.Resources ?? {})) {
    types.set(id, resource.Type)
    if (resource.Type === 'AWS::Serverless::Function') {
      if (resource.Properties?.FunctionUrlConfig !== undefined) types.set(`${id}Url`, 'AWS::Lambda::Url')
      if (resource.Properties?.Role === undefined) types.set(`${id}Role`, 'AWS::IAM::Role')
    }
  }
  return types
}

/** Every intrinsic call in a subtree, with where it is. */
function * intrinsics (value: any, path = ''): Generator<{ fn: string; arg: any; path: string }> {
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) yield * intrinsics(item, `${path}[${index}]`)
  } else if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value)
    if (keys.length === 1 && (keys[0] === 'Ref' || keys[0] === 'Condition' || keys[0]!.startsWith('Fn::'))) yield { fn: keys[0]!, arg: value[keys[0]!], path }
    for (const [key, item] of Object.entries(value)) yield * intrinsics(item, `${path}.${key}`)
  }
}

function checkReferences (t: Test, template: Template): void {
  const types = resourceTypes(template)
  const parameters = new Set(Object.keys(template.Parameters ?? {}))
  const conditions = new Set(Object.keys(template.Conditions ?? {}))
  const refTargets = (name: string) => parameters.has(name) || types.has(name) || PSEUDO.has(name)
  const problems: string[] = []
  const getAtt = (resource: string, attribute: string, path: string) => {
    const type = types.get(resource)
    if (type === undefined) problems.push(`${path}: GetAtt ${resource} is not a resource`)
    else if (!(ATTRIBUTES[type] ?? []).includes(attribute)) problems.push(`${path}: GetAtt ${resource}.${attribute}: ${type} has no such attribute here`)
  }
  let count = 0
  for (const { fn, arg, path } of intrinsics(template)) {
    count++
    if (fn === 'Ref') {
      if (typeof arg !== 'string' || !refTargets(arg)) problems.push(`${path}: Ref ${String(arg)} is not defined`)
    } else if (fn === 'Fn::GetAtt') {
      getAtt(arg[0], arg[1], path)
    } else if (fn === 'Fn::Sub') {
      const [text, variables] = typeof arg === 'string' ? [arg, {}] : [arg[0] as string, arg[1] ?? {}]
      for (const [, name] of text.matchAll(/\$\{([^}!][^}]*)\}/g)) {
        if (name! in variables) continue
        if (name!.includes('.') && !name!.startsWith('AWS::')) getAtt(name!.slice(0, name!.indexOf('.')), name!.slice(name!.indexOf('.') + 1), path)
        else if (!refTargets(name!)) problems.push(`${path}: \${${name}} is not defined`)
      }
    } else if (fn === 'Fn::If' || fn === 'Condition') {
      const name = fn === 'Fn::If' ? arg[0] : arg
      if (!conditions.has(name)) problems.push(`${path}: condition ${name} is not defined`)
    } else if (fn === 'Fn::FindInMap') {
      if (typeof arg[0] !== 'string' || template.Mappings?.[arg[0]] === undefined) problems.push(`${path}: mapping ${arg[0]} is not defined`)
    }
  }
  for (const section of ['Resources', 'Outputs']) {
    for (const [id, item] of Object.entries<any>(template[section] ?? {})) {
      if (item.Condition !== undefined && !conditions.has(item.Condition)) problems.push(`${section}.${id}: condition ${item.Condition} is not defined`)
      for (const dependency of [item.DependsOn ?? []].flat()) {
        if (!types.has(dependency)) problems.push(`${section}.${id}: DependsOn ${dependency} is not a resource`)
      }
    }
  }
  t.ok(count > 10, `${count} intrinsic calls checked`)
  t.same(problems, [], 'every Ref, GetAtt, Sub variable, FindInMap, Condition and DependsOn resolves')
}

function resourcesOfType (template: Template, type: string): Array<[string, any]> {
  return Object.entries<any>(template.Resources).filter(([, resource]) => resource.Type === type)
}

function only (t: Test, template: Template, type: string): [string, any] {
  const found = resourcesOfType(template, type)
  t.equal(found.length, 1, `one ${type}`)
  return found[0]!
}

/** `!Not [!Equals [!Ref P, '']]`: the parameter was given. */
function isGivenCondition (template: Template, condition: string, parameter: string): boolean {
  const definition = template.Conditions?.[condition]
  const equals = definition?.['Fn::Not']?.[0]?.['Fn::Equals']
  return Array.isArray(equals) && equals.some((v: any) => v?.Ref === parameter) && equals.some((v: any) => v === '')
}

/** Statements of a list of IAM policies, through `Fn::If` branches. */
function statementsOf (value: any): any[] {
  if (value === null || typeof value !== 'object') return []
  if (Array.isArray(value)) return value.flatMap(statementsOf)
  if ('Fn::If' in value) return [value['Fn::If'][1], value['Fn::If'][2]].flatMap(statementsOf)
  if ('Statement' in value) return [value.Statement].flat().flatMap(statementsOf)
  if ('PolicyDocument' in value) return statementsOf(value.PolicyDocument)
  if ('Effect' in value) return [value]
  return []
}

const BEDROCK_ACTIONS = ['bedrock:CountTokens', 'bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream']
const BEDROCK_RESOURCES = [
  { 'Fn::Sub': 'arn:${AWS::Partition}:bedrock:*::foundation-model/anthropic.*' },
  { 'Fn::Sub': 'arn:${AWS::Partition}:bedrock:*:${AWS::AccountId}:inference-profile/*' },
  { 'Fn::Sub': 'arn:${AWS::Partition}:bedrock:*:${AWS::AccountId}:application-inference-profile/*' }
]
const MODEL_SETTINGS = ['BedrockInferenceProfile', 'ModelMap', 'CorsOrigins', 'LogLevel']

const DISCOVERY_ACTIONS = ['bedrock:ListFoundationModels', 'bedrock:ListInferenceProfiles']

/** Two Bedrock statements: invoking on Anthropic models and profiles, and listing them for discovery. */
function checkBedrockStatements (t: Test, statements: any[]): void {
  t.equal(statements.length, 2, 'two Bedrock statements')
  const [invoke, discover] = statements
  t.equal(invoke.Effect, 'Allow')
  t.same([invoke.Action].flat().sort(), BEDROCK_ACTIONS, 'exactly InvokeModel, InvokeModelWithResponseStream, CountTokens')
  t.same([invoke.Resource].flat(), BEDROCK_RESOURCES, 'on Anthropic foundation models and (application) inference profiles only')
  t.equal(discover.Effect, 'Allow')
  t.same([discover.Action].flat().sort(), DISCOVERY_ACTIONS, 'discovery lists models and profiles, nothing more')
  t.equal(discover.Resource, '*', 'list actions have no resource-level permissions')
}

function checkModelParameters (t: Test, template: Template): void {
  const p = template.Parameters
  for (const name of MODEL_SETTINGS) t.ok(p[name], `parameter ${name}`)
  t.same([...p.BedrockInferenceProfile.AllowedValues].sort(), ['', ...INFERENCE_GEOS].sort(), 'profile geographies: the ones src/config.ts accepts, or empty (from the region)')
  t.equal(p.BedrockInferenceProfile.Default, '')
  t.same(p.LogLevel.AllowedValues, ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  t.equal(p.CorsOrigins.Default, '*')
}

// ---- template.yaml --------------------------------------------------------------------------------

t.test('template.yaml: references', async (t) => { checkReferences(t, SAM) })

t.test('template.yaml: SAM, an image function built from the Dockerfile', async (t) => {
  t.equal(SAM.Transform, 'AWS::Serverless-2016-10-31')
  const [, fn] = only(t, SAM, 'AWS::Serverless::Function')
  t.equal(fn.Properties.PackageType, 'Image')
  t.equal(fn.Metadata.DockerContext, '.')
  t.equal(fn.Metadata.Dockerfile, 'Dockerfile')
  t.ok(existsSync(`${ROOT}${fn.Metadata.DockerContext}/${fn.Metadata.Dockerfile}`), 'the Dockerfile exists')
  t.type(fn.Metadata.DockerTag, 'string')
  t.notOk(fn.Properties.VpcConfig, 'no VPC: Function URLs do not stream inside a VPC')
  t.notOk(fn.Properties.Handler ?? fn.Properties.Runtime ?? fn.Properties.CodeUri, 'no zip-package settings')
})

t.test('template.yaml: streaming Function URL, no auth of its own, no CORS of its own', async (t) => {
  const [id, fn] = only(t, SAM, 'AWS::Serverless::Function')
  const url = fn.Properties.FunctionUrlConfig
  t.equal(url.AuthType, 'NONE')
  t.equal(url.InvokeMode, 'RESPONSE_STREAM')
  t.notOk('Cors' in url, 'no Cors on the Function URL (the proxy answers CORS itself)')
  t.same(resourcesOfType(SAM, 'AWS::Lambda::Url').filter(([, r]) => r.Properties?.Cors !== undefined), [], 'nor on any other URL')
  t.equal(fn.Properties.Environment.Variables.AWS_LWA_INVOKE_MODE, 'response_stream')
  t.same(SAM.Outputs.FunctionUrl?.Value, { 'Fn::GetAtt': [`${id}Url`, 'FunctionUrl'] }, 'output: the Function URL')
  t.same(Object.values<any>(SAM.Outputs).filter((o) => o.Value?.['Fn::GetAtt']?.[0] === id && o.Value['Fn::GetAtt'][1] === 'Arn').length, 1, 'output: the function ARN')
})

t.test('template.yaml: Timeout (<= 900), MemorySize and Architectures from parameters', async (t) => {
  const [, fn] = only(t, SAM, 'AWS::Serverless::Function')
  const p = SAM.Parameters
  const timeout = p[fn.Properties.Timeout?.Ref]
  t.ok(timeout, 'Timeout is a parameter')
  t.equal(timeout.Type, 'Number')
  t.equal(timeout.Default, 900)
  t.ok(timeout.MaxValue <= 900, `MaxValue ${timeout.MaxValue} <= 900, Lambda's limit`)
  t.ok(p[fn.Properties.MemorySize?.Ref], 'MemorySize is a parameter')
  const architectures = fn.Properties.Architectures
  t.equal(architectures.length, 1)
  t.same([...p[architectures[0].Ref].AllowedValues].sort(), ['arm64', 'x86_64'])
})

t.test('template.yaml: the token, as a NoEcho parameter or a Secrets Manager secret', async (t) => {
  const [, fn] = only(t, SAM, 'AWS::Serverless::Function')
  const p = SAM.Parameters
  t.equal(p.BearerToken.NoEcho, true, 'BearerToken is NoEcho')
  t.equal(p.BearerToken.Default, '')
  t.equal(p.BearerTokenSecretArn.Default, '')
  const variables = fn.Properties.Environment.Variables
  const [tokenCondition, tokenValue, tokenElse] = variables.BEARER_TOKEN['Fn::If']
  t.ok(isGivenCondition(SAM, tokenCondition, 'BearerToken'), `${tokenCondition}: BearerToken was given`)
  t.same([tokenValue, tokenElse], [{ Ref: 'BearerToken' }, { Ref: 'AWS::NoValue' }])
  const [arnCondition, arnValue, arnElse] = variables.BEARER_TOKEN_SECRET_ARN['Fn::If']
  t.ok(isGivenCondition(SAM, arnCondition, 'BearerTokenSecretArn'), `${arnCondition}: BearerTokenSecretArn was given`)
  t.same([arnValue, arnElse], [{ Ref: 'BearerTokenSecretArn' }, { Ref: 'AWS::NoValue' }])
})

t.test('template.yaml: model settings passed to the proxy', async (t) => {
  const [, fn] = only(t, SAM, 'AWS::Serverless::Function')
  checkModelParameters(t, SAM)
  const variables = fn.Properties.Environment.Variables
  const passes = (variable: string, parameter: string) => JSON.stringify(variables[variable]).includes(JSON.stringify({ Ref: parameter }))
  t.ok(passes('BEDROCK_INFERENCE_PROFILE', 'BedrockInferenceProfile'))
  t.ok(passes('MODEL_MAP', 'ModelMap'))
  t.ok(passes('CORS_ORIGINS', 'CorsOrigins'))
  t.ok(passes('LOG_LEVEL', 'LogLevel'))
  t.notOk('AWS_REGION' in variables, 'AWS_REGION is reserved on Lambda')
})

t.test('template.yaml: IAM is the three Bedrock actions, the two discovery listings, plus GetSecretValue on exactly the given secret', async (t) => {
  const [, fn] = only(t, SAM, 'AWS::Serverless::Function')
  const policies = fn.Properties.Policies
  for (const policy of policies) {
    const inline = (p: any) => p !== null && typeof p === 'object' && 'Statement' in p
    const ok = inline(policy) || (Array.isArray(policy['Fn::If']) && policy['Fn::If'].slice(1).every((b: any) => inline(b) || b?.Ref === 'AWS::NoValue'))
    t.ok(ok, 'inline statements only (no managed policies or SAM policy templates, which grant more)')
  }
  t.notOk(fn.Properties.Role, 'SAM makes the role from these policies')
  const statements = statementsOf(policies)
  t.same([...new Set(statements.flatMap((s) => [s.Action].flat()))].sort(), [...BEDROCK_ACTIONS, ...DISCOVERY_ACTIONS, 'secretsmanager:GetSecretValue'].sort())
  t.ok(statements.every((s) => s.Effect === 'Allow' && !('NotAction' in s) && !('NotResource' in s)))
  checkBedrockStatements(t, statements.filter((s) => [s.Action].flat().some((a: string) => a.startsWith('bedrock:'))))
  const secretPolicy = policies.find((p: any) => p['Fn::If'] !== undefined)
  t.ok(isGivenCondition(SAM, secretPolicy?.['Fn::If'][0], 'BearerTokenSecretArn'), 'GetSecretValue only when an ARN is given')
  const secret = statementsOf(secretPolicy)
  t.same(secret.map((s) => [[s.Action].flat(), s.Resource]), [[['secretsmanager:GetSecretValue'], { Ref: 'BearerTokenSecretArn' }]], 'on exactly that ARN')
})

// ---- deploy/ecs-fargate.yaml ------------------------------------------------------------------------

t.test('ecs-fargate.yaml: references', async (t) => { checkReferences(t, ECS) })

t.test('ecs-fargate.yaml: parameters', async (t) => {
  const p = ECS.Parameters
  t.equal(p.VpcId.Type, 'AWS::EC2::VPC::Id')
  t.equal(p.PublicSubnetIds.Type, 'List<AWS::EC2::Subnet::Id>')
  t.equal(p.TaskSubnetIds.Type, 'List<AWS::EC2::Subnet::Id>')
  for (const name of ['ImageUri', 'Cpu', 'Memory', 'DesiredCount', 'MinCapacity', 'MaxCapacity', 'BearerTokenSecretArn']) t.ok(p[name], name)
  t.equal(p.CertificateArn.Default, '', 'the certificate is optional')
  t.equal(p.AlbIdleTimeoutSeconds.Default, 600)
  t.same([...p.AssignPublicIp.AllowedValues].sort(), ['DISABLED', 'ENABLED'])
  t.equal(p.AllowedCidr.Default, '0.0.0.0/0')
  checkModelParameters(t, ECS)
  for (const name of MODEL_SETTINGS) {
    const { Description: _a, ...ecs } = p[name]
    const { Description: _b, ...sam } = SAM.Parameters[name]
    t.same(ecs, sam, `${name} is the same setting as in template.yaml`)
  }
})

t.test('ecs-fargate.yaml: load balancer, listeners, target group', async (t) => {
  const [lbId, lb] = only(t, ECS, 'AWS::ElasticLoadBalancingV2::LoadBalancer')
  const attributes = Object.fromEntries(lb.Properties.LoadBalancerAttributes.map((a: any) => [a.Key, a.Value]))
  t.same(attributes['idle_timeout.timeout_seconds'], { Ref: 'AlbIdleTimeoutSeconds' }, 'idle timeout from the parameter')
  t.same(lb.Properties.Subnets, { Ref: 'PublicSubnetIds' })

  const [tgId, tg] = only(t, ECS, 'AWS::ElasticLoadBalancingV2::TargetGroup')
  t.equal(tg.Properties.HealthCheckPath, '/health')
  t.equal(String(tg.Properties.Matcher.HttpCode), '200')
  t.equal(tg.Properties.Port, 8080)
  t.equal(tg.Properties.TargetType, 'ip', 'awsvpc tasks register by IP')
  const tgAttributes = Object.fromEntries(tg.Properties.TargetGroupAttributes.map((a: any) => [a.Key, a.Value]))
  const delay = tgAttributes['deregistration_delay.timeout_seconds']
  const delaySeconds = Number(delay?.Ref !== undefined ? ECS.Parameters[delay.Ref].Default : delay)
  t.ok(delaySeconds >= 120, `deregistration delay ${delaySeconds} s leaves time for streams to finish`)

  const listeners = resourcesOfType(ECS, 'AWS::ElasticLoadBalancingV2::Listener').map(([, l]) => l)
  t.ok(listeners.every((l) => l.Properties.LoadBalancerArn?.Ref === lbId))
  const https = listeners.find((l) => l.Properties.Port === 443)
  t.equal(https?.Properties.Protocol, 'HTTPS')
  t.ok(isGivenCondition(ECS, https?.Condition, 'CertificateArn'), 'HTTPS on 443 only with a certificate')
  t.same(https?.Properties.Certificates, [{ CertificateArn: { Ref: 'CertificateArn' } }])
  t.same(https?.Properties.DefaultActions, [{ Type: 'forward', TargetGroupArn: { Ref: tgId } }])
  const http = listeners.find((l) => l.Properties.Port === 80)
  t.equal(http?.Properties.Protocol, 'HTTP')
  t.notOk(http?.Condition, 'HTTP on 80 always (redirects when HTTPS is on)')
  const [cond, withCert, withoutCert] = http?.Properties.DefaultActions['Fn::If'] ?? []
  t.equal(cond, https?.Condition)
  t.equal(withCert?.[0]?.Type, 'redirect')
  t.same(withoutCert, [{ Type: 'forward', TargetGroupArn: { Ref: tgId } }], 'forwards without a certificate')
})

t.test('ecs-fargate.yaml: task definition', async (t) => {
  const [, td] = only(t, ECS, 'AWS::ECS::TaskDefinition')
  t.same(td.Properties.RequiresCompatibilities, ['FARGATE'])
  t.equal(td.Properties.NetworkMode, 'awsvpc')
  t.same(td.Properties.Cpu, { Ref: 'Cpu' })
  t.same(td.Properties.Memory, { Ref: 'Memory' })
  t.equal(td.Properties.ContainerDefinitions.length, 1)
  const container = td.Properties.ContainerDefinitions[0]
  t.same(container.Image, { Ref: 'ImageUri' })
  t.notOk(container.Command ?? container.EntryPoint, 'the image CMD runs unchanged')
  t.same(container.PortMappings.map((m: any) => m.ContainerPort), [8080])
  t.equal(container.LinuxParameters.InitProcessEnabled, true, 'an init process forwards SIGTERM and reaps children')
  t.equal(container.StopTimeout, 120, "StopTimeout 120, Fargate's maximum")
  t.same(container.Secrets, [{ Name: 'BEARER_TOKEN', ValueFrom: { Ref: 'BearerTokenSecretArn' } }], 'the token comes from Secrets Manager')

  const env = Object.fromEntries(container.Environment.filter((e: any) => 'Name' in e).map((e: any) => [e.Name, e.Value]))
  for (const conditional of container.Environment.filter((e: any) => 'Fn::If' in e)) {
    const [, entry] = conditional['Fn::If']
    env[entry.Name] = entry.Value
  }
  t.notOk('BEARER_TOKEN' in env, 'not in plain environment')
  const grace = Number(env.SHUTDOWN_GRACE_MS)
  t.ok(grace > 0 && grace < container.StopTimeout * 1000, `SHUTDOWN_GRACE_MS ${grace} < StopTimeout`)
  const [map, key, field] = env.KEEP_ALIVE_TIMEOUT_MS['Fn::FindInMap']
  t.same(key, { Ref: 'AlbIdleTimeoutSeconds' }, 'KEEP_ALIVE_TIMEOUT_MS follows the ALB idle timeout')
  const idle = ECS.Parameters.AlbIdleTimeoutSeconds
  t.ok(idle.AllowedValues.includes(idle.Default))
  for (const seconds of idle.AllowedValues) {
    const ms = Number(ECS.Mappings[map][String(seconds)]?.[field])
    t.equal(ms, (seconds + 20) * 1000, `ALB idle ${seconds} s -> keep-alive ${ms} ms`)
    t.ok(ms <= 3_600_000, 'within what the proxy accepts')
  }
  for (const [variable, parameter] of [['BEDROCK_INFERENCE_PROFILE', 'BedrockInferenceProfile'], ['MODEL_MAP', 'ModelMap'], ['CORS_ORIGINS', 'CorsOrigins'], ['LOG_LEVEL', 'LogLevel']]) {
    t.same(env[variable!], { Ref: parameter }, `${variable} from ${parameter}`)
  }
  t.ok('AWS_REGION' in env)

  const logs = container.LogConfiguration
  t.equal(logs.LogDriver, 'awslogs')
  const group = ECS.Resources[logs.Options['awslogs-group'].Ref]
  t.equal(group?.Type, 'AWS::Logs::LogGroup')
  t.ok(group?.Properties?.RetentionInDays, 'the log group has a retention')
})

t.test('ecs-fargate.yaml: IAM: execution role pulls, logs, reads the one secret; task role calls Bedrock only', async (t) => {
  const [, td] = only(t, ECS, 'AWS::ECS::TaskDefinition')
  const role = (ref: any) => {
    const resource = ECS.Resources[ref['Fn::GetAtt'][0]]
    t.equal(resource.Type, 'AWS::IAM::Role')
    t.notOk(resource.Properties.ManagedPolicyArns, 'no managed policies')
    t.same(resource.Properties.AssumeRolePolicyDocument.Statement.map((s: any) => s.Principal.Service), ['ecs-tasks.amazonaws.com'])
    return statementsOf(resource.Properties.Policies)
  }
  checkBedrockStatements(t, role(td.Properties.TaskRoleArn))

  const execution = role(td.Properties.ExecutionRoleArn)
  const actions = execution.flatMap((s) => [s.Action].flat())
  t.same(actions.filter((a: string) => !a.startsWith('ecr:') && !a.startsWith('logs:')), ['secretsmanager:GetSecretValue'], 'beyond image pull and logs: GetSecretValue only')
  t.same(execution.filter((s) => [s.Action].flat().includes('secretsmanager:GetSecretValue')).map((s) => s.Resource), [{ Ref: 'BearerTokenSecretArn' }], 'on exactly the token secret')
  t.ok(actions.every((a: string) => !a.includes('*')), 'no wildcard actions')
  t.ok(execution.filter((s) => [s.Action].flat().some((a: string) => a.startsWith('logs:'))).every((s) => s.Resource?.['Fn::GetAtt']?.[1] === 'Arn'), 'logs only to its own log group')
})

t.test('ecs-fargate.yaml: service, circuit breaker, auto scaling', async (t) => {
  const [serviceId, service] = only(t, ECS, 'AWS::ECS::Service')
  const [tgId] = only(t, ECS, 'AWS::ElasticLoadBalancingV2::TargetGroup')
  const p = service.Properties
  t.equal(p.LaunchType, 'FARGATE')
  t.same(p.DeploymentConfiguration.DeploymentCircuitBreaker, { Enable: true, Rollback: true })
  t.same(p.LoadBalancers, [{ ContainerName: 'proxy', ContainerPort: 8080, TargetGroupArn: { Ref: tgId } }])
  t.same(p.NetworkConfiguration.AwsvpcConfiguration.AssignPublicIp, { Ref: 'AssignPublicIp' })
  t.same(p.NetworkConfiguration.AwsvpcConfiguration.Subnets, { Ref: 'TaskSubnetIds' })
  t.same(p.DesiredCount, { Ref: 'DesiredCount' })
  // The service waits for the listener(s) that attach the target group to the load balancer.
  const dependsOn = [service.DependsOn].flat()
  const waitsFor = new Set(dependsOn.flatMap((id: string) => {
    const resource = ECS.Resources[id]
    return resource.Type === 'AWS::ElasticLoadBalancingV2::Listener' ? [id] : [...intrinsics(resource.Metadata)].filter((i) => i.fn === 'Ref').map((i) => i.arg)
  }))
  const listeners = resourcesOfType(ECS, 'AWS::ElasticLoadBalancingV2::Listener').map(([id]) => id)
  t.same([...waitsFor].filter((id) => listeners.includes(id)).sort(), listeners.sort(), 'DependsOn every listener')

  const [targetId, target] = only(t, ECS, 'AWS::ApplicationAutoScaling::ScalableTarget')
  t.equal(target.Properties.ScalableDimension, 'ecs:service:DesiredCount')
  t.match(target.Properties.ResourceId['Fn::Sub'], new RegExp(`^service/\\$\\{\\w+\\}/\\$\\{${serviceId}\\.Name\\}$`))
  t.same(target.Properties.MinCapacity, { Ref: 'MinCapacity' })
  t.same(target.Properties.MaxCapacity, { Ref: 'MaxCapacity' })
  const policies = resourcesOfType(ECS, 'AWS::ApplicationAutoScaling::ScalingPolicy').map(([, r]) => r.Properties)
  t.ok(policies.every((policy) => policy.PolicyType === 'TargetTrackingScaling' && policy.ScalingTargetId?.Ref === targetId))
  const metrics = policies.map((policy) => policy.TargetTrackingScalingPolicyConfiguration.PredefinedMetricSpecification)
  t.same(metrics.map((m) => m.PredefinedMetricType).sort(), ['ALBRequestCountPerTarget', 'ECSServiceAverageCPUUtilization'])
  t.match(metrics.find((m) => m.PredefinedMetricType === 'ALBRequestCountPerTarget').ResourceLabel['Fn::Sub'], /LoadBalancerFullName\}\/\$\{\w+\.TargetGroupFullName\}$/)
})

t.test('ecs-fargate.yaml: security groups: the ALB open on 80/443 to a CIDR, tasks on 8080 from the ALB only', async (t) => {
  const [lbId, lb] = only(t, ECS, 'AWS::ElasticLoadBalancingV2::LoadBalancer')
  const [, service] = only(t, ECS, 'AWS::ECS::Service')
  const albGroups = lb.Properties.SecurityGroups.map((g: any) => g.Ref)
  const taskGroups = service.Properties.NetworkConfiguration.AwsvpcConfiguration.SecurityGroups.map((g: any) => g.Ref)
  t.equal(albGroups.length, 1)
  t.equal(taskGroups.length, 1)
  t.not(albGroups[0], taskGroups[0], `${lbId} and the tasks have different groups`)
  const albIngress = ECS.Resources[albGroups[0]].Properties.SecurityGroupIngress
  t.same(albIngress.map((r: any) => [r.FromPort, r.ToPort, r.CidrIp]).sort(), [[443, 443, { Ref: 'AllowedCidr' }], [80, 80, { Ref: 'AllowedCidr' }]])

  const taskIngress = [
    ...(ECS.Resources[taskGroups[0]].Properties.SecurityGroupIngress ?? []),
    ...resourcesOfType(ECS, 'AWS::EC2::SecurityGroupIngress').filter(([, r]) => r.Properties.GroupId?.Ref === taskGroups[0] || r.Properties.GroupId?.['Fn::GetAtt']?.[0] === taskGroups[0]).map(([, r]) => r.Properties)
  ]
  t.same(taskIngress.map((r: any) => ({ IpProtocol: r.IpProtocol, FromPort: r.FromPort, ToPort: r.ToPort, SourceSecurityGroupId: r.SourceSecurityGroupId, CidrIp: r.CidrIp, CidrIpv6: r.CidrIpv6 })), [
    { IpProtocol: 'tcp', FromPort: 8080, ToPort: 8080, SourceSecurityGroupId: { Ref: albGroups[0] }, CidrIp: undefined, CidrIpv6: undefined }
  ], 'one rule: 8080 from the ALB security group')
})

t.test('ecs-fargate.yaml: outputs the load balancer address', async (t) => {
  const mentions = JSON.stringify(ECS.Outputs)
  const [lbId] = only(t, ECS, 'AWS::ElasticLoadBalancingV2::LoadBalancer')
  t.ok(mentions.includes(JSON.stringify({ 'Fn::GetAtt': [lbId, 'DNSName'] })) || mentions.includes(`\${${lbId}.DNSName}`))
  t.ok(Object.values<any>(ECS.Outputs).some((o) => /https?:\/\/\$\{\w+\.DNSName\}/.test(JSON.stringify(o.Value))), 'and a URL')
})

t.test('the short-form tags parse to long forms (and unknown tags are refused)', async (t) => {
  const parsed = parseTemplate([
    'a: !Ref X', 'b: !Sub "${X}"', 'c: !Sub ["${Y}", {Y: !Ref X}]', 'd: !GetAtt R.Outputs.Name', 'e: !If [C, 1, 2]',
    'f: !Not [!Equals [!Ref X, ""]]', 'g: !And [!Condition C, !Or [!Condition C]]', 'h: !Join ["", [a, b]]',
    'i: !Select [0, !Split [",", !Ref X]]', 'j: !FindInMap [M, K, V]', 'k: !ImportValue E', 'l: !Base64 x',
    'm: !Cidr [!Ref X, 2, 8]', 'n: !GetAZs ""'
  ].join('\n'))
  t.same(parsed, {
    a: { Ref: 'X' },
    b: { 'Fn::Sub': '${X}' },
    c: { 'Fn::Sub': ['${Y}', { Y: { Ref: 'X' } }] },
    d: { 'Fn::GetAtt': ['R', 'Outputs.Name'] },
    e: { 'Fn::If': ['C', 1, 2] },
    f: { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'X' }, ''] }] },
    g: { 'Fn::And': [{ Condition: 'C' }, { 'Fn::Or': [{ Condition: 'C' }] }] },
    h: { 'Fn::Join': ['', ['a', 'b']] },
    i: { 'Fn::Select': [0, { 'Fn::Split': [',', { Ref: 'X' }] }] },
    j: { 'Fn::FindInMap': ['M', 'K', 'V'] },
    k: { 'Fn::ImportValue': 'E' },
    l: { 'Fn::Base64': 'x' },
    m: { 'Fn::Cidr': [{ Ref: 'X' }, 2, 8] },
    n: { 'Fn::GetAZs': '' }
  })
  t.throws(() => parseTemplate('a: !NotAFunction x'), 'an unknown tag is an error')
  const broken = parseTemplate('Parameters: {P: {Type: String}}\nResources:\n  R:\n    Type: AWS::IAM::Role\n    Properties: {A: !Ref Missing, B: !GetAtt R.Nope, C: !If [NoSuchCondition, 1, 2], D: !Sub "${Missing2}"}\n')
  const problems: string[] = []
  const fake = { ok: () => true, same: (found: string[]) => { problems.push(...found); return true } } as unknown as Test
  checkReferences(fake, broken)
  t.equal(problems.length, 4, `the reference check catches ${problems.join('; ')}`)
})
