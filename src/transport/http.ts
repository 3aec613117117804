import type { EventEmitter } from 'node:events'
import http from 'node:http'
import https from 'node:https'
import type { Duplex } from 'node:stream'
import { onAbort } from './abort.js'
import type { HttpAnswer } from '../providers/types.js'
import type { ProxySetting } from './proxy.js'
import { TransportError } from './errors.js'
import { errorMessage } from '../text.js'

export { TransportError } from './errors.js'

/** Bodies are read up to this size: enough for any error message, bounded against a hostile answer. */
export const MAX_BODY_BYTES = 64 * 1024

export interface HttpRequest {
  method: string
  url: URL
  headers: Record<string, string>
  body?: string
  timeoutMs: number
  /** Aborts the request: it fails as cancelled, whether or not the provider got it. */
  signal?: AbortSignal
  /** The body is read up to this many bytes (default MAX_BODY_BYTES): a page of a listing needs more. */
  maxBodyBytes?: number
}

export interface Transport {
  send(request: HttpRequest): Promise<HttpAnswer>
  /** TCP (or TLS) connections opened so far, tunnels through a proxy included. */
  readonly socketsOpened: number
  close(): void
}

export interface TransportOptions {
  maxSockets: number
  /** Every request goes through this proxy: https targets (and http ones) by CONNECT tunnels, kept alive. */
  proxy?: ProxySetting | undefined
}

type CreateConnection = (options: object, callback: (error: Error | null, socket: Duplex) => void) => Duplex

/**
 * Node's own HTTP client over keep-alive agents that hold at most maxSockets connections (or, through a proxy,
 * maxSockets tunnels), so sockets are reused across requests. Redirects are never followed (node:http does not),
 * and each attempt, body included, has its own time limit. Per request it does a fraction of the work of a fetch
 * implementation, which is what lets thousands of deletes run at the speed the provider's latency allows. The
 * tunnelling agent is loaded only for a run that goes through a proxy.
 */
export async function createTransport(options: TransportOptions): Promise<Transport> {
  const opened = { count: 0 }
  const agentOptions = {
    keepAlive: true,
    maxSockets: options.maxSockets,
    maxFreeSockets: options.maxSockets,
    scheduling: 'lifo' as const
  }
  const { proxy } = options
  // One tunnelling agent serves both schemes: it upgrades a tunnel to TLS for https targets.
  // Credentials go in a header the agent sends as given, never in the URL it keeps (and may print when debugging).
  const proxyHeaders = proxy?.authorization ? { 'Proxy-Authorization': proxy.authorization } : {}
  const tunnel = proxy
    ? counting(
        new (await import('https-proxy-agent')).HttpsProxyAgent(proxy.url, { ...agentOptions, headers: proxyHeaders }),
        opened
      )
    : undefined
  const httpAgent = tunnel ?? counting(new http.Agent(agentOptions), opened)
  const httpsAgent = tunnel ?? counting(new https.Agent(agentOptions), opened)
  return {
    send: request => exchange(request, request.url.protocol === 'https:' ? httpsAgent : httpAgent, proxy),
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

/** The tunnel's answer to CONNECT, as the proxying agent reports it. */
interface ProxyConnect {
  statusCode: number
  statusText: string
}

/** One request and its answer, body read up to MAX_BODY_BYTES, within the request's time limit. */
function exchange(request: HttpRequest, agent: http.Agent, proxy: ProxySetting | undefined): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const secure = request.url.protocol === 'https:'
    const headers =
      request.body === undefined
        ? request.headers
        : { ...request.headers, 'Content-Length': String(Buffer.byteLength(request.body)) }
    const req = (secure ? https : http).request(request.url, { method: request.method, headers, agent })
    let done = false
    let unsubscribe: (() => void) | undefined
    const finish = (outcome: () => void): void => {
      if (done) return
      done = true
      clearTimeout(timer)
      unsubscribe?.()
      outcome()
    }
    const fail = (error: TransportError): void => finish(() => reject(error))
    const timer = setTimeout(() => {
      fail(new TransportError('timeout', `no answer within ${formatSeconds(request.timeoutMs)}`))
      req.destroy()
    }, request.timeoutMs)
    const cancel = (): void => {
      fail(new TransportError('cancelled', 'cancelled while waiting for the answer'))
      req.destroy()
    }
    if (request.signal?.aborted) return cancel()
    if (request.signal) unsubscribe = onAbort(request.signal, cancel)

    // A proxy that refuses the tunnel answers CONNECT itself; that answer is never the provider's.
    ;(req as EventEmitter).on('proxyConnect', (connect: ProxyConnect) => {
      if (connect.statusCode !== 200 && proxy) fail(proxyRefusal(proxy, connect))
    })
    req.on('error', error => fail(transportError(error, proxy)))
    const bound = request.maxBodyBytes ?? MAX_BODY_BYTES
    req.on('response', response => readAnswer(response, bound, answer => finish(() => resolve(answer)), fail))
    req.end(request.body)
  })
}

/** Reads an answer's body up to the bound; a body cut short by the connection is a connection error. */
function readAnswer(
  response: http.IncomingMessage,
  bound: number,
  done: (answer: HttpAnswer) => void,
  fail: (error: TransportError) => void
): void {
  const chunks: Buffer[] = []
  let size = 0
  const answer = (): HttpAnswer => ({
    status: response.statusCode ?? 0,
    headers: { get: name => joinHeader(response.headers[name.toLowerCase()]) },
    body: Buffer.concat(chunks).subarray(0, bound).toString('utf8'),
    truncated: size > bound || (size === bound && !response.complete)
  })
  response.on('data', (chunk: Buffer) => {
    chunks.push(chunk)
    size += chunk.length
    if (size >= bound) {
      // Enough to classify; the rest is dropped with the connection.
      done(answer())
      response.destroy()
    }
  })
  response.on('end', () => done(answer()))
  response.on('error', error => fail(transportError(error, undefined)))
  response.on('close', () => fail(new TransportError('connection', 'connection error: closed before the answer ended')))
}

/** A 4xx to CONNECT (407 authentication, 403 forbidden) will not change; a 5xx may be the proxy's own trouble. */
function proxyRefusal(proxy: ProxySetting, connect: ProxyConnect): TransportError {
  const status = `HTTP ${connect.statusCode}${connect.statusText ? ` ${connect.statusText}` : ''}`
  const hint = connect.statusCode === 407 ? ': check the credentials in the proxy URL' : ''
  return new TransportError(
    'proxy',
    `proxy ${proxy.host} refused the tunnel (${status})${hint}`,
    connect.statusCode >= 400 && connect.statusCode < 500
  )
}

/** What OpenSSL and Node call the certificate problems a user can fix by trusting a CA or fixing the host name. */
const UNTRUSTED = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE'
])

/** A transport error with a reason a user can act on; TLS problems are fatal, they will not fix themselves. */
function transportError(error: unknown, proxy: ProxySetting | undefined): TransportError {
  const code = (error as { code?: unknown } | undefined)?.code
  const via = proxy ? ` (through proxy ${proxy.host})` : ''
  if (typeof code === 'string' && UNTRUSTED.has(code)) {
    return tlsError(
      `the server's certificate is not signed by a trusted CA (${code})${via}; trust its CA with NODE_EXTRA_CA_CERTS`
    )
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    const detail =
      error instanceof Error
        ? `: ${error.message.replace(/^Hostname\/IP does not match certificate's altnames: /, '')}`
        : ''
    return tlsError(`the server's certificate is for another host name (${code})${detail}`)
  }
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') {
    return tlsError(
      `the server's certificate ${code === 'CERT_HAS_EXPIRED' ? 'has expired' : 'is not yet valid'} (${code})`
    )
  }
  if (typeof code === 'string' && /^(ERR_SSL_|ERR_TLS_|CERT_)/.test(code)) {
    return new TransportError('tls', `TLS failed (${code})${via}`, true)
  }
  const what = typeof code === 'string' ? code : errorMessage(error)
  return new TransportError('connection', `connection error: ${what}${via}`)
}

function tlsError(problem: string): TransportError {
  return new TransportError('tls', `TLS certificate problem: ${problem}`, true)
}

function joinHeader(value: string | string[] | undefined): string | null {
  if (value === undefined) return null
  return Array.isArray(value) ? value.join(', ') : value
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`
}
