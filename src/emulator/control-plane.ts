// The Bedrock control plane calls the proxy's model discovery makes: ListFoundationModels and
// ListInferenceProfiles (REST JSON, as the AWS SDK's @aws-sdk/client-bedrock speaks them), answered
// from the emulated account, with Bedrock's pagination and filters.
import { BedrockError } from './errors.js'
import type { Account } from './models.js'

const REGION = 'us-east-1'
const ACCOUNT_ID = '123456789012'
const GEO_LABEL: Record<string, string> = { global: 'Global', us: 'US', eu: 'EU', apac: 'APAC', jp: 'JP', au: 'AU' }
/** When system-defined profiles appeared; a fixed date keeps replies deterministic. */
const CREATED_AT = '2025-01-01T00:00:00Z'

export interface Listing {
  status: number
  body: string
}

export function listFoundationModels(account: Account, query: URLSearchParams): Listing {
  const provider = query.get('byProvider')
  const inferenceType = query.get('byInferenceType')
  const summaries = account.models
    .filter(() => provider === null || provider.toLowerCase() === 'anthropic')
    .map((m) => ({
      modelArn: `arn:aws:bedrock:${REGION}::foundation-model/${m.baseId}`,
      modelId: m.baseId,
      modelName: m.name,
      providerName: 'Anthropic',
      inputModalities: ['TEXT', 'IMAGE'],
      outputModalities: ['TEXT'],
      responseStreamingSupported: true,
      customizationsSupported: [],
      inferenceTypesSupported: m.onDemand ? ['ON_DEMAND', 'INFERENCE_PROFILE'] : ['INFERENCE_PROFILE'],
      modelLifecycle: { status: 'ACTIVE' },
    }))
    .filter((s) => inferenceType === null || s.inferenceTypesSupported.includes(inferenceType))
  return { status: 200, body: JSON.stringify({ modelSummaries: summaries }) }
}

function allProfiles(account: Account): Array<Record<string, unknown>> {
  const foundation = (baseId: string): Array<{ modelArn: string }> => [{ modelArn: `arn:aws:bedrock:${REGION}::foundation-model/${baseId}` }]
  const system = account.models.flatMap((m) => m.profiles.map((geo) => ({
    inferenceProfileName: `${GEO_LABEL[geo] ?? geo} Anthropic ${m.name}`,
    description: `Routes requests to Anthropic ${m.name} in ${GEO_LABEL[geo] ?? geo} regions.`,
    createdAt: CREATED_AT,
    updatedAt: CREATED_AT,
    inferenceProfileArn: `arn:aws:bedrock:${REGION}:${ACCOUNT_ID}:inference-profile/${geo}.${m.baseId}`,
    models: foundation(m.baseId),
    inferenceProfileId: `${geo}.${m.baseId}`,
    status: 'ACTIVE',
    type: 'SYSTEM_DEFINED',
  })))
  const application = (account.applicationProfiles ?? []).map((p) => ({
    inferenceProfileName: p.name,
    createdAt: CREATED_AT,
    updatedAt: CREATED_AT,
    inferenceProfileArn: `arn:aws:bedrock:${REGION}:${ACCOUNT_ID}:application-inference-profile/${p.id}`,
    models: foundation(p.baseId),
    inferenceProfileId: p.id,
    status: 'ACTIVE',
    type: 'APPLICATION',
  }))
  return [...system, ...application]
}

/** Pages of `maxResults` (1-1000, default 1000), continued by an opaque `nextToken`. */
export function listInferenceProfiles(account: Account, query: URLSearchParams): Listing {
  const type = query.get('type')
  const maxResults = query.get('maxResults') === null ? 1000 : Number(query.get('maxResults'))
  if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > 1000) {
    throw new BedrockError('ValidationException', '1 validation error detected: Value at \'maxResults\' failed to satisfy constraint: Member must have value between 1 and 1000')
  }
  const token = query.get('nextToken')
  const decoded = token === null ? '0' : Buffer.from(token, 'base64url').toString('utf8')
  if (!/^\d+$/.test(decoded)) throw new BedrockError('ValidationException', 'The provided nextToken is invalid.')
  const start = Number(decoded)
  const matching = allProfiles(account).filter((p) => type === null || p.type === type)
  const page = matching.slice(start, start + maxResults)
  const next = start + maxResults < matching.length ? Buffer.from(String(start + maxResults)).toString('base64url') : undefined
  return { status: 200, body: JSON.stringify({ inferenceProfileSummaries: page, ...(next === undefined ? {} : { nextToken: next }) }) }
}
