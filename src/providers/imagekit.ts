import { classifyByStatus, fileUrl, jsonBody, JSON_ACCEPT, retryAfterMs } from './common.js'
import type { HttpAnswer, Provider, RateWindow } from './types.js'

function header(answer: HttpAnswer, name: string): number | undefined {
  const value = answer.headers.get(name)
  return value !== null && /^\s*\d+\s*$/.test(value) ? Number(value) : undefined
}

/** ImageKit's X-RateLimit-Limit and X-RateLimit-Interval (ms), when both are there. */
function rateWindow(answer: HttpAnswer): RateWindow | undefined {
  const limit = header(answer, 'x-ratelimit-limit')
  const intervalMs = header(answer, 'x-ratelimit-interval')
  return limit !== undefined && limit > 0 && intervalMs !== undefined && intervalMs > 0 ? { limit, intervalMs } : undefined
}

/** ImageKit: DELETE /v1/files/{id}, Basic base64("key:"); success is 204. Its 429 says when to retry in X-RateLimit-Reset (ms). */
export const imagekit: Provider = {
  name: 'imagekit',
  defaultBaseUrl: 'https://api.imagekit.io',
  acceptsCustomerId: false,
  request: (id, { baseUrl, apiKey }) => ({
    method: 'DELETE',
    url: fileUrl(baseUrl, ['v1', 'files'], id),
    headers: { ...JSON_ACCEPT, Authorization: basicAuth(apiKey) }
  }),
  derivedSecrets: apiKey => [basicAuth(apiKey), basicAuth(apiKey).slice('Basic '.length)],
  classify(answer, now) {
    const window = rateWindow(answer)
    const classification = classifyByStatus(answer, jsonBody(answer), {
      waitMs: header(answer, 'x-ratelimit-reset') ?? retryAfterMs(answer, now)
    })
    return window ? { classification, window } : { classification }
  }
}

function basicAuth(apiKey: string): string {
  return `Basic ${Buffer.from(`${apiKey}:`, 'utf8').toString('base64')}`
}
