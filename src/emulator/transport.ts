// Listening: one port that speaks HTTP/1.1 and cleartext HTTP/2 with prior knowledge (what the
// SDK's default NodeHttp2Handler uses on http:// endpoints), or, with TLS, h2 and http/1.1 chosen
// through ALPN. Keeps track of every socket and h2 session so close() can end them all.
import { createServer as createHttpServer } from 'node:http'
import type { RequestListener } from 'node:http'
import { createSecureServer, createServer as createH2Server } from 'node:http2'
import type { Http2Session } from 'node:http2'
import { createServer as createNetServer } from 'node:net'
import type { AddressInfo, Server, Socket } from 'node:net'

const H2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n')

export interface Listener {
  port: number
  close(): Promise<void>
}

export interface ListenOptions {
  port: number
  host: string
  tls?: { key: string | Buffer; cert: string | Buffer }
}

/** Waits for enough bytes to tell an h2 preface from HTTP/1.1, then hands the socket on. */
function sniff(socket: Socket, route: (isH2: boolean) => void): void {
  let seen = Buffer.alloc(0)
  const onData = (chunk: Buffer): void => {
    seen = Buffer.concat([seen, chunk])
    const n = Math.min(seen.length, H2_PREFACE.length)
    const isH2Prefix = seen.subarray(0, n).equals(H2_PREFACE.subarray(0, n))
    if (isH2Prefix && seen.length < H2_PREFACE.length) return
    socket.off('data', onData)
    socket.pause()
    // Put the bytes back so the chosen server parses the connection from its first byte.
    socket.unshift(seen)
    route(isH2Prefix)
  }
  socket.on('data', onData)
}

export async function listen(options: ListenOptions, handler: RequestListener): Promise<Listener> {
  const sockets = new Set<Socket>()
  const sessions = new Set<Http2Session>()
  const track = (socket: Socket): void => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
  }
  const trackSession = (session: Http2Session): void => {
    sessions.add(session)
    session.once('close', () => sessions.delete(session))
  }

  let server: Server
  if (options.tls) {
    const secure = createSecureServer({ ...options.tls, allowHTTP1: true }, handler as never)
    secure.on('connection', track)
    secure.on('session', trackSession)
    server = secure
  } else {
    const http1 = createHttpServer(handler)
    const h2 = createH2Server(handler as never)
    h2.on('session', trackSession)
    server = createNetServer((socket) => {
      track(socket)
      socket.on('error', () => socket.destroy())
      sniff(socket, (isH2) => {
        if (isH2) return void h2.emit('connection', socket)
        http1.emit('connection', socket)
        // The HTTP/1.1 parser reads the socket's handle directly; resuming the JS stream delivers
        // the bytes put back by sniff() through the server's 'data' listener first.
        socket.resume()
      })
    })
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, options.host, () => {
      server.off('error', reject)
      resolve()
    })
  })

  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        for (const session of sessions) session.destroy()
        for (const socket of sockets) socket.destroy()
      }),
  }
}
