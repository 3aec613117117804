/** Provider answers as the providers' delete-file documentation shows them. */

export const writerAnswers = {
  deleted: { id: '7c36a365-392f-43ba-840d-8f3103b42572', deleted: true },
  notDeletedFlag: { id: '7c36a365-392f-43ba-840d-8f3103b42572', deleted: false },
  notFound: { tpe: 'not_found', errors: [{ description: 'File not found' }] },
  unauthorized: { tpe: 'unauthorized', errors: [{ description: 'Invalid API key' }] },
  rateLimited: { tpe: 'rate_limit', errors: [{ description: 'Too many requests' }] }
}

export const imagekitAnswers = {
  notFound: {
    message: 'The requested file does not exist.',
    help: 'For support kindly contact us at support@imagekit.io .'
  },
  unauthorized: {
    message: 'Your request does not contain private API key.',
    help: 'For support kindly contact us at support@imagekit.io .'
  },
  rateLimited: { message: 'Too many requests', help: 'For support kindly contact us at support@imagekit.io .' }
}

export const delosAnswers = {
  deleted: { success: true, message: 'File deleted successfully' },
  deletedForCustomer: { success: true, message: 'File file_78902 deleted for customer cust_12345' },
  notFound: { success: false, message: 'File not found: file_99999' },
  locked: { success: false, message: 'File is locked and cannot be deleted' },
  accessDenied: { success: false, message: 'Access denied to file: file_78901' },
  unauthorized: { success: false, message: 'Unauthorized' },
  customerMismatch: { success: false, message: 'File does not belong to specified customer' }
}

export const anyformatAnswers = {
  notFound: {
    error: 'Not Found',
    detail: 'File not found.',
    error_code: 'NOT_FOUND',
    retryable: false,
    request_id: 'req_1'
  },
  unauthorized: {
    error: 'Unauthorized',
    detail: 'Invalid API key.',
    error_code: 'UNAUTHORIZED',
    retryable: false,
    request_id: 'req_2'
  },
  rateLimited: {
    error: 'Too Many Requests',
    detail: 'Rate limit exceeded.',
    error_code: 'RATE_LIMITED',
    retryable: true,
    request_id: 'req_3'
  },
  unavailable: {
    error: 'Service Unavailable',
    detail: 'Try again.',
    error_code: 'UNAVAILABLE',
    retryable: true,
    request_id: 'req_4'
  },
  validation: {
    detail: [{ loc: ['path', 'collection_id'], msg: 'Input should be a valid UUID', type: 'uuid_parsing' }]
  }
}
