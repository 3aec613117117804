import { classifyByStatus, field, fileUrl, jsonBody, JSON_ACCEPT, retryAfterMs } from './common.js'
import type { Provider } from './types.js'

/** Writer: DELETE /v1/files/{id}, Bearer key; success is 200 {"id","deleted":true}. */
export const writer = {
  name: 'writer',
  defaultBaseUrl: 'https://api.writer.com',
  acceptsCustomerId: false,
  request: (id, { baseUrl, apiKey }) => ({
    method: 'DELETE',
    url: fileUrl(baseUrl, ['v1', 'files'], id),
    headers: { ...JSON_ACCEPT, Authorization: `Bearer ${apiKey}` }
  }),
  derivedSecrets: () => [],
  classify(answer, now) {
    const body = jsonBody(answer)
    return {
      classification: classifyByStatus(answer, body, {
        isDeleted: b => field(b, 'deleted') === true || 'no "deleted": true in the answer',
        waitMs: retryAfterMs(answer, now)
      })
    }
  }
} satisfies Provider<'writer'>
