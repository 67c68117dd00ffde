import { defineErrors } from './error-catalogue.js';

const NOT_FOUND = { status: 404, message: 'Not Found.', when: 'No such resource, or it is not the caller’s.' } as const;

/** The errors of any request, whatever it asks for: its shape, its credential, its route, the server's state. */
export const PLATFORM_ERRORS = defineErrors({
  VALIDATION_FAILED: {
    status: 422,
    message: 'The given data was invalid.',
    when: 'A field is missing, unknown, of the wrong type or out of its limits.',
  },
  VALUE_MALFORMED: {
    status: 422,
    message: 'A value is out of range or malformed.',
    when: 'A value passed the field rules but the database cannot store it (out of range, malformed).',
    field: { name: 'input', rule: 'format' },
  },
  FIELD_NAME_MALFORMED: {
    status: 422,
    message: 'A field name contains control characters.',
    when: 'A field name of the body or query holds control characters or is not valid UTF-8.',
    field: { name: 'input', rule: 'regex' },
  },
  MALFORMED_JSON: { status: 400, message: 'The request body is not valid JSON.', when: 'The body is not valid JSON.' },
  BAD_REQUEST: { status: 400, message: 'Bad Request.', when: 'The request is malformed in a way no other error names.' },
  UNAUTHENTICATED: {
    status: 401,
    message: 'Unauthenticated.',
    when: 'No credential was sent, or the access token, API key or refresh token is malformed, expired or revoked.',
  },
  FORBIDDEN: { status: 403, message: 'This action is unauthorized.', when: 'The caller may not do this.' },
  NOT_FOUND,
  // A feature that is off answers as a route that does not exist.
  SWITCHED_OFF: { ...NOT_FOUND, when: 'The feature is switched off (REGISTRATION_ENABLED or TWO_FACTOR_ENABLED is false).' },
  METHOD_NOT_ALLOWED: { status: 405, message: 'Method Not Allowed.', when: 'The path exists, but not with this method (see `Allow`).' },
  PAYLOAD_TOO_LARGE: {
    status: 413,
    message: 'The request body is too large.',
    when: 'The body is over BODY_LIMIT, or the uploaded file over 5 MB.',
  },
  UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    message: 'Unsupported Media Type.',
    when: 'The body’s media type is not one the operation documents, or its charset is not UTF-8.',
  },
  MEDIA_TYPE_NOT_DOCUMENTED: {
    status: 415,
    message: 'The request body must be <mediaTypes>, in UTF-8.',
    when: 'The body’s media type is not one the operation documents, or its charset is not UTF-8 (said before any route runs).',
  },
  TOO_MANY_ATTEMPTS: {
    status: 429,
    message: 'Too Many Attempts.',
    when: 'A rate limit was reached; `Retry-After` says how many seconds to wait.',
  },
  INTERNAL: { status: 500, message: 'Server Error', when: 'An unexpected failure; the body says nothing internal.' },
  SERVICE_UNAVAILABLE: {
    status: 503,
    message: 'The service is temporarily unavailable. Please retry shortly.',
    when:
      'The database is unavailable, or the server is at capacity (no password-hashing slot within 2 s, or the avatar line is full); `Retry-After` says when to retry.',
  },
  // The body of a failure that carries a status no other entry has (it keeps that status).
  REQUEST_FAILED: { status: 400, message: 'Error.', when: 'The request failed in a way no other error names; the status says how.' },
});
