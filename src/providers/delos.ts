import { bareKey, classifyByStatus, field, fileUrl, jsonBody, retryAfterMs } from './common.js'
import { delosList } from './delos-list.js'
import type { Classification, Provider } from './types.js'

/** Delos documents its error messages but not their HTTP statuses, so the message decides first. */
const MESSAGES: ReadonlyArray<[RegExp, (message: string) => Classification]> = [
  [/file not found/i, message => ({ kind: 'missing', reason: message })],
  [/^unauthori[sz]ed\b/i, message => ({ kind: 'credentials-rejected', reason: message })],
  [/locked/i, message => ({ kind: 'failed', reason: `locked: ${message}` })],
  [/access denied/i, message => ({ kind: 'failed', reason: `forbidden: ${message}` })],
  [/does not belong to specified customer/i, message => ({ kind: 'failed', reason: `customer mismatch: ${message}` })]
]

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
    // Redirects are refused whatever their body says; a cut body cannot confirm anything.
    if ((answer.status >= 300 && answer.status < 400) || answer.truncated)
      return { classification: classifyByStatus(answer, body) }
    const success = field(body, 'success')
    if (success === true) return { classification: { kind: 'deleted' } }
    const message = field(body, 'message')
    if (success === false && typeof message === 'string') {
      const known = MESSAGES.find(([pattern]) => pattern.test(message))
      if (known) return { classification: known[1](`HTTP ${answer.status}: ${message}`) }
    }
    return {
      classification: classifyByStatus(answer, body, {
        isDeleted: () => 'no "success": true in the answer',
        waitMs: retryAfterMs(answer, now)
      })
    }
  }
} satisfies Provider<'delos'>
