import { empty, json, type Answer } from '../answers.js'
import {
  deleteRoute,
  statusText,
  type ApiRequest,
  type Provider,
  type ProviderContext,
  type Route
} from './provider.js'

const HELP = 'For support kindly contact us at support@imagekit.io .'
const BULK_PATH = '/v1/files/batch/deleteByFileIds'
const BULK_MAX = 100

function imagekitError(status: number, message: string, extra: Record<string, unknown> = {}): Answer {
  return json(status, { message, help: HELP, ...extra })
}

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

  function bulkDelete(ids: string[] | undefined): Answer {
    if (ids === undefined || ids.length === 0) {
      return imagekitError(400, 'Your request contains invalid fileIds parameter.')
    }
    if (ids.length > BULK_MAX) {
      return imagekitError(400, `Your request contains more than ${BULK_MAX} fileIds.`)
    }
    const unique = [...new Set(ids)]
    const missingFileIds = unique.filter(id => !files.exists(id))
    if (missingFileIds.length > 0) {
      return imagekitError(404, 'The requested file(s) does not exist.', { missingFileIds })
    }
    unique.forEach(id => files.remove(id))
    return json(200, { successfullyDeletedFileIds: unique })
  }

  return {
    route,
    answer(routed, request) {
      const key = basicKey(request.headers.authorization)
      if (key === undefined) return imagekitError(401, 'Your request does not contain private API key.')
      if (key !== `${options.apiKey}:`) return imagekitError(401, 'Your account cannot be authenticated.')
      if (routed.kind === 'bulk') return bulkDelete(routed.ids)
      if (routed.kind !== 'file' || !files.remove(routed.id)) {
        return imagekitError(404, 'The requested file does not exist.')
      }
      return empty(204)
    },
    error: (status, retryable) => imagekitError(status, statusText(status), retryable ? { retryable } : {}),
    rateLimited: hint => ({
      ...imagekitError(429, 'Too many requests. Please slow down.'),
      headers: {
        'content-type': 'application/json',
        'x-ratelimit-limit': String(hint.limit),
        'x-ratelimit-interval': String(hint.intervalMs),
        'x-ratelimit-reset': String(hint.resetMs)
      }
    })
  }
}
