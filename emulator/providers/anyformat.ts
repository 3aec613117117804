import { randomUUID } from 'node:crypto'
import { empty, json, type Answer } from '../answers.js'
import {
  bearerKey,
  fileIdOf,
  isTransient,
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

const EMPTY_ID_DETAIL = {
  loc: ['path', 'collection_id'],
  msg: 'String should have at least 1 character',
  type: 'string_too_short',
  input: ''
}

const ERROR_CODE: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  429: 'RATE_LIMITED',
  500: 'INTERNAL_ERROR',
  502: 'BAD_GATEWAY',
  503: 'SERVICE_UNAVAILABLE',
  504: 'GATEWAY_TIMEOUT'
}

function anyformatError(
  status: number,
  detail: string,
  retryable = isTransient(status),
  headers: Record<string, string> = {}
): Answer {
  const error = statusText(status)
  const error_code = ERROR_CODE[status] ?? error.toUpperCase().replace(/[^A-Z0-9]+/g, '_')
  return json(status, { error, detail, error_code, retryable, request_id: randomUUID() }, { ...VERSION, ...headers })
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
  return { kind: 'add-slash', location: `${request.fullPath}/${query}` }
}

/** AnyFormat: `DELETE /v2/files/{id}/` (slash required) with a Bearer key; 429 carries Retry-After. */
export function anyformat({ options, files }: ProviderContext): Provider {
  return {
    route,
    answer(routed, request) {
      if (routed.kind === 'add-slash') return empty(301, { ...VERSION, location: routed.location })
      if (bearerKey(request.headers) !== options.apiKey) {
        return anyformatError(401, 'Invalid or missing API key.')
      }
      if (routed.kind === 'invalid-id') {
        return json(422, { detail: [EMPTY_ID_DETAIL] }, VERSION)
      }
      if (routed.kind !== 'file' || !files.remove(routed.id)) return anyformatError(404, 'File not found.')
      return empty(204, VERSION)
    },
    error: (status, retryable) => anyformatError(status, statusText(status), retryable ?? isTransient(status)),
    rateLimited: hint =>
      anyformatError(429, 'Rate limit exceeded.', true, {
        'retry-after': String(Math.max(1, Math.ceil(hint.resetMs / 1000)))
      })
  }
}
