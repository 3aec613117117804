import { bearer, classifyByStatus, field, fileUrl, jsonBody, retryAfterMs } from './common.js'
import { writerList } from './writer-list.js'
import type { Provider } from './types.js'

/** Writer: DELETE /v1/files/{id}, Bearer key; success is 200 {"id","deleted":true}. */
export const writer = {
  name: 'writer',
  defaultBaseUrl: 'https://api.writer.com',
  acceptsCustomerId: false,
  request: (id, { baseUrl, apiKey }) => ({
    method: 'DELETE',
    url: fileUrl(baseUrl, ['v1', 'files'], id),
    headers: bearer(apiKey)
  }),
  derivedSecrets: () => [],
  list: writerList,
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
