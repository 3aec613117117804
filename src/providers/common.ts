import type { Classification, HttpAnswer, ListItem } from './types.js'

/** Statuses worth another attempt; everything else that is not a success is final. */
const RETRYABLE = new Set([408, 412, 429, 500, 502, 503, 504])
/** Statuses that say the attempt may not have reached the provider or did not finish there. */
const UNANSWERED_FLOOR = 500

export const USER_AGENT = 'file-purge'
/** The transport's read bound, in KiB, as error messages name it. */
const MAX_BODY_KIB = 64

/**
 * Builds a provider URL: the base URL's origin and path prefix, the fixed path steps, then the ID as exactly
 * one percent-encoded segment. Throws if the parsed URL is anything else, so a path trick can never reach
 * another resource.
 */
export function fileUrl(baseUrl: URL, steps: readonly string[], id: string, trailingSlash = false): URL {
  const prefix = routePath(baseUrl, steps)
  const segment = encodeURIComponent(id)
  const expected = `${prefix}/${segment}${trailingSlash ? '/' : ''}`
  const url = new URL(expected, baseUrl.origin)
  if (url.origin !== baseUrl.origin || url.pathname !== expected || url.search !== '' || url.hash !== '') {
    throw new Error(`refusing to build a request URL for ID ${JSON.stringify(id)}: it does not map to one path segment`)
  }
  return url
}

function routePath(baseUrl: URL, steps: readonly string[]): string {
  return `${baseUrl.pathname.replace(/\/+$/, '')}/${steps.join('/')}`
}

/** A fixed route under the base URL's origin and path prefix. */
export function routeUrl(baseUrl: URL, steps: readonly string[]): URL {
  return new URL(routePath(baseUrl, steps), baseUrl.origin)
}

/** Parses a body as JSON, or undefined when it is not JSON. */
export function jsonBody(answer: HttpAnswer): unknown {
  const text = answer.body.trim()
  if (!text.startsWith('{') && !text.startsWith('[')) return undefined
  try {
    return JSON.parse(text) as unknown
  } catch {
    return undefined
  }
}

export function field(body: unknown, name: string): unknown {
  return typeof body === 'object' && body !== null && !Array.isArray(body)
    ? (body as Record<string, unknown>)[name]
    : undefined
}

function trimmed(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined
}

/** The human message of an error body in any of the documented shapes. */
export function errorMessage(body: unknown): string | undefined {
  const errors = field(body, 'errors')
  if (Array.isArray(errors)) {
    const descriptions = errors
      .map(item => trimmed(field(item, 'description')) ?? trimmed(field(item, 'message')))
      .filter(Boolean)
    if (descriptions.length > 0) return descriptions.join('; ')
  }
  const detail = field(body, 'detail')
  if (Array.isArray(detail)) {
    const messages = detail.map(item => trimmed(field(item, 'msg'))).filter(Boolean)
    if (messages.length > 0) return messages.join('; ')
  }
  return (
    trimmed(field(body, 'message')) ??
    trimmed(detail) ??
    trimmed(field(body, 'error')) ??
    trimmed(field(body, 'tpe')) ??
    trimmed(field(body, 'error_code'))
  )
}

/** "HTTP 423: File is locked", or what can be said of a body that is not JSON. */
export function describe(answer: HttpAnswer, body: unknown): string {
  const message = errorMessage(body)
  if (message !== undefined) return `HTTP ${answer.status}: ${message}`
  const raw = answer.body.trim()
  if (raw === '') return `HTTP ${answer.status}`
  if (/^<(!doctype|html|\?xml)/i.test(raw) || /<html[\s>]/i.test(raw.slice(0, 2000)))
    return `HTTP ${answer.status}: HTML page instead of an API answer`
  if (body === undefined) return `HTTP ${answer.status}: ${raw}`
  return `HTTP ${answer.status}: unexpected answer`
}

/** Milliseconds the provider asks us to wait, from `retry-after-ms` or `Retry-After` (seconds or a date). */
export function retryAfterMs(answer: HttpAnswer, now: number): number | undefined {
  const ms = answer.headers.get('retry-after-ms')
  if (ms !== null && /^\s*\d+(\.\d+)?\s*$/.test(ms)) return Math.ceil(Number(ms))
  const after = answer.headers.get('retry-after')
  if (after === null) return undefined
  if (/^\s*\d+(\.\d+)?\s*$/.test(after)) return Math.ceil(Number(after) * 1000)
  const date = Date.parse(after)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

/** Whether a 2xx answer confirms the deletion: true, or what it lacks (only documented answers confirm: docs/providers.md). */
export type Confirmation = (answer: HttpAnswer, body: unknown) => true | string

/** A deletion is confirmed by this status alone, as ImageKit's and AnyFormat's 204 (docs/providers.md). */
export function onlyStatus(expected: number): Confirmation {
  return answer => answer.status === expected || `only ${expected} confirms a deletion`
}

/** A value from an answer, quoted and cut for a reason. */
export function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value)
  return text.length > 60 ? `${text.slice(0, 60)}…` : text
}

/**
 * The shared reading of an answer by its status, for every provider: a 2xx is a deletion only when `confirms` says
 * so (any other 2xx fails, never retried), 3xx refused, 401 credentials rejected (and 403 where `forbiddenRejects`:
 * the provider documents its 403 as a refusal of the key), 404/410 missing, the retryable set or `"retryable": true`
 * retried, the rest failed.
 */
export function classifyByStatus(
  answer: HttpAnswer,
  body: unknown,
  options: { confirms: Confirmation; waitMs?: number | undefined; forbiddenRejects?: boolean }
): Classification {
  const { status } = answer
  if (status >= 200 && status < 300) return classify2xx(answer, body, options.confirms)
  if (status >= 300 && status < 400) {
    const location = answer.headers.get('location')
    return {
      kind: 'failed',
      reason: `unexpected redirect (HTTP ${status}${location ? ` to ${location}` : ''}); redirects are not followed`
    }
  }
  if (status === 401 || (status === 403 && options.forbiddenRejects === true))
    return { kind: 'credentials-rejected', reason: describe(answer, body) }
  if (status === 404 || status === 410) return { kind: 'missing', reason: describe(answer, body) }
  if (RETRYABLE.has(status) || (field(body, 'retryable') === true && ![400, 403, 409, 422, 423].includes(status))) {
    return {
      kind: 'retry',
      reason: describe(answer, body),
      rateLimited: status === 429,
      unanswered: status >= UNANSWERED_FLOOR,
      ...(options.waitMs !== undefined ? { waitMs: options.waitMs } : {})
    }
  }
  return { kind: 'failed', reason: describe(answer, body) }
}

/** A 2xx: deleted only when the whole answer is the documented confirmation; anything else fails, not retried. */
function classify2xx(answer: HttpAnswer, body: unknown, confirms: Confirmation): Classification {
  const { status } = answer
  // Only a whole answer can confirm a deletion: a cut one might have said "success": false further on.
  if (answer.truncated)
    return { kind: 'failed', reason: `HTTP ${status}: answer larger than ${MAX_BODY_KIB} KiB; deletion not confirmed` }
  // An answer that says success:false or deleted:false is never a deletion, whatever the status.
  if (field(body, 'success') === false || field(body, 'deleted') === false) {
    return { kind: 'failed', reason: `${describe(answer, body)} (answered ${status} but did not delete)` }
  }
  const verdict = confirms(answer, body)
  if (verdict === true) return { kind: 'deleted' }
  const said = describe(answer, body)
    .replace(/^HTTP \d+(: )?/, '')
    .replace(/^unexpected answer$/, '')
  return {
    kind: 'failed',
    reason: `unexpected answer (HTTP ${status})${said === '' ? '' : `: ${said}`}; ${verdict}; deletion not confirmed`
  }
}

export const JSON_ACCEPT = { Accept: 'application/json', 'User-Agent': USER_AGENT }

/** Headers for a key sent as `Authorization: Bearer <key>`. */
export function bearer(apiKey: string): Record<string, string> {
  return { ...JSON_ACCEPT, Authorization: `Bearer ${apiKey}` }
}

/** `Basic base64("<key>:")`: a key with an empty password, as ImageKit takes its private key. */
export function basicAuth(apiKey: string): string {
  return `Basic ${Buffer.from(`${apiKey}:`, 'utf8').toString('base64')}`
}

/** Headers for a key sent as Basic credentials with an empty password (`basicAuth`). */
export function basic(apiKey: string): Record<string, string> {
  return { ...JSON_ACCEPT, Authorization: basicAuth(apiKey) }
}

/** Headers for a key sent as the whole Authorization value, as Delos takes it. */
export function bareKey(apiKey: string): Record<string, string> {
  return { ...JSON_ACCEPT, Authorization: apiKey }
}

/** A route's URL with these query parameters; empty values are left out. */
export function listUrl(baseUrl: URL, steps: readonly string[], query: Record<string, string | undefined>): URL {
  const url = routeUrl(baseUrl, steps)
  for (const [name, value] of Object.entries(query))
    if (value !== undefined && value !== '') url.searchParams.set(name, value)
  return url
}

/** A string field, or null when it is missing, null or not a string. */
export function text(body: unknown, name: string): string | null {
  const value = field(body, name)
  return typeof value === 'string' ? value : null
}

/** A field that is an array of strings, or null. */
export function strings(body: unknown, name: string): string[] | null {
  const value = field(body, name)
  return Array.isArray(value) && value.every(item => typeof item === 'string') ? value : null
}

/** Reads every item of a page with `read`; a page with an item it cannot read is refused whole. */
export function readItems<T>(values: readonly unknown[], read: (value: unknown) => T | undefined): T[] | undefined {
  const items: T[] = []
  for (const value of values) {
    const item = read(value)
    if (item === undefined) return undefined
    items.push(item)
  }
  return items
}

/** The ID of a listed item: a non-empty string, or undefined. */
export function itemId(value: unknown, name: string): string | undefined {
  const id = field(value, name)
  return typeof id === 'string' && id !== '' ? id : undefined
}

/**
 * A listed file that has `id`, `name`, `created_at` and `status` fields (Writer's and AnyFormat's listings), with no
 * path, tags or lock; undefined when it has no ID.
 */
export function namedFileItem(value: unknown): ListItem | undefined {
  const id = itemId(value, 'id')
  if (id === undefined) return undefined
  return {
    id,
    name: text(value, 'name'),
    createdAt: text(value, 'created_at'),
    status: text(value, 'status'),
    path: null,
    tags: null,
    kind: 'file',
    locked: false
  }
}
