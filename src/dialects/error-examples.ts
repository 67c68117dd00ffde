import { renderClientError } from './client/client-error.renderer.js';
import { renderLaravelError } from './vanguard/laravel-error.renderer.js';
import type { FieldError } from '../platform/errors/domain-error.js';

/** The two error shapes (CONTRACT §9): `{message, errors}` everywhere but /api/client, `{errors: [...]}` there. */
export type ErrorFamily = 'laravel' | 'client';

/** One reason an error status is answered: when it happens, and what its body says. */
export interface ErrorCause {
  /** When it happens, as the response's description says it. */
  when: string;
  message: string;
  /** The field errors of a 422; `VALIDATION_FAILED` gets a field of the operation's own input instead. */
  fields?: FieldError[];
}

/**
 * Every error status the API documents, with each cause it can have. Each row's first cause is the one an
 * operation gets when it lists the status without naming a cause. The examples are rendered by the families' own
 * error renderers, so they are the bodies the routes really send; a new status gets real examples by adding a row.
 */
export const ERROR_CAUSES = {
  400: {
    MALFORMED_JSON: { when: 'The body is not valid JSON.', message: 'The request body is not valid JSON.' },
    INVALID_PASSWORD: { when: 'The password sent to confirm the change is wrong.', message: 'The password provided was not valid.' },
    INVALID_RESET_TOKEN: { when: 'The reset token from the mail is unknown, used or expired.', message: 'This password reset token is invalid.' },
    INVALID_VERIFICATION_TOKEN: {
      when: 'The verification token from the mail is unknown, used or expired.',
      message: 'This verification token is invalid.',
    },
    TWO_FACTOR_STATE: {
      when: 'Two-factor is already on, or not on, or no secret was requested first.',
      message: 'Two-factor authentication is already enabled on this account.',
    },
    LIMIT_REACHED: { when: 'The account already has as many API keys as it may.', message: 'You have reached the account limit for number of API keys.' },
  },
  401: {
    UNAUTHENTICATED: {
      when: 'No credential was sent, or the access token, API key or refresh token is malformed, expired or revoked.',
      message: 'Unauthenticated.',
    },
  },
  403: {
    ACCOUNT_BANNED: { when: 'The account is banned.', message: 'Your account is banned by administrator.' },
    IP_NOT_ALLOWED: {
      when: 'The API key is restricted to addresses that do not include the caller’s.',
      message: 'This API key may not be used from your IP address.',
    },
    NOT_ADMIN: { when: 'The caller does not have the admin role, or the change is one an admin may not make to themself.', message: 'This action is unauthorized.' },
    RECENT_AUTH_REQUIRED: {
      when: 'The last login is older than RECENT_AUTH_SECONDS and no `current_password` was sent.',
      message: 'This action requires a recent login. Send your current_password to confirm it.',
    },
    API_KEY_SCOPE_MISSING: {
      when: 'The API key was not given the scope this operation needs (see the operation\'s description).',
      message: 'This API key lacks the scope <scope>.',
    },
    API_KEY_ROUTE_CLOSED: { when: 'The caller authenticated with an API key, and this operation takes access tokens only.', message: 'API keys cannot use this route.' },
    API_KEY_FORBIDDEN: { when: 'The caller authenticated with an API key: only a login may change credentials.', message: 'API keys cannot change credentials.' },
  },
  404: {
    NOT_FOUND: { when: 'No such resource, or it is not the caller’s.', message: 'Not Found.' },
    SWITCHED_OFF: { when: 'The feature is switched off (REGISTRATION_ENABLED or TWO_FACTOR_ENABLED is false).', message: 'Not Found.' },
  },
  405: {
    METHOD_NOT_ALLOWED: { when: 'The path exists, but not with this method (see `Allow`).', message: 'Method Not Allowed.' },
  },
  413: {
    PAYLOAD_TOO_LARGE: { when: 'The body is over BODY_LIMIT, or the uploaded file over 5 MB.', message: 'The request body is too large.' },
  },
  415: {
    UNSUPPORTED_MEDIA_TYPE: {
      when: 'The body’s media type is not one the operation documents, or its charset is not UTF-8.',
      message: 'Unsupported Media Type.',
    },
  },
  422: {
    VALIDATION_FAILED: { when: 'A field is missing, unknown, of the wrong type or out of its limits.', message: 'The given data was invalid.' },
    INVALID_CREDENTIALS: {
      when: 'The username (or email) and password do not match an account.',
      message: 'The given data was invalid.',
      fields: [{ field: 'username', message: 'These credentials do not match our records.', rule: 'credentials' }],
    },
    INVALID_TWO_FACTOR_CODE: {
      when: 'The code (or recovery code) is wrong or expired, or the challenge is used up.',
      message: 'The given data was invalid.',
      fields: [{ field: 'code', message: 'Invalid 2FA token.', rule: 'two_factor' }],
    },
  },
  429: {
    TOO_MANY_ATTEMPTS: { when: 'A rate limit was reached; `Retry-After` says how many seconds to wait.', message: 'Too Many Attempts.' },
  },
  500: {
    INTERNAL: { when: 'An unexpected failure; the body says nothing internal.', message: 'Server Error' },
  },
  502: {
    GATEWAY_FAILED: { when: 'The SMS gateway did not accept the message.', message: 'The SMS could not be sent. Please try again later.' },
  },
  503: {
    SERVICE_UNAVAILABLE: {
      when: 'The database is unavailable, or the server is at capacity (no password-hashing slot within 2 s, or the avatar line is full); `Retry-After` says when to retry.',
      message: 'The service is temporarily unavailable. Please retry shortly.',
    },
  },
} as const satisfies Record<number, Record<string, ErrorCause>>;

export type ErrorStatus = keyof typeof ERROR_CAUSES;
/** A cause's name, e.g. `ACCOUNT_BANNED`; it implies its status. */
export type ErrorCauseName = { [S in ErrorStatus]: keyof (typeof ERROR_CAUSES)[S] }[ErrorStatus];

const CAUSE_STATUS = new Map<string, number>(
  Object.entries(ERROR_CAUSES).flatMap(([status, causes]) => Object.keys(causes).map((name) => [name, Number(status)] as const)),
);

/** The status a cause is answered with. */
export function statusOfCause(name: ErrorCauseName): number {
  return CAUSE_STATUS.get(name)!;
}

/** The row of a status; a status without one falls back to a bare cause, so nothing is left undocumented. */
export function causesOfStatus(status: number): Record<string, ErrorCause> {
  return (ERROR_CAUSES as Record<number, Record<string, ErrorCause>>)[status] ?? { ERROR: { when: 'The request failed.', message: 'Error.' } };
}

/** The body `family` sends for `cause` with `status`. */
export function renderErrorExample(family: ErrorFamily, status: number, cause: ErrorCause, fields = cause.fields ?? []): unknown {
  const report = { status, message: cause.message, fields, unexpected: false };
  return family === 'client' ? renderClientError(report) : renderLaravelError(report);
}
