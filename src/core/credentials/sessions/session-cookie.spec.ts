import type { SessionCookieConfig } from '../../../platform/config/app-config.js';
import {
  expiredSessionSetCookie,
  newCookieSecret,
  parseSessionCookieValue,
  sessionCookieOf,
  sessionCookieValue,
  sessionSetCookie,
} from './session-cookie.js';
import { newSessionId } from './session-tokens.js';

const SECURE: SessionCookieConfig = { name: '__Host-tessera_session', secure: true, sameSite: 'lax', ttlSeconds: 2_592_000 };
const PLAIN_HTTP: SessionCookieConfig = { name: 'tessera_session', secure: false, sameSite: 'strict', ttlSeconds: 3600 };

describe('the session cookie', () => {
  it('holds the session id and a fresh 32-byte secret, and parses back', () => {
    const id = newSessionId();
    const secret = newCookieSecret();
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(newCookieSecret()).not.toBe(secret);
    expect(parseSessionCookieValue(sessionCookieValue(id, secret))).toEqual({ sessionId: id, secret });
  });

  it.each([
    ['empty', ''],
    ['the id alone', 'A'.repeat(40)],
    ['a short id', `${'A'.repeat(39)}.${'b'.repeat(43)}`],
    ['a short secret', `${'A'.repeat(40)}.${'b'.repeat(42)}`],
    ['a long secret', `${'A'.repeat(40)}.${'b'.repeat(44)}`],
    ['padding', `${'A'.repeat(40)}.${'b'.repeat(42)}=`],
    ['a JWT', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln'],
    ['extra parts', `${'A'.repeat(40)}.${'b'.repeat(43)}.x`],
  ])('refuses %s without a lookup', (_case, value) => {
    expect(parseSessionCookieValue(value)).toBeNull();
  });

  it('sets HttpOnly, Secure, SameSite, Path=/ and Max-Age; Secure only where the config allows it', () => {
    expect(sessionSetCookie(SECURE, 'v.1')).toBe('__Host-tessera_session=v.1; Max-Age=2592000; Path=/; HttpOnly; Secure; SameSite=Lax');
    expect(sessionSetCookie(PLAIN_HTTP, 'v.1')).toBe('tessera_session=v.1; Max-Age=3600; Path=/; HttpOnly; SameSite=Strict');
  });

  it('expires with the same name and attributes, so the browser replaces the cookie it holds', () => {
    expect(expiredSessionSetCookie(SECURE)).toBe('__Host-tessera_session=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax');
  });

  it('is found by name in a Cookie header, the first of that name winning', () => {
    expect(sessionCookieOf('a=1; __Host-tessera_session=abc.def; b=2', SECURE.name)).toBe('abc.def');
    expect(sessionCookieOf('__Host-tessera_session=first; __Host-tessera_session=second', SECURE.name)).toBe('first');
    expect(sessionCookieOf('tessera_session=abc', SECURE.name)).toBeUndefined();
    expect(sessionCookieOf(undefined, SECURE.name)).toBeUndefined();
    expect(sessionCookieOf('', SECURE.name)).toBeUndefined();
  });
});
