import type { HttpAnswer } from '../../src/providers/types.js'

/** An HTTP answer as the transport hands it to a provider. */
export function answer(status: number, body: unknown = '', headers: Record<string, string> = {}): HttpAnswer {
  const lower = new Map(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]))
  return {
    status,
    headers: { get: name => lower.get(name.toLowerCase()) ?? null },
    body: typeof body === 'string' ? body : JSON.stringify(body)
  }
}
