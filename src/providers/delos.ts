import { bareKey, classifyByStatus, field, fileUrl, jsonBody, retryAfterMs, type Confirmation } from './common.js'
import { delosList } from './delos-list.js'
import type { Classification, HttpAnswer, Provider } from './types.js'

/** Delos documents its error messages but not their HTTP statuses, so the message decides first. */
const MESSAGES: ReadonlyArray<[RegExp, (message: string) => Classification]> = [
  [/file not found/i, message => ({ kind: 'missing', reason: message })],
  [/^unauthori[sz]ed\b/i, message => ({ kind: 'credentials-rejected', reason: message })],
  [/locked/i, message => ({ kind: 'failed', reason: `locked: ${message}` })],
  [/access denied/i, message => ({ kind: 'failed', reason: `forbidden: ${message}` })],
  [/does not belong to specified customer/i, message => ({ kind: 'failed', reason: `customer mismatch: ${message}` })]
]

/** A 2xx with "success": true confirms (docs/providers.md, Delos "delete"). */
const successTrue: Confirmation = (_answer, body) => field(body, 'success') === true || 'no "success": true'

/**
 * "success": true confirms a 2xx only. With another status the answer contradicts itself: a 5xx is worth another
 * attempt (it may not have finished), anything else fails.
 */
function successAnswer(answer: HttpAnswer, byStatus: () => Classification): Classification {
  const { status } = answer
  if (status >= 200 && status < 300) return { kind: 'deleted' }
  const reason = `contradictory answer (HTTP ${status} with "success": true)`
  if (status >= 500) return { kind: 'retry', reason, rateLimited: false, unanswered: true }
  const said = byStatus()
  return said.kind === 'credentials-rejected' ? said : { kind: 'failed', reason }
}

/** Delos: DELETE /v2/storage/file/{id}[?customerId=], key as the whole Authorization value, Accept: application/json. */
export const delos = {
  name: 'delos',
  defaultBaseUrl: 'https://stagep.tst-apidmndelss.com',
  acceptsCustomerId: true,
  request(id, { baseUrl, apiKey, customerId }) {
    const url = fileUrl(baseUrl, ['v2', 'storage', 'file'], id)
    if (customerId !== '') url.searchParams.set('customerId', customerId)
    return { method: 'DELETE', url, headers: bareKey(apiKey) }
  },
  derivedSecrets: () => [],
  list: delosList,
  classify(answer, now) {
    const body = jsonBody(answer)
    const waitMs = retryAfterMs(answer, now)
    const byStatus = (): Classification => classifyByStatus(answer, body, { confirms: successTrue, waitMs })
    // Redirects are refused whatever their body says; a cut body cannot confirm anything.
    if ((answer.status >= 300 && answer.status < 400) || answer.truncated) return { classification: byStatus() }
    const success = field(body, 'success')
    if (success === true) return { classification: successAnswer(answer, byStatus) }
    const message = field(body, 'message')
    if (success === false && typeof message === 'string') {
      const known = MESSAGES.find(([pattern]) => pattern.test(message))
      if (known) return { classification: known[1](`HTTP ${answer.status}: ${message}`) }
    }
    return { classification: byStatus() }
  }
} satisfies Provider<'delos'>
