import { loadConfig, type Config } from '../../src/config.js'

export const TOKEN = 'test-token-abcdefghijklmnop'
export const OTHER_TOKEN = 'other-token-qrstuvwxyz012345'

/** A Config as the server would load it from these variables, over sensible test defaults. */
export function testConfig (env: Record<string, string> = {}): Config {
  return loadConfig({
    AWS_REGION: 'us-east-1',
    BEARER_TOKENS: `${TOKEN},${OTHER_TOKEN}`,
    AWS_ENDPOINT_URL_BEDROCK_RUNTIME: 'http://127.0.0.1:9',
    LOG_LEVEL: 'silent',
    MODEL_DISCOVERY: 'false',
    ...env
  })
}
