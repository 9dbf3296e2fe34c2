/**
 * The Bedrock control-plane calls model discovery makes: every inference
 * profile (paginated) and every Anthropic foundation model of the account.
 */
import { BedrockClient, ListFoundationModelsCommand, paginateListInferenceProfiles } from '@aws-sdk/client-bedrock'
import type { Config } from '../config.js'
import type { AccountListing, InferenceProfileListing } from '../translate/account.js'

export type ListAccount = (signal: AbortSignal) => Promise<AccountListing>

export function createControlPlaneClient (settings: Config['bedrock']): BedrockClient {
  return new BedrockClient({
    region: settings.region,
    endpoint: settings.controlPlaneEndpoint,
    maxAttempts: 3,
    ...(settings.apiKey === undefined
      ? {}
      : { token: { token: settings.apiKey }, authSchemePreference: ['httpBearerAuth'] })
  })
}

export function accountLister (client: BedrockClient): ListAccount {
  return async (signal) => {
    const inferenceProfiles: InferenceProfileListing[] = []
    for await (const page of paginateListInferenceProfiles({ client, pageSize: 1000 }, {}, { abortSignal: signal })) {
      inferenceProfiles.push(...(page.inferenceProfileSummaries ?? []))
    }
    const models = await client.send(new ListFoundationModelsCommand({ byProvider: 'Anthropic' }), { abortSignal: signal })
    return { foundationModels: models.modelSummaries ?? [], inferenceProfiles }
  }
}
