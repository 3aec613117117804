import { randomUUID } from 'node:crypto'
import { anyformatAnswers, anyformatError, anyformatRetryable } from '../../__fixtures__/answers.js'
import { empty, json, type Answer } from '../answers.js'
import {
  bearerKey,
  fileIdOf,
  lastSegment,
  OUTSIDE,
  statusText,
  type ApiRequest,
  type Provider,
  type ProviderContext,
  type Route
} from './provider.js'

const PREFIX = '/v2/files/'
const VERSION = { 'x-api-version': '2.0.0' }

function errorAnswer(
  status: number,
  detail: string,
  retryable?: boolean,
  headers: Record<string, string> = {}
): Answer {
  return json(status, anyformatError(status, detail, randomUUID(), retryable), { ...VERSION, ...headers })
}

function route(request: ApiRequest): Route {
  if (request.method !== 'DELETE') return OUTSIDE
  const segment = lastSegment(request.path, PREFIX, '/')
  if (segment === '') return { kind: 'invalid-id' }
  if (segment !== undefined) {
    const id = fileIdOf(segment)
    return id === undefined ? OUTSIDE : { kind: 'file', id }
  }
  // Without the trailing slash the API redirects to the slashed path (same origin, query kept).
  const bare = lastSegment(request.path, PREFIX)
  if (bare === undefined || bare === '') return OUTSIDE
  const query = request.rawQuery === '' ? '' : `?${request.rawQuery}`
  return { kind: 'add-slash', location: `${request.fullPath}/${query}`, of: 'delete' }
}

/** AnyFormat: `DELETE /v2/files/{id}/` (slash required) with a Bearer key; 429 carries Retry-After. */
export function anyformat({ options, files }: ProviderContext): Provider {
  return {
    route,
    answer(routed, request) {
      if (routed.kind === 'add-slash') return empty(301, { ...VERSION, location: routed.location })
      if (bearerKey(request.headers) !== options.apiKey) return errorAnswer(401, anyformatAnswers.unauthorized.detail)
      if (routed.kind === 'invalid-id') return json(422, anyformatAnswers.emptyId, VERSION)
      if (routed.kind !== 'file' || !files.remove(routed.id)) return errorAnswer(404, anyformatAnswers.notFound.detail)
      return empty(204, VERSION)
    },
    error: (status, { retryable, message } = {}) =>
      errorAnswer(status, message ?? statusText(status), retryable ?? anyformatRetryable(status)),
    rateLimited: hint =>
      errorAnswer(429, anyformatAnswers.rateLimited.detail, true, {
        'retry-after': String(Math.max(1, Math.ceil(hint.resetMs / 1000)))
      })
  }
}
