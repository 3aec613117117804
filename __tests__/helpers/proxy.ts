/**
 * A real forwarding proxy for tests (the `proxy` package: CONNECT tunnels and plain HTTP), on 127.0.0.1, that
 * resolves host names only it knows (api.writer.test → an emulator), logs every CONNECT it is asked for and every
 * byte a client sends it, may demand credentials, and may refuse every tunnel with a status of its choosing.
 */
import http from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { createProxy } from 'proxy'
import { afterThisTest } from './common.js'

export interface TestProxyOptions {
  /** host name → host:port the proxy connects to instead (the names only this proxy can resolve). */
  hosts?: Record<string, string>
  /** Basic credentials the proxy demands (407 without them). */
  credentials?: { user: string; password: string }
  /** Answer every CONNECT with this status instead of a tunnel. */
  refuseWith?: number
}

export interface SeenConnect {
  /** host:port as the client asked for it. */
  target: string
  proxyAuthorization: string | undefined
}

export interface TestProxy {
  /** http://127.0.0.1:<port> */
  url: string
  port: number
  /** Every CONNECT asked for, in order (each is a tunnel, whether granted or not). */
  connects: SeenConnect[]
  /** Tunnels the proxy opened to a target. */
  readonly tunnels: number
  /** Everything clients sent the proxy, tunnel contents included, as text. */
  seen(): string
}

export async function startProxy(options: TestProxyOptions = {}): Promise<TestProxy> {
  const server = createProxy(http.createServer())
  const connects: SeenConnect[] = []
  const chunks: Buffer[] = []
  let tunnels = 0
  const expected = options.credentials
    ? `Basic ${Buffer.from(`${options.credentials.user}:${options.credentials.password}`).toString('base64')}`
    : undefined
  if (expected !== undefined) server.authenticate = req => req.headers['proxy-authorization'] === expected
  const sockets = new Set<Socket>()
  server.on('connection', (socket: Socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('data', (chunk: Buffer) => chunks.push(chunk))
  })

  // Ahead of the proxy's own CONNECT handler: log, refuse, or point the target at the host it stands for.
  const [tunnel] = server.listeners('connect') as Array<
    (req: http.IncomingMessage, socket: Socket, head: Buffer) => void
  >
  server.removeAllListeners('connect')
  server.on('connect', (req: http.IncomingMessage, socket: Socket, head: Buffer) => {
    const target = req.url ?? ''
    connects.push({ target, proxyAuthorization: req.headers['proxy-authorization'] })
    if (options.refuseWith !== undefined) {
      socket.end(
        `HTTP/1.1 ${options.refuseWith} ${http.STATUS_CODES[options.refuseWith] ?? 'Refused'}\r\nContent-Length: 0\r\n\r\n`
      )
      return
    }
    const host = target.slice(0, target.lastIndexOf(':'))
    const mapped = options.hosts?.[host]
    if (mapped !== undefined) req.url = mapped
    if (expected === undefined || req.headers['proxy-authorization'] === expected) tunnels++
    tunnel?.call(server, req, socket, head)
  })

  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  afterThisTest(async () => {
    // Tunnels are detached from the HTTP server: their sockets are closed here, one by one.
    for (const socket of sockets) socket.destroy()
    await new Promise(resolve => server.close(resolve))
  })
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    connects,
    get tunnels() {
      return tunnels
    },
    seen: () => Buffer.concat(chunks).toString('latin1')
  }
}
