import { json, type Answer } from '../answers.js'
import { bearerKey, deleteRoute, statusText, type Provider, type ProviderContext } from './provider.js'

const ERROR_TYPE: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  429: 'too_many_requests'
}

function writerError(status: number, description: string, retryable?: boolean): Answer {
  const tpe = ERROR_TYPE[status] ?? (status >= 500 ? 'server_error' : 'fail')
  return json(status, { tpe, errors: [{ description }], ...(retryable ? { retryable } : {}) })
}

/** Writer: `DELETE /v1/files/{id}` with a Bearer key; 429 carries no hints. */
export function writer({ options, files }: ProviderContext): Provider {
  return {
    route: request => deleteRoute(request, '/v1/files/'),
    answer(route, request) {
      if (bearerKey(request.headers) !== options.apiKey) return writerError(401, 'Invalid API key')
      if (route.kind !== 'file') return writerError(404, 'Not found')
      if (!files.remove(route.id)) return writerError(404, 'File not found')
      return json(200, { id: route.id, deleted: true })
    },
    error: (status, retryable) => writerError(status, statusText(status), retryable),
    rateLimited: () => writerError(429, 'Rate limit exceeded')
  }
}
