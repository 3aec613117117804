import http from 'node:http'
import https from 'node:https'
import type { Duplex } from 'node:stream'
import fetch from 'node-fetch'
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
 * node-fetch over keep-alive agents that hold at most maxSockets connections, so sockets are reused across
 * requests; redirects are never followed; each attempt, body included, has its own time limit.
 */
export function createTransport(options: { maxSockets: number }): Transport {
  let socketsOpened = 0
  const agents = [http, https].map(module => {
    const agent = new module.Agent({ keepAlive: true, maxSockets: options.maxSockets, maxFreeSockets: options.maxSockets, scheduling: 'lifo' })
    const agentWithConnect = agent as unknown as { createConnection: CreateConnection }
    const open = agentWithConnect.createConnection.bind(agent)
    agentWithConnect.createConnection = (connectOptions, callback) => {
      socketsOpened++
      return open(connectOptions, callback)
    }
    return agent
  })
  const [httpAgent, httpsAgent] = agents as [http.Agent, https.Agent]

  async function send(request: HttpRequest): Promise<HttpAnswer> {
    const controller = new AbortController()
    const timer = setTimeout(() => controller.abort(), request.timeoutMs)
    try {
      const response = await fetch(request.url.href, {
        method: request.method,
        headers: request.headers,
        ...(request.body !== undefined ? { body: request.body } : {}),
        redirect: 'manual',
        follow: 0,
        compress: true,
        agent: request.url.protocol === 'http:' ? httpAgent : httpsAgent,
        signal: controller.signal
      })
      const body = await readBounded(response.body)
      return { status: response.status, headers: response.headers, body }
    } catch (error) {
      if (controller.signal.aborted) throw new TransportError('timeout', `no answer within ${formatSeconds(request.timeoutMs)}`)
      throw new TransportError('connection', connectionReason(error))
    } finally {
      clearTimeout(timer)
    }
  }

  return {
    send,
    get socketsOpened() {
      return socketsOpened
    },
    close() {
      httpAgent.destroy()
      httpsAgent.destroy()
    }
  }
}

async function readBounded(stream: NodeJS.ReadableStream | null): Promise<string> {
  if (stream === null) return ''
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of stream) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer)
    chunks.push(buffer)
    size += buffer.length
    if (size >= MAX_BODY_BYTES) {
      // Enough to classify; the rest is dropped with the connection.
      ;(stream as unknown as { destroy?: () => void }).destroy?.()
      break
    }
  }
  return Buffer.concat(chunks).subarray(0, MAX_BODY_BYTES).toString('utf8')
}

function connectionReason(error: unknown): string {
  const cause = error as { code?: unknown; erroredSysCall?: unknown; message?: unknown } | undefined
  const code = typeof cause?.code === 'string' && cause.code !== 'FETCH_ERROR' && cause.code !== 'ERR_STREAM_PREMATURE_CLOSE' ? cause.code : undefined
  if (code !== undefined) return `connection error: ${code}`
  const message = typeof cause?.message === 'string' ? cause.message : String(error)
  // node-fetch puts the URL in front; keep only what went wrong.
  const reason = /reason: (.*)$/s.exec(message)?.[1] ?? message
  return `connection error: ${reason}`
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`
}
