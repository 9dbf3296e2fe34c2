/**
 * The Bedrock control-plane calls model discovery makes: every inference
 * profile (paginated) and every Anthropic foundation model of the account.
 * The SDK's control-plane client is loaded on the first listing, after the
 * server is up: start-up does not wait for it.
 */
import type { Config } from '../config.js'
import type { AccountListing, InferenceProfileListing } from '../translate/account.js'

export interface AccountLister {
  list (signal: AbortSignal): Promise<AccountListing>
  close (): void
}

export function accountLister (settings: Config['bedrock']): AccountLister {
  let client: Promise<{ sdk: typeof import('@aws-sdk/client-bedrock'); client: import('@aws-sdk/client-bedrock').BedrockClient }> | undefined
  const connect = async () => {
    const sdk = await import('@aws-sdk/client-bedrock')
    return {
      sdk,
      client: new sdk.BedrockClient({
        region: settings.region,
        endpoint: settings.controlPlaneEndpoint,
        maxAttempts: 3,
        ...(settings.apiKey === undefined
          ? {}
          : { token: { token: settings.apiKey }, authSchemePreference: ['httpBearerAuth'] })
      })
    }
  }
  return {
    async list (signal) {
      client ??= connect()
      const { sdk, client: bedrock } = await client
      const inferenceProfiles: InferenceProfileListing[] = []
      for await (const page of sdk.paginateListInferenceProfiles({ client: bedrock, pageSize: 1000 }, {}, { abortSignal: signal })) {
        inferenceProfiles.push(...(page.inferenceProfileSummaries ?? []))
      }
      const models = await bedrock.send(new sdk.ListFoundationModelsCommand({ byProvider: 'Anthropic' }), { abortSignal: signal })
      return { foundationModels: models.modelSummaries ?? [], inferenceProfiles }
    },
    close () {
      void client?.then(({ client: bedrock }) => bedrock.destroy())
    }
  }
}
