import {
  basic,
  basicAuth,
  classifyByStatus,
  describe,
  field,
  fileUrl,
  jsonBody,
  JSON_ACCEPT,
  onlyStatus,
  retryAfterMs,
  routeUrl
} from './common.js'
import { imagekitCdn } from './imagekit-cdn.js'
import { imagekitList } from './imagekit-list.js'
import type { BulkClassification, BulkDelete, Classification, HttpAnswer, Provider, RateWindow } from './types.js'

function header(answer: HttpAnswer, name: string): number | undefined {
  const value = answer.headers.get(name)
  return value !== null && /^\s*\d+\s*$/.test(value) ? Number(value) : undefined
}

/** A request spaced further apart than this is no pace but a broken or hostile header: ignored. */
const MAX_SPACING_MS = 60_000

/** ImageKit's X-RateLimit-Limit and X-RateLimit-Interval (ms), when both are there and make sense. */
function rateWindow(answer: HttpAnswer): RateWindow | undefined {
  const limit = header(answer, 'x-ratelimit-limit')
  const intervalMs = header(answer, 'x-ratelimit-interval')
  if (limit === undefined || limit <= 0 || intervalMs === undefined || intervalMs <= 0) return undefined
  return intervalMs / limit <= MAX_SPACING_MS ? { limit, intervalMs } : undefined
}

/** Only 204 confirms a delete; ImageKit's 403 refuses the key or the account (docs/providers.md, ImageKit "errors"). */
function classifyAnswer(answer: HttpAnswer, now: number): Classification {
  return classifyByStatus(answer, jsonBody(answer), {
    confirms: onlyStatus(204),
    waitMs: header(answer, 'x-ratelimit-reset') ?? retryAfterMs(answer, now),
    forbiddenRejects: true
  })
}

function strings(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.every(item => typeof item === 'string') ? value : undefined
}

function withWindow<T>(answer: HttpAnswer, classification: T): { classification: T; window?: RateWindow } {
  const window = rateWindow(answer)
  return window ? { classification, window } : { classification }
}

/**
 * The IDs a 207 says it did not delete, each with its error (docs/providers.md, ImageKit "bulk delete 207"); only IDs
 * asked for and not also listed as deleted count. Undefined when `errors` is not a list of {fileId, error}.
 */
function refusedIds(
  body: unknown,
  asked: ReadonlySet<string>,
  deleted: ReadonlySet<string>
): Array<{ id: string; reason: string }> | undefined {
  const errors = field(body, 'errors')
  if (errors === undefined) return []
  if (!Array.isArray(errors)) return undefined
  const refused = new Map<string, string>()
  for (const entry of errors) {
    const id = field(entry, 'fileId')
    const error = field(entry, 'error')
    if (typeof id !== 'string' || typeof error !== 'string') return undefined
    if (asked.has(id) && !deleted.has(id) && !refused.has(id)) refused.set(id, error)
  }
  return [...refused].map(([id, reason]) => ({ id, reason: `HTTP 207: ${reason}` }))
}

/**
 * POST /v1/files/batch/deleteByFileIds: up to 100 IDs; 200 lists what it deleted; 207 lists what it deleted and the
 * IDs it did not, with an error each; a 404 lists missingFileIds and deletes nothing, so those are set aside and the
 * rest sent again (docs/providers.md, ImageKit "bulk delete").
 */
const bulk: BulkDelete = {
  maxIds: 100,
  request: (ids, { baseUrl, apiKey }) => ({
    method: 'POST',
    url: routeUrl(baseUrl, ['v1', 'files', 'batch', 'deleteByFileIds']),
    headers: { ...JSON_ACCEPT, 'Content-Type': 'application/json', Authorization: basicAuth(apiKey) },
    body: JSON.stringify({ fileIds: ids })
  }),
  classify(answer, ids, now) {
    const body = jsonBody(answer)
    const asked = new Set(ids)
    const listed = (name: string): string[] | undefined => strings(field(body, name))?.filter(id => asked.has(id))
    let classification: BulkClassification
    // A cut answer or one saying "success": false confirms nothing, whatever it lists.
    const trusted = !answer.truncated && field(body, 'success') !== false
    const lists = (answer.status === 200 || answer.status === 207) && trusted
    const deleted = lists ? listed('successfullyDeletedFileIds') : undefined
    const refused = deleted && answer.status === 207 ? refusedIds(body, asked, new Set(deleted)) : []
    const missing = answer.status === 404 ? listed('missingFileIds') : undefined
    if (deleted !== undefined && refused !== undefined) {
      const confirmed = new Set(deleted)
      const settled = new Set([...confirmed, ...refused.map(entry => entry.id)])
      classification = {
        kind: 'deleted',
        deleted: [...confirmed],
        refused,
        unconfirmed: ids.filter(id => !settled.has(id))
      }
    } else if (missing !== undefined && missing.length > 0) {
      classification = { kind: 'missing', missing: [...new Set(missing)], reason: describe(answer, body) }
    } else {
      const single = classifyAnswer(answer, now)
      const unanswered = answer.status >= 500 || (answer.status >= 200 && answer.status < 300)
      classification =
        single.kind === 'retry' || single.kind === 'credentials-rejected'
          ? single
          : { kind: 'fallback', reason: describe(answer, body), unanswered }
    }
    return withWindow(answer, classification)
  }
}

/** ImageKit: DELETE /v1/files/{id}, Basic base64("key:"); success is 204. Its 429 says when to retry in X-RateLimit-Reset (ms). */
export const imagekit = {
  name: 'imagekit',
  defaultBaseUrl: 'https://api.imagekit.io',
  acceptsCustomerId: false,
  request: (id, { baseUrl, apiKey }) => ({
    method: 'DELETE',
    url: fileUrl(baseUrl, ['v1', 'files'], id),
    headers: basic(apiKey)
  }),
  derivedSecrets: apiKey => [basicAuth(apiKey), basicAuth(apiKey).slice('Basic '.length)],
  list: imagekitList,
  classify: (answer, now) => withWindow(answer, classifyAnswer(answer, now)),
  bulk,
  cdn: imagekitCdn
} satisfies Provider<'imagekit'>
