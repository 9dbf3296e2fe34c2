// The Authorization check: SigV4 (verified fully when the emulator knows the credentials, otherwise
// only its shape), or a Bedrock API key sent as `Bearer <key>`.
import { BedrockError, INVALID_SIGNATURE, INVALID_TOKEN } from './errors.js'
import type { ParsedAuthorization, SignedRequest } from './sigv4.js'
import { expectedSignature, signaturesMatch } from './sigv4.js'

export interface AuthOptions {
  credentials?: { accessKeyId: string; secretAccessKey: string }
  apiKey?: string
}

const SIGV4 =
  /^AWS4-HMAC-SHA256 Credential=([A-Za-z0-9]+)\/(\d{8})\/([a-z0-9-]+)\/bedrock\/aws4_request, ?SignedHeaders=([a-z0-9;:-]+), ?Signature=([0-9a-f]{64})$/
const BEARER = /^Bearer (\S+)$/

export function parseSigV4(header: string): ParsedAuthorization | undefined {
  const m = SIGV4.exec(header)
  if (!m) return undefined
  const [, accessKeyId = '', date = '', region = '', signed = '', signature = ''] = m
  return { accessKeyId, date, region, signedHeaders: signed.split(';'), signature }
}

/** Returns the error to answer with, or undefined when the request is authorised. */
export function checkAuth(request: SignedRequest, options: AuthOptions): BedrockError | undefined {
  const header = request.headers.authorization
  const invalidToken = new BedrockError('UnrecognizedClientException', INVALID_TOKEN)
  if (typeof header !== 'string') return invalidToken

  const bearer = BEARER.exec(header)
  if (bearer) return options.apiKey === undefined || bearer[1] === options.apiKey ? undefined : invalidToken

  const auth = parseSigV4(header)
  const amzDate = request.headers['x-amz-date']
  if (!auth || typeof amzDate !== 'string' || !amzDate.startsWith(auth.date)) return invalidToken
  // Over HTTP/2 the SDK signs `:authority` instead of `host`, so only x-amz-date is required here.
  if (!auth.signedHeaders.includes('x-amz-date')) return invalidToken
  if (!options.credentials) return undefined
  if (auth.accessKeyId !== options.credentials.accessKeyId) return invalidToken
  const expected = expectedSignature(request, auth, options.credentials.secretAccessKey)
  return signaturesMatch(expected, auth.signature)
    ? undefined
    : new BedrockError('InvalidSignatureException', INVALID_SIGNATURE)
}
