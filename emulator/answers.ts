import type { ServerResponse } from 'node:http'

export interface Answer {
  status: number
  headers: Record<string, string>
  body: string
}

export function json(status: number, value: unknown, headers: Record<string, string> = {}): Answer {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(value) }
}

export function text(status: number, body: string, contentType = 'text/plain; charset=utf-8'): Answer {
  return { status, headers: { 'content-type': contentType }, body }
}

export function empty(status: number, headers: Record<string, string> = {}): Answer {
  return { status, headers, body: '' }
}

/** What a server answers for a path it has no route for. */
export function noRoute(): Answer {
  return text(404, 'Not Found')
}

export function send(res: ServerResponse, answer: Answer): void {
  const bodyless = answer.status === 204 || answer.status === 304
  const headers = bodyless
    ? answer.headers
    : { ...answer.headers, 'content-length': String(Buffer.byteLength(answer.body)) }
  res.writeHead(answer.status, headers)
  res.end(bodyless ? undefined : answer.body)
}
