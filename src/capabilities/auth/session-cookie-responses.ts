import type { HeadersObject } from '@nestjs/swagger';

/** The `Set-Cookie` of a sign-in's answer: present only for a browser sign-in (`session: "cookie"`). */
export const SIGN_IN_COOKIE_HEADERS: HeadersObject = {
  'Set-Cookie': {
    description:
      'Only with `session: "cookie"`: the browser session cookie, e.g. ' +
      '`__Host-tessera_session=<opaque>; Max-Age=2592000; Path=/; HttpOnly; Secure; SameSite=Lax` (name SESSION_COOKIE_NAME, ' +
      'Max-Age SESSION_COOKIE_TTL; `Secure` and the `__Host-` prefix are left off only when APP_URL is plain http on a host ' +
      'other than localhost, 127.0.0.1 or [::1]). The value is opaque: the browser keeps it, scripts never see it.',
    schema: { type: 'string' },
  },
};

/** The headers of a logout that ended a browser session. */
export const LOGOUT_COOKIE_HEADERS: HeadersObject = {
  'Set-Cookie': {
    description: 'Only when the session cookie authenticated the request: the cookie, expired (`Max-Age=0`).',
    schema: { type: 'string' },
  },
  'Clear-Site-Data': {
    description: 'Only when the session cookie authenticated the request: `"cookies"`, so the browser drops this site\'s cookies.',
    schema: { type: 'string', example: '"cookies"' },
  },
};

/** The `Set-Cookie` of a password change made from a browser session: the new cookie value (the old one no longer works). */
export const RENEWED_COOKIE_HEADERS: HeadersObject = {
  'Set-Cookie': {
    description:
      'Only when the session cookie authenticated the request: the same cookie with a new value; the old value no longer works.',
    schema: { type: 'string' },
  },
};
