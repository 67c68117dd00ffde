import { randomBytes } from 'node:crypto';
import { parseCookie, stringifySetCookie } from 'cookie';
import type { SessionCookieConfig } from '../../../platform/config/app-config.js';
import type { AuthContext } from '../../users/auth-context.js';

/** What a sign-in opens: a bearer session (access and refresh tokens in the body) or a browser one (the cookie). */
export type SessionMode = 'bearer' | 'cookie';

/** `<session id>.<secret>`: the id (40 of [A-Za-z0-9]) finds the row, the secret (32 random bytes) proves the holder. */
const COOKIE_VALUE = /^([A-Za-z0-9]{40})\.([A-Za-z0-9_-]{43})$/;

export interface SessionCookieValue {
  sessionId: string;
  secret: string;
}

/** A new cookie secret: 32 random bytes, base64url (43 characters). Only its SHA-256 is stored. */
export function newCookieSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function sessionCookieValue(sessionId: string, secret: string): string {
  return `${sessionId}.${secret}`;
}

/** The session id and secret of a cookie value this API set; null for anything else (no statement is spent on it). */
export function parseSessionCookieValue(value: string): SessionCookieValue | null {
  const match = COOKIE_VALUE.exec(value);
  return match ? { sessionId: match[1], secret: match[2] } : null;
}

/**
 * The value of the cookie `name` in a `Cookie` header (the first of that name, as browsers list the most specific
 * first), or undefined. A header that does not mention the name is not parsed.
 */
export function sessionCookieOf(cookieHeader: string | undefined, name: string): string | undefined {
  if (cookieHeader === undefined || !cookieHeader.includes(name)) return undefined;
  return parseCookie(cookieHeader)[name];
}

/** The `Set-Cookie` of a session cookie: `HttpOnly; SameSite; Path=/; Max-Age`, `Secure` wherever browsers allow it. */
export function sessionSetCookie(config: SessionCookieConfig, value: string): string {
  return stringifySetCookie(config.name, value, {
    maxAge: config.ttlSeconds,
    path: '/',
    httpOnly: true,
    secure: config.secure,
    sameSite: config.sameSite,
  });
}

/** The `Set-Cookie` that removes the session cookie (same name, path and prefix rules, so the browser matches it). */
export function expiredSessionSetCookie(config: SessionCookieConfig): string {
  return stringifySetCookie(config.name, '', { maxAge: 0, path: '/', httpOnly: true, secure: config.secure, sameSite: config.sameSite });
}

/**
 * The caller's cookie is to be set again with `value` (its password changed: the old value no longer works). The
 * response sets it (SessionCookieInterceptor).
 */
export function renewSessionCookie(auth: AuthContext, value: string): void {
  if (auth.session?.cookie) auth.session.cookie = { value, reply: 'set' };
}

/** The caller's browser session ended: the response expires the cookie and clears the site's cookies. */
export function endSessionCookie(auth: AuthContext): void {
  if (auth.session?.cookie) auth.session.cookie.reply = 'clear';
}
