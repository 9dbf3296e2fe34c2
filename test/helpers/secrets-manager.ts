/**
 * A small Secrets Manager stand-in speaking its real protocol (AWS JSON 1.1:
 * `POST /` with `x-amz-target: secretsmanager.GetSecretValue`), so the real
 * @aws-sdk/client-secrets-manager runs against it through
 * AWS_ENDPOINT_URL_SECRETS_MANAGER.
 */
import { randomUUID } from 'node:crypto'
import { once } from 'node:events'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'

export interface SecretsManagerStandIn {
  readonly url: string
  /** Sets (or rotates) a secret's value: a new version. */
  put (arn: string, value: string): void
  /** Makes every call fail with this status and a non-JSON body, until cleared with undefined. */
  failWith (status: number | undefined): void
  calls (): number
  close (): Promise<void>
}

export async function startSecretsManager (): Promise<SecretsManagerStandIn> {
  const secrets = new Map<string, { value: string; version: string }>()
  let failure: number | undefined
  let calls = 0

  const reply = (res: ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': randomUUID() })
    res.end(JSON.stringify(body))
  }

  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    calls++
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    if (failure !== undefined) {
      res.writeHead(failure, { 'content-type': 'text/html' })
      return res.end('<html>unavailable</html>')
    }
    if (!/^AWS4-HMAC-SHA256 Credential=\w+\/\d{8}\/[a-z0-9-]+\/secretsmanager\/aws4_request/.test(req.headers.authorization ?? '')) {
      return reply(res, 400, { __type: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' })
    }
    if (req.method !== 'POST' || req.headers['x-amz-target'] !== 'secretsmanager.GetSecretValue') {
      return reply(res, 400, { __type: 'UnknownOperationException', message: 'Unknown operation' })
    }
    const { SecretId: id } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { SecretId?: string }
    const secret = id === undefined ? undefined : secrets.get(id)
    if (secret === undefined) return reply(res, 400, { __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." })
    reply(res, 200, { ARN: id, Name: id!.split(':').pop(), VersionId: secret.version, SecretString: secret.value, VersionStages: ['AWSCURRENT'], CreatedDate: Date.now() / 1000 })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as { port: number }
  return {
    url: `http://127.0.0.1:${port}`,
    put: (arn, value) => { secrets.set(arn, { value, version: randomUUID() }) },
    failWith: (status) => { failure = status },
    calls: () => calls,
    close: async () => {
      server.closeAllConnections()
      server.close()
      await once(server, 'close')
    }
  }
}
