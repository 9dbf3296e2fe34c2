// The baseline: a raw byte-pipe reverse proxy with no parsing. POST /v1/messages bytes go to the
// emulator's InvokeModel path over an undici keep-alive pool (TLS), and the answer's bytes come back.
// It translates only the path and a fixed set of headers; it signs nothing (the emulator accepts any
// `Bearer` value when started without an API key). This is the floor a proxy in Node can reach.
//
// Env: BASELINE_PORT, BASELINE_UPSTREAM (https://127.0.0.1:PORT), BASELINE_MODEL_ID,
// BASELINE_CONNECTIONS (pool size), NODE_EXTRA_CA_CERTS (trusts the emulator's certificate).
import http from 'node:http'
import { Pool } from 'undici'

const port = Number(process.env.BASELINE_PORT)
const upstream = process.env.BASELINE_UPSTREAM
const modelId = process.env.BASELINE_MODEL_ID
const pool = new Pool(upstream, {
  connections: Number(process.env.BASELINE_CONNECTIONS ?? 128),
  pipelining: 1,
  keepAliveTimeout: 60_000
})
const invokePath = `/model/${encodeURIComponent(modelId)}/invoke`
const streamPath = `/model/${encodeURIComponent(modelId)}/invoke-with-response-stream`

const server = http.createServer((req, res) => {
  if (req.url === '/health') return res.end('ok')
  const path = req.url.includes('stream=1') ? streamPath : invokePath
  const headers = {
    'content-type': 'application/json',
    accept: 'application/json',
    authorization: 'Bearer x'
  }
  if (req.headers['content-length'] !== undefined) headers['content-length'] = req.headers['content-length']
  pool.stream({ path, method: 'POST', headers, body: req }, ({ statusCode, headers: upstreamHeaders }) => {
    const type = upstreamHeaders['content-type']
    res.writeHead(statusCode, type === undefined ? {} : { 'content-type': type })
    return res
  }, (error) => {
    if (error) {
      if (!res.headersSent) res.writeHead(502).end(String(error))
      else res.destroy()
    }
  })
})
server.keepAliveTimeout = 60_000
server.listen(port, '127.0.0.1')

process.once('SIGTERM', () => {
  server.close()
  server.closeAllConnections()
  pool.destroy().finally(() => process.exit(0))
})
