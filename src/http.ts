import http from 'node:http'
import https from 'node:https'
import type { Duplex } from 'node:stream'
import type { HttpAnswer } from './providers/types.js'

/** Bodies are read up to this size: enough for any error message, bounded against a hostile answer. */
export const MAX_BODY_BYTES = 64 * 1024

export interface HttpRequest {
  method: string
  url: URL
  headers: Record<string, string>
  body?: string
  timeoutMs: number
}

/** A request that got no HTTP answer: it timed out or the connection failed. */
export class TransportError extends Error {
  constructor(
    readonly kind: 'timeout' | 'connection',
    message: string
  ) {
    super(message)
    this.name = 'TransportError'
  }
}

export interface Transport {
  send(request: HttpRequest): Promise<HttpAnswer>
  /** TCP (or TLS) connections opened so far. */
  readonly socketsOpened: number
  close(): void
}

type CreateConnection = (options: object, callback: (error: Error | null, socket: Duplex) => void) => Duplex

/**
 * Node's own HTTP client over keep-alive agents that hold at most maxSockets connections, so sockets are reused
 * across requests. Redirects are never followed (node:http does not), and each attempt, body included, has its
 * own time limit. Per request it does a fraction of the work of a fetch implementation, which is what lets
 * thousands of deletes run at the speed the provider's latency allows.
 */
export function createTransport(options: { maxSockets: number }): Transport {
  const opened = { count: 0 }
  const agentOptions = {
    keepAlive: true,
    maxSockets: options.maxSockets,
    maxFreeSockets: options.maxSockets,
    scheduling: 'lifo' as const
  }
  const httpAgent = counting(new http.Agent(agentOptions), opened)
  const httpsAgent = counting(new https.Agent(agentOptions), opened)
  return {
    send: request => exchange(request, request.url.protocol === 'https:' ? httpsAgent : httpAgent),
    get socketsOpened() {
      return opened.count
    },
    close() {
      httpAgent.destroy()
      httpsAgent.destroy()
    }
  }
}

/** The agent, counting every connection it opens. */
function counting<T extends http.Agent>(agent: T, opened: { count: number }): T {
  const withConnect = agent as unknown as { createConnection: CreateConnection }
  const open = withConnect.createConnection.bind(agent)
  withConnect.createConnection = (connectOptions, callback) => {
    opened.count++
    return open(connectOptions, callback)
  }
  return agent
}

/** One request and its answer, body read up to MAX_BODY_BYTES, within the request's time limit. */
function exchange(request: HttpRequest, agent: http.Agent): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const secure = request.url.protocol === 'https:'
    const headers =
      request.body === undefined
        ? request.headers
        : { ...request.headers, 'Content-Length': String(Buffer.byteLength(request.body)) }
    const req = (secure ? https : http).request(request.url, { method: request.method, headers, agent })
    let done = false
    const finish = (outcome: () => void): void => {
      if (done) return
      done = true
      clearTimeout(timer)
      outcome()
    }
    const fail = (kind: TransportError['kind'], reason: string): void =>
      finish(() => reject(new TransportError(kind, reason)))
    const timer = setTimeout(() => {
      fail('timeout', `no answer within ${formatSeconds(request.timeoutMs)}`)
      req.destroy()
    }, request.timeoutMs)

    req.on('error', error => fail('connection', connectionReason(error)))
    req.on('response', response => readAnswer(response, answer => finish(() => resolve(answer)), fail))
    req.end(request.body)
  })
}

/** Reads an answer's body up to the bound; a body cut short by the connection is a connection error. */
function readAnswer(
  response: http.IncomingMessage,
  done: (answer: HttpAnswer) => void,
  fail: (kind: TransportError['kind'], reason: string) => void
): void {
  const chunks: Buffer[] = []
  let size = 0
  const answer = (): HttpAnswer => ({
    status: response.statusCode ?? 0,
    headers: { get: name => joinHeader(response.headers[name.toLowerCase()]) },
    body: Buffer.concat(chunks).subarray(0, MAX_BODY_BYTES).toString('utf8'),
    truncated: size > MAX_BODY_BYTES || (size === MAX_BODY_BYTES && !response.complete)
  })
  response.on('data', (chunk: Buffer) => {
    chunks.push(chunk)
    size += chunk.length
    if (size >= MAX_BODY_BYTES) {
      // Enough to classify; the rest is dropped with the connection.
      done(answer())
      response.destroy()
    }
  })
  response.on('end', () => done(answer()))
  response.on('error', error => fail('connection', connectionReason(error)))
  response.on('close', () => fail('connection', 'connection error: closed before the answer ended'))
}

function joinHeader(value: string | string[] | undefined): string | null {
  if (value === undefined) return null
  return Array.isArray(value) ? value.join(', ') : value
}

function connectionReason(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code
  if (typeof code === 'string') return `connection error: ${code}`
  return `connection error: ${error instanceof Error ? error.message : String(error)}`
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`
}
