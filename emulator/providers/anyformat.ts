import { randomUUID } from 'node:crypto'
import {
  anyformatAnswers,
  anyformatError,
  anyformatListItem,
  anyformatListPage,
  anyformatRetryable
} from '../bodies.js'
import { empty, json, type Answer } from '../answers.js'
import {
  bearerKey,
  fileIdOf,
  intParam,
  lastSegment,
  OUTSIDE,
  statusText,
  type ApiRequest,
  type Provider,
  type ProviderContext,
  type Route
} from './provider.js'

const PREFIX = '/v2/files/'
const LIST_PATH = /^\/v2\/workflows\/([^/]+)\/files(\/?)$/
const PAGE_SIZE_MAX = 100
const PAGE_SIZE_DEFAULT = 20
const VERSION = { 'x-api-version': '2.0.0' }

function errorAnswer(
  status: number,
  detail: string,
  retryable?: boolean,
  headers: Record<string, string> = {}
): Answer {
  return json(status, anyformatError(status, detail, randomUUID(), retryable), { ...VERSION, ...headers })
}

/** Without the trailing slash the API redirects to the slashed path (same origin, query kept). */
function addSlash(request: ApiRequest, of: 'delete' | 'list'): Route {
  const query = request.rawQuery === '' ? '' : `?${request.rawQuery}`
  return { kind: 'add-slash', location: `${request.fullPath}/${query}`, of }
}

function listRoute(request: ApiRequest): Route {
  const [, segment = '', slash] = LIST_PATH.exec(request.path) ?? []
  const workflow = fileIdOf(segment)
  if (workflow === undefined) return OUTSIDE
  return slash === '' ? addSlash(request, 'list') : { kind: 'list', workflow }
}

function route(request: ApiRequest): Route {
  if (request.method === 'GET') return listRoute(request)
  if (request.method !== 'DELETE') return OUTSIDE
  const segment = lastSegment(request.path, PREFIX, '/')
  if (segment === '') return { kind: 'invalid-id' }
  if (segment !== undefined) {
    const id = fileIdOf(segment)
    return id === undefined ? OUTSIDE : { kind: 'file', id }
  }
  const bare = lastSegment(request.path, PREFIX)
  return bare === undefined || bare === '' ? OUTSIDE : addSlash(request, 'delete')
}

/** A page query parameter (whole, ≥ 1), or the 422 its value earns. */
function pageParam(query: URLSearchParams, name: string, fallback: number): number | Answer {
  const value = intParam(query, name, fallback)
  const input = query.get(name) ?? ''
  if (value === undefined) return json(422, anyformatAnswers.notInteger(name, input), VERSION)
  return value < 1 ? json(422, anyformatAnswers.belowOne(name, input), VERSION) : value
}

/**
 * AnyFormat: `DELETE /v2/files/{id}/` and `GET /v2/workflows/{id}/files/` (numbered pages), slash required, with a
 * Bearer key; 429 carries Retry-After.
 */
export function anyformat({ options, files }: ProviderContext): Provider {
  const maxPageSize = Math.min(PAGE_SIZE_MAX, options.anyformatMaxPageSize ?? PAGE_SIZE_MAX)
  if (!Number.isInteger(maxPageSize) || maxPageSize < 1) {
    throw new RangeError(`anyformatMaxPageSize must be a whole number ≥ 1, got ${options.anyformatMaxPageSize}`)
  }

  function list(workflow: string, query: URLSearchParams): Answer {
    const page = pageParam(query, 'page', 1)
    if (typeof page !== 'number') return page
    // page_size is 20 when not given, and silently capped at 100 (docs/providers.md, AnyFormat "list").
    const asked = pageParam(query, 'page_size', PAGE_SIZE_DEFAULT)
    if (typeof asked !== 'number') return asked
    // A workflow stays known when its files are gone.
    const known = files.memo('anyformat workflows', () => new Set(files.history().map(file => file.workflowId)))
    if (!known.has(workflow)) {
      return errorAnswer(404, anyformatAnswers.workflowNotFound.detail)
    }
    options.onList?.({ provider: 'anyformat', page })
    const pageSize = Math.min(asked, maxPageSize)
    const inWorkflow = files.memo(`anyformat ${workflow}`, () =>
      files.listed().filter(file => file.workflowId === workflow)
    )
    const results = inWorkflow.slice((page - 1) * pageSize, page * pageSize).map(anyformatListItem)
    return json(200, anyformatListPage(results, { count: inWorkflow.length, page, pageSize }), VERSION)
  }

  return {
    route,
    answer(routed, request) {
      if (routed.kind === 'add-slash') return empty(301, { ...VERSION, location: routed.location })
      if (bearerKey(request.headers) !== options.apiKey) return errorAnswer(401, anyformatAnswers.unauthorized.detail)
      if (routed.kind === 'list') return list(routed.workflow ?? '', request.query)
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
