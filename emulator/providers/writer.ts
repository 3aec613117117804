import { writerAnswers, writerDeleted, writerError } from '../../__fixtures__/answers.js'
import { json } from '../answers.js'
import { bearerKey, deleteRoute, statusText, type Provider, type ProviderContext } from './provider.js'

/** Writer: `DELETE /v1/files/{id}` with a Bearer key; 429 carries no hints. */
export function writer({ options, files }: ProviderContext): Provider {
  return {
    route: request => deleteRoute(request, '/v1/files/'),
    answer(route, request) {
      if (bearerKey(request.headers) !== options.apiKey) return json(401, writerAnswers.unauthorized)
      if (route.kind !== 'file') return json(404, writerError(404, 'Not found'))
      if (!files.remove(route.id)) return json(404, writerAnswers.notFound)
      return json(200, writerDeleted(route.id))
    },
    error: (status, { retryable, message } = {}) =>
      json(status, writerError(status, message ?? statusText(status), retryable)),
    rateLimited: () => json(429, writerAnswers.rateLimited)
  }
}
