// Preloaded into the emulator process by the bench (node --require): TCP_NODELAY on every accepted
// socket. The emulator's TLS server leaves Nagle on for HTTP/1.1 connections, so the first stream
// frame, written right after the flushed headers, waits for the client's delayed ACK (~40 ms on
// Linux) and every time-to-first-event figure, direct or proxied, would be ~44 ms of that stall.
// Bedrock's own TCP behaviour is not ours to model here; we measure what the proxy adds.
const http2 = require('node:http2')
const { syncBuiltinESMExports } = require('node:module')

const createSecureServer = http2.createSecureServer
http2.createSecureServer = function (...args) {
  const server = createSecureServer.apply(this, args)
  server.on('connection', (socket) => socket.setNoDelay(true))
  return server
}
syncBuiltinESMExports()
