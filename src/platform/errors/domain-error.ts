/**
 * Stable error codes of the domain. Services throw DomainError with one of these; the exception filter
 * of the route family turns it into that family's body. Nothing here knows about HTTP bodies.
 */
export const ERROR_STATUS = {
  VALIDATION_FAILED: 422,
  INVALID_CREDENTIALS: 422,
  TWO_FACTOR_STATE: 422,
  INVALID_TWO_FACTOR_CODE: 422,
  UNAUTHENTICATED: 401,
  ACCOUNT_BANNED: 403,
  FORBIDDEN: 403,
  RECENT_AUTH_REQUIRED: 403,
  API_KEY_FORBIDDEN: 403,
  API_KEY_NO_SESSION: 403,
  API_KEY_SCOPE_MISSING: 403,
  IP_NOT_ALLOWED: 403,
  NOT_FOUND: 404,
  BAD_REQUEST: 400,
  INVALID_PASSWORD: 400,
  INVALID_TOKEN: 400,
  LIMIT_REACHED: 400,
  METHOD_NOT_ALLOWED: 405,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  TOO_MANY_ATTEMPTS: 429,
  GATEWAY_FAILED: 502,
  SERVICE_UNAVAILABLE: 503,
  INTERNAL: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface FieldError {
  /** Dotted path of the input field (`allowed_ips.2`). */
  field: string;
  message: string;
  /** The Laravel-style rule that failed (`required`, `max`, `unique`, …). */
  rule: string;
}

export interface DomainErrorOptions {
  fields?: FieldError[];
  /** Seconds, for TOO_MANY_ATTEMPTS and SERVICE_UNAVAILABLE. */
  retryAfter?: number;
  cause?: unknown;
}

const DEFAULT_MESSAGES: Partial<Record<ErrorCode, string>> = {
  VALIDATION_FAILED: 'The given data was invalid.',
  UNAUTHENTICATED: 'Unauthenticated.',
  ACCOUNT_BANNED: 'Your account is banned by administrator.',
  FORBIDDEN: 'This action is unauthorized.',
  API_KEY_FORBIDDEN: 'API keys cannot change credentials.',
  RECENT_AUTH_REQUIRED: 'This action requires a recent login. Send your current_password to confirm it.',
  API_KEY_NO_SESSION: 'API keys have no session to log out of; delete the key to revoke it.',
  NOT_FOUND: 'Not Found.',
  INVALID_PASSWORD: 'The password provided was not valid.',
  TOO_MANY_ATTEMPTS: 'Too Many Attempts.',
  METHOD_NOT_ALLOWED: 'Method Not Allowed.',
  PAYLOAD_TOO_LARGE: 'The request body is too large.',
  UNSUPPORTED_MEDIA_TYPE: 'Unsupported Media Type.',
  SERVICE_UNAVAILABLE: 'The service is temporarily unavailable. Please retry shortly.',
  INTERNAL: 'Server Error',
};

export class DomainError extends Error {
  readonly fields: FieldError[];
  readonly retryAfter?: number;

  constructor(
    readonly code: ErrorCode,
    message?: string,
    options: DomainErrorOptions = {},
  ) {
    super(message ?? DEFAULT_MESSAGES[code] ?? code, { cause: options.cause });
    this.name = 'DomainError';
    this.fields = options.fields ?? [];
    this.retryAfter = options.retryAfter;
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }

  /** A validation failure on a single field. */
  static invalid(field: string, message: string, rule: string): DomainError {
    return new DomainError('VALIDATION_FAILED', undefined, { fields: [{ field, message, rule }] });
  }
}
