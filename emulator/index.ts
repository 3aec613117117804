import { createServer, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http'
import { createServer as createTlsServer } from 'node:https'
import type { AddressInfo, Socket } from 'node:net'
import { performance } from 'node:perf_hooks'
import { send, text } from './answers.js'
import type { Emulator, EmulatorOptions, RecordedRequest } from './types.js'
import { createWorld, routeName, targetPath } from './world.js'

export * from './types.js'

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise(resolve => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', () => resolve(Buffer.concat(chunks).toString('utf8')))
  })
}

export async function startEmulator(options: EmulatorOptions): Promise<Emulator> {
  const world = createWorld(options)
  const { files } = world
  const latencyMs = options.latencyMs ?? 0
  const connectLatencyMs = options.connectLatencyMs ?? 0
  const handshakeOwed = new WeakSet<Socket>()
  const requests: RecordedRequest[] = []
  const socketIndex = new WeakMap<Socket, number>()
  const timers = new Set<NodeJS.Timeout>()
  const started = performance.now()
  let socketsOpened = 0
  let tlsFailures = 0

  const elapsed = (): number => performance.now() - started

  // Timers are tracked so close() can drop pending answers instead of keeping the process alive.
  function wait(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve()
    return new Promise(resolve => {
      const timer = setTimeout(() => {
        timers.delete(timer)
        resolve()
      }, ms)
      timers.add(timer)
    })
  }

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = req.url ?? ''
    const record: RecordedRequest = {
      method: req.method ?? '',
      url: target,
      path: targetPath(target),
      headers: { ...req.headers },
      status: 0,
      socket: socketIndex.get(req.socket) ?? 0,
      at: elapsed(),
      route: 'outside'
    }
    requests.push(record)
    const body = await readBody(req)
    const incoming = { method: req.method ?? '', target, headers: req.headers, body }
    const { route, effect, respond } = world.receive(incoming, elapsed())
    record.route = routeName(route)
    if (route.kind === 'file') record.id = route.id
    if (route.kind === 'bulk' && route.ids !== undefined) record.ids = route.ids

    const handshake = handshakeOwed.delete(req.socket) ? connectLatencyMs : 0
    const delay = latencyMs + handshake + (effect?.kind === 'latency' ? effect.ms : 0)
    switch (effect?.kind) {
      case 'hang':
        return
      case 'reset':
        await wait(delay)
        if (!req.socket.destroyed) req.socket.resetAndDestroy()
        return
      case 'lose-answer':
        respond()
        await wait(delay)
        req.socket.destroy()
        return
      case 'latency':
      case 'replace':
      case undefined:
        break
    }
    const answer = respond()
    await wait(delay)
    if (req.socket.destroyed) return
    send(res, answer)
    record.status = answer.status
    record.answeredAt = elapsed()
  }

  const handle: RequestListener = (req, res) => {
    serve(req, res).catch((error: unknown) => {
      if (!res.headersSent && !req.socket.destroyed) send(res, text(500, `emulator error: ${String(error)}`))
    })
  }
  const server = options.tls
    ? createTlsServer({ key: options.tls.key, cert: options.tls.cert }, handle)
    : createServer(handle)
  server.keepAliveTimeout = 5000
  // Requests arrive on the TLS socket once the handshake is done; a handshake that fails opens nothing to serve.
  server.on(options.tls ? 'secureConnection' : 'connection', (socket: Socket) => {
    socketsOpened += 1
    socketIndex.set(socket, socketsOpened)
    if (connectLatencyMs > 0) handshakeOwed.add(socket)
  })
  server.on('tlsClientError', () => void tlsFailures++)
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const { port } = server.address() as AddressInfo

  let closing: Promise<void> | undefined
  function close(): Promise<void> {
    closing ??= new Promise<void>(resolve => {
      timers.forEach(clearTimeout)
      timers.clear()
      server.close(() => resolve())
      server.closeAllConnections()
    })
    return closing
  }

  return {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}${world.prefix}`,
    port,
    provider: options.provider,
    startedAt: started,
    store: files.store,
    deleted: files.deleted,
    requests,
    purges: world.provider.purges ?? [],
    get socketsOpened() {
      return socketsOpened
    },
    get tlsFailures() {
      return tlsFailures
    },
    inject: rule => world.faults.inject(rule),
    clearFaults: () => world.faults.clear(),
    addFiles: records => files.add(records),
    records: () => files.records(),
    close
  }
}
