import { imagekitAnswers, imagekitError } from '../../__fixtures__/answers.js'
import { empty, json, type Answer } from '../answers.js'
import {
  deleteRoute,
  statusText,
  type ApiRequest,
  type Provider,
  type ProviderContext,
  type Route
} from './provider.js'

const BULK_PATH = '/v1/files/batch/deleteByFileIds'
const BULK_MAX = 100

function fileIdsOf(body: string): string[] | undefined {
  let parsed: unknown
  try {
    parsed = JSON.parse(body)
  } catch {
    return undefined
  }
  if (typeof parsed !== 'object' || parsed === null || !('fileIds' in parsed)) return undefined
  const { fileIds } = parsed
  return Array.isArray(fileIds) && fileIds.every(id => typeof id === 'string') ? fileIds : undefined
}

function basicKey(authorization: string | undefined): string | undefined {
  const encoded = /^Basic (.+)$/i.exec(authorization ?? '')?.[1]
  return encoded === undefined ? undefined : Buffer.from(encoded, 'base64').toString('utf8')
}

/** ImageKit: `DELETE /v1/files/{id}` and the bulk `POST /v1/files/batch/deleteByFileIds`, Basic `key:`. */
export function imagekit({ options, files }: ProviderContext): Provider {
  function route(request: ApiRequest): Route {
    if (request.method === 'POST' && request.path === BULK_PATH) return { kind: 'bulk', ids: fileIdsOf(request.body) }
    return deleteRoute(request, '/v1/files/')
  }

  /** Deletes every listed file, or, when any does not exist, none of them. */
  function bulkDelete(ids: string[] | undefined): Answer {
    if (ids === undefined || ids.length === 0) return json(400, imagekitAnswers.bulkInvalid)
    if (ids.length > BULK_MAX) return json(400, imagekitAnswers.bulkTooMany(BULK_MAX))
    const unique = [...new Set(ids)]
    const missing = unique.filter(id => !files.exists(id))
    if (missing.length > 0) return json(404, imagekitAnswers.bulkMissing(missing))
    unique.forEach(id => files.remove(id))
    return json(200, imagekitAnswers.bulkDeleted(unique))
  }

  return {
    route,
    answer(routed, request) {
      const key = basicKey(request.headers.authorization)
      if (key === undefined) return json(401, imagekitAnswers.unauthorized)
      if (key !== `${options.apiKey}:`) return json(401, imagekitAnswers.wrongKey)
      if (routed.kind === 'bulk') return bulkDelete(routed.ids)
      if (routed.kind !== 'file' || !files.remove(routed.id)) return json(404, imagekitAnswers.notFound)
      return empty(204)
    },
    error: (status, { retryable, message } = {}) =>
      json(status, imagekitError(message ?? statusText(status), retryable ? { retryable } : {})),
    rateLimited: hint =>
      json(429, imagekitAnswers.rateLimited, {
        'x-ratelimit-limit': String(hint.limit),
        'x-ratelimit-interval': String(hint.intervalMs),
        'x-ratelimit-reset': String(hint.resetMs)
      })
  }
}
