import { bearer, classifyByStatus, fileUrl, jsonBody, onlyStatus, retryAfterMs } from './common.js'
import { anyformatList } from './anyformat-list.js'
import type { Provider } from './types.js'

/** AnyFormat: DELETE /v2/files/{id}/ (the trailing slash is required), Bearer key; success is 204. */
export const anyformat = {
  name: 'anyformat',
  defaultBaseUrl: 'https://api.anyformat.ai',
  acceptsCustomerId: false,
  uuidIds: true,
  request: (id, { baseUrl, apiKey }) => ({
    method: 'DELETE',
    url: fileUrl(baseUrl, ['v2', 'files'], id, true),
    headers: bearer(apiKey)
  }),
  derivedSecrets: () => [],
  list: anyformatList,
  // Only 204 confirms; a 403 refuses the key itself (docs/providers.md, AnyFormat "delete", "errors").
  classify: (answer, now) => ({
    classification: classifyByStatus(answer, jsonBody(answer), {
      confirms: onlyStatus(204),
      waitMs: retryAfterMs(answer, now),
      forbiddenRejects: true
    })
  })
} satisfies Provider<'anyformat'>
