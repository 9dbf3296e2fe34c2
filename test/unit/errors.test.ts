import t from 'tap'
import { BEDROCK_ERROR_TABLE } from '../helpers/bedrock-errors.js'
import { fromBedrockError, ProxyError, scrubAwsIdentifiers, toProxyError } from '../../src/errors.js'

function awsError (name: string, message = 'upstream says no'): Error {
  return Object.assign(new Error(message), { name, $fault: 'client', $metadata: { httpStatusCode: 400 } })
}

t.test('every Bedrock exception maps as DESIGN section 5 says', async (t) => {
  const table = [...BEDROCK_ERROR_TABLE, ['ModelStreamErrorException', 500, 'api_error', 'true', undefined]] as const
  for (const [name, status, type, shouldRetry, retryAfter] of table) {
    const mapped = toProxyError(awsError(name))
    t.equal(mapped.statusCode, status, name)
    t.equal(mapped.type, type, name)
    t.equal(mapped.message, 'upstream says no', `${name}: Bedrock's message is passed on`)
    t.equal(mapped.headers()['x-should-retry'], shouldRetry, `${name}: x-should-retry`)
    t.equal(mapped.headers()['retry-after'], retryAfter, `${name}: retry-after`)
  }
})

t.test('failures that are not Bedrock exceptions get a message of ours, mapped by status', async (t) => {
  const unknown = (status: number | undefined, extra: Record<string, unknown> = {}): Error =>
    Object.assign(new Error("Unexpected token '<', \"<html>\" is not valid JSON. Deserialization error: inspect {error}.$response"), { name: 'Error', $fault: 'server', $metadata: { httpStatusCode: status }, ...extra })
  t.match(toProxyError(unknown(502)), { statusCode: 500, type: 'api_error', message: 'Bedrock answered with an unexpected response (HTTP 502).' })
  t.match(toProxyError(unknown(503)), { statusCode: 529, type: 'overloaded_error' })
  t.equal(toProxyError(unknown(503)).headers()['retry-after'], '5')
  t.match(toProxyError(unknown(504)), { statusCode: 504, type: 'timeout_error' })
  t.match(toProxyError(unknown(undefined, { code: 'ECONNRESET' })), { statusCode: 500, type: 'api_error', message: 'Could not reach Bedrock (ECONNRESET).' })
  t.match(toProxyError(awsError('SomethingNewException')), { statusCode: 500, type: 'api_error', message: /unexpected response \(HTTP 400\)/ })
  t.equal(toProxyError(unknown(502)).headers()['x-should-retry'], 'true')
})

t.test('ARNs and account ids do not leak', async (t) => {
  const message = 'User: arn:aws:sts::123456789012:assumed-role/proxy/x is not authorized to perform: bedrock:InvokeModel on resource: arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-opus-4-8 because account 123456789012 said so'
  const scrubbed = fromBedrockError(awsError('AccessDeniedException', message)).message
  t.notMatch(scrubbed, /123456789012|arn:aws/)
  t.match(scrubbed, /is not authorized to perform: bedrock:InvokeModel on resource: \[arn\]/)
  t.equal(scrubAwsIdentifiers('plain message'), 'plain message')
})

t.test('client mistakes reported by Fastify are 4xx; unknown failures a generic 500', async (t) => {
  t.match(toProxyError(Object.assign(new Error('big'), { code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413 })), { statusCode: 413, type: 'request_too_large' })
  t.match(toProxyError(Object.assign(new Error('x'), { code: 'FST_ERR_CTP_INVALID_JSON_BODY', statusCode: 400 })), { statusCode: 400, type: 'invalid_request_error' })
  t.match(toProxyError(Object.assign(new Error('max_tokens: must be integer'), { validation: [] })), { statusCode: 400, message: 'max_tokens: must be integer' })
  t.match(toProxyError(Object.assign(new Error('x'), { code: 'FST_BEARER_AUTH_INVALID_AUTHORIZATION_HEADER', statusCode: 401 })), { statusCode: 401, type: 'authentication_error' })
  const internal = toProxyError(new TypeError('secret internals at /srv/x.js'))
  t.match(internal, { statusCode: 500, type: 'api_error', message: 'Internal server error' })
  const same = new ProxyError(418, 'invalid_request_error', 'x')
  t.equal(toProxyError(same), same)
})

t.test('the body is the Anthropic error shape', async (t) => {
  t.same(new ProxyError(404, 'not_found_error', 'gone').body('req_1'), { type: 'error', error: { type: 'not_found_error', message: 'gone' }, request_id: 'req_1' })
})
