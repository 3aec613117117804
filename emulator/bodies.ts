/**
 * Provider answer bodies, as the providers' delete-file and list-files documents show them (and, where those are
 * silent, their public docs). The one source: the emulator sends exactly these, and tests hold the client against
 * them. Builders take what varies (an ID, a message, a listed file); the named values are the documents' own examples.
 */
import { STATUS_CODES } from 'node:http'
import type { ListedRecord } from './types.js'

const statusText = (status: number): string => STATUS_CODES[status] ?? `HTTP ${status}`

// Writer: {"tpe", "errors": [{"description", "key", "extras"}], "extras"} (docs/providers.md, Writer "errors").
const WRITER_ERROR: Record<number, { tpe: string; key: string }> = {
  400: { tpe: 'BadRequest', key: 'fail.badRequest' },
  401: { tpe: 'Unauthorized', key: 'fail.unauthorized.badToken' },
  403: { tpe: 'Forbidden', key: 'fail.forbidden.insufficientAccessRights' },
  404: { tpe: 'NotFound', key: 'fail.notFound.resource' },
  429: { tpe: 'TooManyRequests', key: 'fail.tooManyRequests.quotaExceeded' },
  500: { tpe: 'InternalServerError', key: 'fail.internalServerError.generic' },
  503: { tpe: 'ServiceUnavailable', key: 'fail.serviceUnavailable.temporary' }
}

export function writerError(status: number, description: string, retryable?: boolean) {
  const { tpe, key } = WRITER_ERROR[status] ?? { tpe: statusText(status).replace(/\W/g, ''), key: 'fail' }
  return { tpe, errors: [{ description, key, extras: {} }], extras: {}, ...(retryable ? { retryable } : {}) }
}

export const writerDeleted = (id: string) => ({ id, deleted: true })

export const writerAnswers = {
  deleted: writerDeleted('7c36a365-392f-43ba-840d-8f3103b42572'),
  notDeletedFlag: { id: '7c36a365-392f-43ba-840d-8f3103b42572', deleted: false },
  notFound: writerError(404, 'Resource is not found'),
  unauthorized: writerError(401, 'Invalid token'),
  rateLimited: writerError(429, 'Quota exceeded')
}

export const writerMessages = {
  invalidLimit: (max: number) => `limit must be between 1 and ${max}`,
  invalidOrder: "order must be 'asc' or 'desc'",
  unknownCursor: (id: string) => `Invalid cursor: no file ${id}`
}

// Writer list: {"data": [...], "has_more"}, cursor pagination by `after`.
export const writerListItem = (file: ListedRecord) => ({
  id: file.id,
  name: file.name,
  created_at: file.createdAt,
  graph_ids: file.graphIds ?? [],
  status: file.status
})

export const writerListPage = <T extends { id: string }>(data: readonly T[], hasMore: boolean) => ({
  data: [...data],
  has_more: hasMore,
  ...(data.length > 0 ? { first_id: data[0]?.id, last_id: data.at(-1)?.id } : {})
})

// Writer graph: GET /v1/graphs/{graph_id}.
export const writerGraph = (id: string, fileStatus: { in_progress: number; completed: number; failed: number }) => ({
  id,
  created_at: '2025-06-04T18:19:12.495984Z',
  name: `Graph ${id}`,
  type: 'manual',
  file_status: { ...fileStatus, total: fileStatus.in_progress + fileStatus.completed + fileStatus.failed }
})

// ImageKit: {"message", "help"}; the bulk endpoint's 200, 207 and 404 (docs/providers.md, ImageKit).
const IMAGEKIT_HELP = 'For support kindly contact us at support@imagekit.io .'

export function imagekitError(message: string, extra: Record<string, unknown> = {}) {
  return { message, help: IMAGEKIT_HELP, ...extra }
}

export const imagekitAnswers = {
  notFound: imagekitError('The requested file does not exist.'),
  unauthorized: imagekitError('Your request does not contain private API key.'),
  /** A key ImageKit does not know: 403 (OpenAPI, the shared Forbidden answer). */
  wrongKey: imagekitError('Your account cannot be authenticated.'),
  /** 429 carries {"message"} alone. */
  rateLimited: { message: 'Too many requests' },
  bulkDeleted: (fileIds: readonly string[]) => ({ successfullyDeletedFileIds: [...fileIds] }),
  /** 207: some files were not deleted, each with its error (OpenAPI delete-multiple-files). */
  bulkPartial: (fileIds: readonly string[], refused: readonly string[]) => ({
    successfullyDeletedFileIds: [...fileIds],
    errors: refused.map(fileId => ({ fileId, error: 'The file could not be deleted. Please try again.' }))
  }),
  bulkMissing: (missingFileIds: readonly string[]) =>
    imagekitError('The requested file(s) does not exist.', { missingFileIds: [...missingFileIds] }),
  bulkNoIds: imagekitError('fileIds parameter is missing.'),
  bulkNotArray: imagekitError('fileIds should be an Array.'),
  bulkEmpty: imagekitError('fileIds is empty.'),
  bulkTooMany: (max: number) => imagekitError(`fileIds cannot have more than ${max} items.`),
  limitBelow: (sent: string) => imagekitError(`Minimum value of limit parameter is 1. Value sent is ${sent}.`),
  limitAbove: (max: number, sent: string) =>
    imagekitError(`Maximum value of limit parameter is ${max}. Value sent is ${sent}.`),
  skipBelow: (sent: string) =>
    imagekitError(`The value of skip parameter should be greater than or equal to 0. Value sent is ${sent}.`),
  invalidSort: imagekitError('Your request contains invalid value for sort parameters.'),
  invalidSearchQuery: imagekitError('Your request contains invalid searchQuery parameter.'),
  /** 400 to a purge of a URL ImageKit will not purge (OpenAPI purge-cache). */
  purgeRefused: imagekitError('The URL is not valid for cache purging.'),
  /** 400 to a purge status of a request ImageKit does not know (OpenAPI purge-status). */
  purgeUnknown: imagekitError('No request found for this requestId.'),
  /** 201: the purge is submitted (OpenAPI purge-cache). */
  purgeSubmitted: (requestId: string) => ({ requestId }),
  /** 200: how a purge stands (OpenAPI purge-status). */
  purgeStatus: (status: 'Pending' | 'Completed') => ({ status })
}

// ImageKit list: a bare array of files, file versions and folders.
export const imagekitAITags = (names: readonly string[]) =>
  names.map(name => ({ name, confidence: 95.5, source: 'google-auto-tagging' }))

/** Where the emulated account's files are served: its URL endpoint. */
export const IMAGEKIT_URL_ENDPOINT = 'https://ik.imagekit.io/emulator'

const imagekitFileFields = (file: ListedRecord) => ({
  fileId: file.id,
  name: file.name,
  filePath: file.path,
  tags: file.tags ?? null,
  AITags: file.aiTags === undefined ? null : imagekitAITags(file.aiTags),
  createdAt: file.createdAt,
  updatedAt: file.createdAt
})

/** A file's URL: the URL endpoint and its path, each step encoded. */
export const imagekitUrl = (filePath: string | null): string =>
  `${IMAGEKIT_URL_ENDPOINT}${(filePath ?? '').split('/').map(encodeURIComponent).join('/')}`

export const imagekitListFile = (file: ListedRecord) => ({
  type: 'file',
  ...imagekitFileFields(file),
  url: imagekitUrl(file.path)
})

/**
 * A file's details (OpenAPI get-file-details, FileDetails): its `url` carries `?updatedAt=` as the document's example
 * shows, in milliseconds since the epoch.
 */
export const imagekitFileDetails = (file: ListedRecord) => ({
  type: 'file',
  ...imagekitFileFields(file),
  versionInfo: { id: file.id, name: 'Version 1' },
  isPrivateFile: false,
  isPublished: true,
  customCoordinates: null,
  url: `${imagekitUrl(file.path)}?updatedAt=${Date.parse(file.createdAt ?? '') || 0}`,
  fileType: 'image'
})

export const imagekitListVersion = (file: ListedRecord, versionInfo: { id: string; name: string }) => ({
  type: 'file-version',
  ...imagekitFileFields(file),
  versionInfo,
  url: `${imagekitUrl(file.path)}?ik-obj-version=${encodeURIComponent(versionInfo.id)}`
})

export const imagekitListFolder = (folder: ListedRecord) => ({
  type: 'folder',
  folderId: folder.id,
  name: folder.name,
  folderPath: folder.path,
  createdAt: folder.createdAt,
  updatedAt: folder.createdAt
})

export const imagekitListPage = <T>(items: readonly T[]) => [...items]

// Delos: {"success", "message"}, every message as the document gives it.
export const delosAnswer = (success: boolean, message: string, retryable?: boolean) => ({
  success,
  message,
  ...(retryable ? { retryable } : {})
})

export const delosMessages = {
  deleted: 'File deleted successfully',
  deletedForCustomer: (id: string, customer: string) => `File ${id} deleted for customer ${customer}`,
  notFound: (id: string) => `File not found: ${id}`,
  locked: 'File is locked and cannot be deleted',
  accessDenied: (id: string) => `Access denied to file: ${id}`,
  unauthorized: 'Unauthorized',
  customerMismatch: 'File does not belong to specified customer',
  // Not documented: plain messages in the same shape.
  invalidPagination: 'Invalid pagination parameters',
  rateLimited: 'Too many requests'
}

export const delosAnswers = {
  deleted: delosAnswer(true, delosMessages.deleted),
  deletedForCustomer: delosAnswer(true, delosMessages.deletedForCustomer('file_78902', 'cust_12345')),
  notFound: delosAnswer(false, delosMessages.notFound('file_99999')),
  locked: delosAnswer(false, delosMessages.locked),
  accessDenied: delosAnswer(false, delosMessages.accessDenied('file_78901')),
  unauthorized: delosAnswer(false, delosMessages.unauthorized),
  customerMismatch: delosAnswer(false, delosMessages.customerMismatch)
}

// Delos list: {"items": [...]}. Its docs name the items array alone; the rest of the envelope is not confirmed, so
// the emulator sends none. Items: partnerId, customerId, id, name, size; isLock is the seed's lock flag.
export const DELOS_LISTED_SIZE = 1024
export const DELOS_PARTNER = 'partner_abc'

export const delosListItem = (file: ListedRecord, customerId: string | null, isLock: boolean) => ({
  partnerId: DELOS_PARTNER,
  customerId,
  id: file.id,
  name: file.name,
  size: DELOS_LISTED_SIZE,
  isLock
})

export const delosListPage = <T>(items: readonly T[]) => ({ items: [...items] })

// AnyFormat: {"error", "detail", "error_code", "retryable", "request_id"}; 422 {"detail": [{"msg", ...}]} (docs).
const ANYFORMAT_ERROR_CODE: Record<number, string> = {
  400: 'VALIDATION_ERROR',
  401: 'AUTH_FAILED',
  403: 'ACCESS_DENIED',
  404: 'NOT_FOUND',
  412: 'PRECONDITION_FAILED',
  429: 'RATE_LIMITED',
  500: 'INTERNAL_ERROR'
}

/** Statuses an AnyFormat body calls retryable. */
export const anyformatRetryable = (status: number): boolean => status === 408 || status === 429 || status >= 500

export function anyformatError(
  status: number,
  detail: string,
  requestId: string,
  retryable = anyformatRetryable(status)
) {
  const error = statusText(status)
  const error_code = ANYFORMAT_ERROR_CODE[status] ?? error.toUpperCase().replace(/[^A-Z0-9]+/g, '_')
  return { error, detail, error_code, retryable, request_id: requestId }
}

export const anyformatValidation = (
  msg: string,
  type: string,
  input: string,
  loc: readonly string[] = ['path', 'collection_id']
) => ({ detail: [{ loc: [...loc], msg, type, input }] })

const queryValidation = (name: string, input: string, msg: string, type: string) =>
  anyformatValidation(msg, type, input, ['query', name])

export const anyformatAnswers = {
  notFound: anyformatError(404, 'File not found.', 'req_1'),
  unauthorized: anyformatError(401, 'Invalid or missing API key.', 'req_2'),
  rateLimited: anyformatError(429, 'Rate limit exceeded.', 'req_3'),
  unavailable: anyformatError(503, 'Try again.', 'req_4'),
  validation: anyformatValidation('Input should be a valid UUID', 'uuid_parsing', 'not-a-uuid'),
  emptyId: anyformatValidation('String should have at least 1 character', 'string_too_short', ''),
  workflowNotFound: anyformatError(404, 'Workflow not found.', 'req_5'),
  notInteger: (name: string, input: string) =>
    queryValidation(
      name,
      input,
      'Input should be a valid integer, unable to parse string as an integer',
      'int_parsing'
    ),
  belowOne: (name: string, input: string) =>
    queryValidation(name, input, 'Input should be greater than or equal to 1', 'greater_than_equal')
}

// AnyFormat list: {"count", "page", "page_size", "results": [...]}, page-numbered.
export const anyformatListItem = (file: ListedRecord) => ({
  id: file.id,
  name: file.name,
  status: file.status,
  created_at: file.createdAt,
  updated_at: file.createdAt
})

export const anyformatListPage = <T>(
  results: readonly T[],
  page: { count: number; page: number; pageSize: number }
) => ({ count: page.count, page: page.page, page_size: page.pageSize, results: [...results] })
