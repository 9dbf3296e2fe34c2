/**
 * Authorization for the direct path: SigV4 with the SDK's own signer and
 * credential chain, or a Bedrock API key as `Authorization: Bearer`, exactly as
 * the SDK sends each.
 */
import { createHash, createHmac } from 'node:crypto'
import { SignatureV4 } from '@smithy/signature-v4'

/** The SDK's Credentials. */
export interface Credentials {
  readonly accessKeyId: string
  readonly secretAccessKey: string
  readonly sessionToken?: string
  readonly expiration?: Date
}
export type CredentialProvider = () => Promise<Credentials>
type SourceData = string | ArrayBuffer | ArrayBufferView

/** The signer's hash, on node:crypto (HMAC when given a secret). */
class NodeSha256 {
  readonly #secret: SourceData | undefined
  #hash: ReturnType<typeof createHash> | ReturnType<typeof createHmac>

  constructor (secret?: SourceData) {
    this.#secret = secret
    this.#hash = this.#fresh()
  }

  #fresh (): ReturnType<typeof createHash> | ReturnType<typeof createHmac> {
    if (this.#secret === undefined) return createHash('sha256')
    return createHmac('sha256', toBuffer(this.#secret))
  }

  update (data: Uint8Array | string): void {
    this.#hash.update(toBuffer(data))
  }

  async digest (): Promise<Uint8Array> {
    return this.#hash.digest()
  }

  reset (): void {
    this.#hash = this.#fresh()
  }
}

function toBuffer (data: SourceData): Buffer | string {
  if (typeof data === 'string') return data
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength)
  return Buffer.from(data)
}

/** Refresh this long before `expiration`, as the SDK's memoized default provider does. */
const REFRESH_BEFORE_MS = 5 * 60_000

/**
 * The standard Node credential chain, loaded on first use: it pulls in SSO, STS and the
 * instance-metadata clients, which start-up (and /health) need not wait for.
 */
const nodeCredentialChain: CredentialProvider = async () => {
  const { defaultProvider } = await import('@aws-sdk/credential-provider-node')
  return await defaultProvider()()
}

/**
 * The standard Node credential chain (environment, SSO, ini profiles, web
 * identity, ECS, EC2 metadata), resolved once and kept until shortly before
 * it expires; concurrent callers share one refresh.
 */
export function cachedCredentials (provider: CredentialProvider = nodeCredentialChain): CredentialProvider {
  let current: Credentials | undefined
  let pending: Promise<Credentials> | undefined
  const fresh = (credentials: Credentials): boolean =>
    credentials.expiration === undefined || credentials.expiration.getTime() - Date.now() > REFRESH_BEFORE_MS
  return async () => {
    if (current !== undefined && fresh(current)) return current
    pending ??= (async () => {
      try {
        current = await provider()
        return current
      } finally {
        pending = undefined
      }
    })()
    return pending
  }
}

export interface SignableRequest {
  readonly hostname: string
  readonly port: number | undefined
  readonly protocol: string
  readonly path: string
  /** Lower-case names; `host` and `content-length` included. */
  readonly headers: Record<string, string>
  readonly body: Uint8Array
}

/** Adds the authorization headers to `request.headers` (in place) and returns them. */
export type Authorizer = (request: SignableRequest) => Promise<Record<string, string>>

export function bearerAuthorizer (apiKey: string): Authorizer {
  const value = `Bearer ${apiKey}`
  return async (request) => {
    request.headers.authorization = value
    return request.headers
  }
}

export function sigV4Authorizer (region: string, credentials: CredentialProvider): Authorizer {
  const signer = new SignatureV4({ credentials, region, service: 'bedrock', sha256: NodeSha256, uriEscapePath: true, applyChecksum: true })
  return async (request) => {
    const signed = await signer.sign({
      method: 'POST',
      protocol: request.protocol,
      hostname: request.hostname,
      port: request.port,
      path: request.path,
      query: {},
      headers: request.headers,
      body: request.body
    })
    return signed.headers
  }
}
