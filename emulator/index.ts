import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { performance } from 'node:perf_hooks'
import { noRoute, send, text, type Answer } from './answers.js'
import { effectOf, FaultBook, type FaultEffect } from './faults.js'
import { Files } from './files.js'
import { createProvider, type ApiRequest, type Route } from './providers/index.js'
import { FixedWindow, type RateHint } from './rate-window.js'
import type { Emulator, EmulatorOptions, RecordedRequest } from './types.js'

export * from './types.js'

/** Hints a rate-limit fault gives when no rateLimit option sets a window. */
const DEFAULT_RATE_HINT: RateHint = { limit: 100, intervalMs: 1000, resetMs: 1000 }

function normalizePrefix(prefix: string | undefined): string {
  const trimmed = (prefix ?? '').replace(/\/+$/, '')
  return trimmed === '' || trimmed.startsWith('/') ? trimmed : `/${trimmed}`
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise(resolve => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', () => resolve(Buffer.concat(chunks).toString('utf8')))
  })
}

function splitTarget(target: string): { fullPath: string; rawQuery: string } {
  const queryAt = target.indexOf('?')
  return queryAt < 0
    ? { fullPath: target, rawQuery: '' }
    : { fullPath: target.slice(0, queryAt), rawQuery: target.slice(queryAt + 1) }
}

/** The request relative to the mount point; undefined when it is not under the pathPrefix. */
function apiRequestOf(req: IncomingMessage, body: string, prefix: string): ApiRequest | undefined {
  const { fullPath, rawQuery } = splitTarget(req.url ?? '')
  if (!fullPath.startsWith(`${prefix}/`)) return undefined
  return {
    method: req.method ?? '',
    path: fullPath.slice(prefix.length),
    fullPath,
    query: new URLSearchParams(rawQuery),
    rawQuery,
    headers: req.headers,
    body
  }
}

function idsOf(route: Route): string[] {
  if (route.kind === 'file') return [route.id]
  if (route.kind === 'bulk') return route.ids ?? []
  return []
}

export async function startEmulator(options: EmulatorOptions): Promise<Emulator> {
  const prefix = normalizePrefix(options.pathPrefix)
  const delosExtras =
    options.provider === 'delos' ? [...(options.lockedIds ?? []), ...(options.forbiddenIds ?? [])] : []
  const files = new Files([...(options.files ?? []), ...delosExtras])
  const provider = createProvider(options.provider, { options, files })
  const faults = new FaultBook()
  const rateWindow = options.rateLimit === undefined ? undefined : new FixedWindow(options.rateLimit)
  const latencyMs = options.latencyMs ?? 0
  const connectLatencyMs = options.connectLatencyMs ?? 0
  const handshakeOwed = new WeakSet<Socket>()
  const requests: RecordedRequest[] = []
  const socketIndex = new WeakMap<Socket, number>()
  const timers = new Set<NodeJS.Timeout>()
  const started = performance.now()
  let socketsOpened = 0

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

  function respond(route: Route, request: ApiRequest | undefined): Answer {
    return route.kind === 'outside' || request === undefined ? noRoute() : provider.answer(route, request)
  }

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = req.url ?? ''
    const record: RecordedRequest = {
      method: req.method ?? '',
      url: target,
      path: splitTarget(target).fullPath,
      headers: { ...req.headers },
      status: 0,
      socket: socketIndex.get(req.socket) ?? 0,
      at: elapsed()
    }
    requests.push(record)
    const body = await readBody(req)
    const request = apiRequestOf(req, body, prefix)
    const route: Route = request === undefined ? { kind: 'outside' } : provider.route(request)
    if (route.kind === 'file') record.id = route.id
    if (route.kind === 'bulk' && route.ids !== undefined) record.ids = route.ids

    const fault = faults.take(idsOf(route))
    const overLimit = rateWindow?.hit(elapsed())
    const rateHint = (): RateHint => rateWindow?.hint(elapsed()) ?? DEFAULT_RATE_HINT
    const effect: FaultEffect | undefined = fault && effectOf(fault, { provider, url: target, rateHint })

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
        respond(route, request)
        await wait(delay)
        req.socket.destroy()
        return
      case 'latency':
      case 'replace':
      case undefined:
        break
    }
    const answer =
      effect?.kind === 'replace'
        ? effect.answer
        : overLimit !== undefined
          ? provider.rateLimited(overLimit)
          : respond(route, request)
    await wait(delay)
    if (req.socket.destroyed) return
    send(res, answer)
    record.status = answer.status
  }

  const server = createServer((req, res) => {
    serve(req, res).catch((error: unknown) => {
      if (!res.headersSent && !req.socket.destroyed) send(res, text(500, `emulator error: ${String(error)}`))
    })
  })
  server.keepAliveTimeout = 5000
  server.on('connection', (socket: Socket) => {
    socketsOpened += 1
    socketIndex.set(socket, socketsOpened)
    if (connectLatencyMs > 0) handshakeOwed.add(socket)
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
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
    url: `http://127.0.0.1:${port}${prefix}`,
    provider: options.provider,
    store: files.store,
    deleted: files.deleted,
    requests,
    get socketsOpened() {
      return socketsOpened
    },
    inject: rule => faults.inject(rule),
    clearFaults: () => faults.clear(),
    close
  }
}
