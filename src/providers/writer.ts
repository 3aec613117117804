import { bearer, classifyByStatus, field, fileUrl, jsonBody, retryAfterMs, shown } from './common.js'
import { writerList } from './writer-list.js'
import type { HttpAnswer, Provider } from './types.js'

/** Only 200 {"id": <the ID asked>, "deleted": true} confirms (docs/providers.md, Writer "delete"). */
function confirmed(answer: HttpAnswer, body: unknown, id: string): true | string {
  if (answer.status !== 200) return 'only 200 confirms a deletion'
  if (field(body, 'deleted') !== true) return 'no "deleted": true'
  const named = field(body, 'id')
  return named === id || `it names ${named === undefined ? 'no "id"' : `the file ${shown(named)}`}, not this one`
}

/** Writer: DELETE /v1/files/{id}, Bearer key; success is 200 {"id","deleted":true}. */
export const writer = {
  name: 'writer',
  defaultBaseUrl: 'https://api.writer.com',
  acceptsCustomerId: false,
  uuidIds: true,
  request: (id, { baseUrl, apiKey }) => ({
    method: 'DELETE',
    url: fileUrl(baseUrl, ['v1', 'files'], id),
    headers: bearer(apiKey)
  }),
  derivedSecrets: () => [],
  list: writerList,
  classify(answer, now, id) {
    return {
      classification: classifyByStatus(answer, jsonBody(answer), {
        confirms: (a, body) => confirmed(a, body, id),
        waitMs: retryAfterMs(answer, now)
      })
    }
  }
} satisfies Provider<'writer'>
