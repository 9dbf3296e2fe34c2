// AWS Signature Version 4 verification with node:crypto, following the same canonicalisation as
// the SDK's signer (@smithy/signature-v4) for a non-S3 service: the path is URI-escaped a second
// time, headers are lower-cased, trimmed and whitespace-collapsed, the payload hash is the body's.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto'

export interface SignedRequest {
  method: string
  /** The path and query exactly as received. */
  url: string
  headers: Record<string, string | string[] | undefined>
  body: Buffer
}
export interface ParsedAuthorization {
  accessKeyId: string
  date: string
  region: string
  signedHeaders: string[]
  signature: string
}

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex')
const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data).digest()

/** encodeURIComponent plus the characters RFC 3986 reserves that it leaves alone. */
function escapeUri(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
}

function canonicalPath(path: string): string {
  const segments: string[] = []
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue
    if (segment === '..') segments.pop()
    else segments.push(segment)
  }
  const normalized = `${path.startsWith('/') ? '/' : ''}${segments.join('/')}${segments.length > 0 && path.endsWith('/') ? '/' : ''}`
  return escapeUri(normalized).replace(/%2F/g, '/')
}

function canonicalQuery(query: string): string {
  if (!query) return ''
  return query
    .split('&')
    .filter(Boolean)
    .map((pair) => {
      const [k = '', v = ''] = pair.split('=')
      return [escapeUri(decodeURIComponent(k)), escapeUri(decodeURIComponent(v))] as const
    })
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&')
}

function headerValue(headers: SignedRequest['headers'], name: string): string {
  // HTTP/2 carries the host as :authority; the signer saw it as `host`.
  const raw = headers[name] ?? (name === 'host' ? headers[':authority'] : undefined)
  const value = Array.isArray(raw) ? raw.join(',') : (raw ?? '')
  return value.trim().replace(/\s+/g, ' ')
}

/** The signature the request should carry, given the secret and the parsed Authorization header. */
export function expectedSignature(request: SignedRequest, auth: ParsedAuthorization, secretAccessKey: string): string {
  const [path = '', query = ''] = request.url.split('?', 2)
  const amzDate = headerValue(request.headers, 'x-amz-date')
  const payloadHash = headerValue(request.headers, 'x-amz-content-sha256') || sha256(request.body)
  const canonicalRequest = [
    request.method.toUpperCase(),
    canonicalPath(path),
    canonicalQuery(query),
    auth.signedHeaders.map((name) => `${name}:${headerValue(request.headers, name)}\n`).join(''),
    auth.signedHeaders.join(';'),
    payloadHash,
  ].join('\n')
  const scope = `${auth.date}/${auth.region}/bedrock/aws4_request`
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonicalRequest)].join('\n')
  let key: Buffer = hmac(`AWS4${secretAccessKey}`, auth.date)
  for (const part of [auth.region, 'bedrock', 'aws4_request']) key = hmac(key, part)
  return createHmac('sha256', key).update(stringToSign).digest('hex')
}

export function signaturesMatch(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8')
  const right = Buffer.from(b, 'utf8')
  return left.length === right.length && timingSafeEqual(left, right)
}
