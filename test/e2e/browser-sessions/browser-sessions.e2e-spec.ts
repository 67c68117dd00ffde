import { createHash } from 'node:crypto';
import type { Response } from 'supertest';
import { bootMailingTestApp, type MailingTestApp } from '../../support/app.js';
import { bearer, loggedInUser, registerUser, verifiedUser, type TestUser } from '../../support/factories.js';
import { lastMailedToken } from '../../support/mail-helpers.js';
import { queriesDuring } from '../../support/queries.js';
import { SoftwareAuthenticator } from '../../support/software-authenticator.js';
import { enableTotp, totpCode } from '../../support/two-factor-helpers.js';
import { SessionsService } from '../../../src/core/credentials/sessions/sessions.service.js';

/** The SPA's origin (FRONTEND_URL): passkeys are bound to it, and the cross-site check allows it. */
const FRONTEND_URL = 'https://app.example.test';
/** A second origin the SPA is served from (CORS_ORIGINS). */
const CORS_ORIGIN = 'https://spa.example.test';
/** Any other site. */
const FOREIGN_ORIGIN = 'https://evil.example.net';
const COOKIE_NAME = '__Host-tessera_session';
const REFUSED = { message: 'Cross-site request refused.' };
const CLIENT_REFUSED = { errors: [{ code: 'AccessDeniedHttpException', status: '403', detail: 'Cross-site request refused.' }] };

/** What a fetch from the SPA carries: its origin, the custom header, Fetch Metadata's verdict. */
const FROM_SITE = { Origin: FRONTEND_URL, 'X-Requested-With': 'fetch', 'Sec-Fetch-Site': 'same-site' };

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/** The session cookie a response set: its whole `Set-Cookie`, its value, and the `Cookie` header that sends it back. */
function sessionCookieOf(res: Response): { setCookie: string; value: string; header: string } {
  const setCookies = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  const setCookie = setCookies.find((line) => line.startsWith(`${COOKIE_NAME}=`));
  if (!setCookie) throw new Error(`no session cookie in ${JSON.stringify(setCookies)}`);
  const value = setCookie.slice(COOKIE_NAME.length + 1).split(';')[0];
  return { setCookie, value, header: `${COOKIE_NAME}=${value}` };
}

describe('browser sessions: the session cookie (issue 31)', () => {
  let t: MailingTestApp;
  beforeAll(async () => {
    t = await bootMailingTestApp({ FRONTEND_URL, CORS_ORIGINS: CORS_ORIGIN });
  });
  afterAll(async () => {
    await t?.close();
  });

  /** `POST /api/login` in cookie mode from the SPA; returns the answer and the cookie it set. */
  async function cookieLogin(user: Pick<TestUser, 'username' | 'password'>, headers: Record<string, string> = FROM_SITE) {
    const res = await t.http().post('/api/login').set(headers).send({ username: user.username, password: user.password, session: 'cookie' }).expect(200);
    return { res, cookie: sessionCookieOf(res) };
  }

  const sessionRows = (userId: number) =>
    t.db.query(
      `SELECT id, refresh_token_hash, cookie_secret_hash, revoked_at, expires_at FROM sessions WHERE user_id = $1 ORDER BY created_at, id`,
      [userId],
    ) as Promise<Array<{ id: string; refresh_token_hash: string | null; cookie_secret_hash: string | null; revoked_at: Date | null; expires_at: Date }>>;

  const firstNameOf = async (userId: number) => ((await t.db.query(`SELECT first_name FROM users WHERE id = $1`, [userId])) as Array<{ first_name: string | null }>)[0].first_name;

  describe('signing in with session: "cookie"', () => {
    it('answers no token, sets an opaque HttpOnly cookie with the attributes of a __Host- cookie, and stores only the secret’s hash', async () => {
      const user = await registerUser(t);
      const { res, cookie } = await cookieLogin(user);
      expect(res.body).toEqual({ authenticated: true, expires_in: 604800, device_token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
      expect(JSON.stringify(res.body)).not.toContain(cookie.value);
      expect(cookie.setCookie).toBe(`${COOKIE_NAME}=${cookie.value}; Max-Age=2592000; Path=/; HttpOnly; Secure; SameSite=Lax`);
      const [sessionId, secret] = cookie.value.split('.');
      expect(sessionId).toMatch(/^[A-Za-z0-9]{40}$/);
      expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const [row] = await sessionRows(user.id);
      expect(row).toMatchObject({ id: sessionId, refresh_token_hash: null, cookie_secret_hash: sha256(secret) });
      // Nothing in the row holds the cookie's secret itself.
      const [raw] = await t.db.query(`SELECT row_to_json(s)::text AS text FROM sessions s WHERE id = $1`, [sessionId]);
      expect(raw.text).not.toContain(secret);
    });

    it('authenticates every family’s reads like an access token, and lists the browser session beside the bearer ones', async () => {
      const user = await loggedInUser(t);
      const { cookie } = await cookieLogin(user);
      const me = await t.http().get('/api/me').set('Cookie', cookie.header).expect(200);
      expect(me.body.data.username).toBe(user.username);
      expect((await t.http().get('/api/v1/auth/user').set('Cookie', cookie.header).expect(200)).body.username).toBe(user.username);
      expect((await t.http().get('/api/client/account').set('Cookie', cookie.header).expect(200)).body.attributes.username).toBe(user.username);
      const listed = await t.http().get('/api/me/sessions').set('Cookie', cookie.header).expect(200);
      expect(listed.body.data.map((session: { id: string }) => session.id).sort()).toEqual((await sessionRows(user.id)).map((row) => row.id).sort());
      expect(listed.body.data).toHaveLength(2);
    });

    it('refuses a tampered, made-up, malformed or other-named cookie with 401, and needs one at all', async () => {
      const user = await registerUser(t);
      const { cookie } = await cookieLogin(user);
      const [sessionId, secret] = cookie.value.split('.');
      const flipped = `${sessionId}.${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`;
      for (const header of [
        `${COOKIE_NAME}=${flipped}`,
        `${COOKIE_NAME}=${'x'.repeat(40)}.${secret}`,
        `${COOKIE_NAME}=${sessionId}`,
        `${COOKIE_NAME}=`,
        `tessera_session=${cookie.value}`,
      ]) {
        await t.http().get('/api/me').set('Cookie', header).expect(401, { message: 'Unauthenticated.' });
      }
      await t.http().get('/api/me').expect(401);
      // Among other cookies, it is found.
      await t.http().get('/api/me').set('Cookie', `theme=dark; ${cookie.header}; lang=en`).expect(200);
    });

    it('judges a request with both credentials by its Authorization alone', async () => {
      const owner = await registerUser(t);
      const { cookie } = await cookieLogin(owner);
      const other = await loggedInUser(t);
      const me = await t.http().get('/api/me').set('Cookie', cookie.header).set(other.auth).expect(200);
      expect(me.body.data.username).toBe(other.username);
      await t.http().get('/api/me').set('Cookie', cookie.header).set('Authorization', 'Bearer not-a-token').expect(401);
      await t.http().get('/api/me').set('Cookie', cookie.header).set('Authorization', 'Basic Zm9vOmJhcg==').expect(401);
    });

    it('applies the ban, idle and revocation rules of an access token', async () => {
      const user = await registerUser(t);
      const { cookie } = await cookieLogin(user);
      const [sessionId] = cookie.value.split('.');
      await t.db.query(`UPDATE users SET status = 'Banned' WHERE id = $1`, [user.id]);
      await t.http().get('/api/me').set('Cookie', cookie.header).expect(403, { message: 'Your account is banned by administrator.' });
      await t.db.query(`UPDATE users SET status = 'Unconfirmed' WHERE id = $1`, [user.id]);
      await t.http().get('/api/me').set('Cookie', cookie.header).expect(200);
      await t.db.query(`UPDATE sessions SET last_activity = now() - interval '8 days' WHERE id = $1`, [sessionId]);
      await t.http().get('/api/me').set('Cookie', cookie.header).expect(401);
      await t.db.query(`UPDATE sessions SET last_activity = now() WHERE id = $1`, [sessionId]);
      await t.http().get('/api/me').set('Cookie', cookie.header).expect(200);
      await t.db.query(`UPDATE sessions SET expires_at = now() - interval '1 second' WHERE id = $1`, [sessionId]);
      await t.http().get('/api/me').set('Cookie', cookie.header).expect(401);
      await t.db.query(`UPDATE sessions SET expires_at = now() + interval '1 day' WHERE id = $1`, [sessionId]);
      // Revoked (from another session, by an admin, by a recovery): the cookie stops at once.
      await t.db.query(`UPDATE sessions SET revoked_at = now() WHERE id = $1`, [sessionId]);
      await t.http().get('/api/me').set('Cookie', cookie.header).expect(401);
    });

    it('reads the session in one statement, as an access token does', async () => {
      const user = await registerUser(t);
      const { cookie } = await cookieLogin(user);
      const queries = await queriesDuring(t, () => t.http().get('/api/me').set('Cookie', cookie.header).expect(200));
      expect(queries).toHaveLength(2);
      expect(queries[0]).toMatch(/^SELECT json_build_object\('.*FROM "sessions" "s" JOIN "users" "u"/s);
      expect(queries[1]).toBe('(pool connection)');
    });

    it('slides the session’s expiry with use: the batched activity write moves expires_at, and the answer renews Max-Age', async () => {
      const user = await registerUser(t);
      const { cookie } = await cookieLogin(user);
      const [sessionId] = cookie.value.split('.');
      // Used within the minute: nothing to write, no cookie sent.
      const quiet = await t.http().get('/api/me').set('Cookie', cookie.header).expect(200);
      expect(quiet.headers['set-cookie']).toBeUndefined();
      // Last used two minutes ago, expiring in an hour: this use slides it to SESSION_COOKIE_TTL from now.
      await t.db.query(`UPDATE sessions SET last_activity = now() - interval '2 minutes', expires_at = now() + interval '1 hour' WHERE id = $1`, [sessionId]);
      const used = await t.http().get('/api/me').set('Cookie', cookie.header).expect(200);
      expect(sessionCookieOf(used).setCookie).toBe(cookie.setCookie);
      await t.app.get(SessionsService).flushActivity();
      const [row] = await t.db.query(`SELECT extract(epoch FROM expires_at - now())::int AS left FROM sessions WHERE id = $1`, [sessionId]);
      expect(row.left).toBeGreaterThan(2592000 - 60);
      expect(row.left).toBeLessThanOrEqual(2592000);
    });

    it('offers no refresh: a bearer session’s refresh route knows nothing of it', async () => {
      const user = await registerUser(t);
      const { res } = await cookieLogin(user);
      expect(res.body.refresh_token).toBeUndefined();
      await t.http().post('/api/token/refresh').send({ refresh_token: 'x'.repeat(40) + '.1.' + 'y'.repeat(43) }).expect(401);
    });
  });

  describe('cross-site request forgery', () => {
    /** Every way a request can fail the check: each is refused with 403 and changes nothing. */
    const FORGED: Array<[string, Record<string, string>]> = [
      ['no Origin', { 'X-Requested-With': 'fetch' }],
      ['a foreign Origin', { Origin: FOREIGN_ORIGIN, 'X-Requested-With': 'fetch' }],
      ['Origin null (a sandboxed page)', { Origin: 'null', 'X-Requested-With': 'fetch' }],
      ['an allowed origin with another scheme', { Origin: 'http://app.example.test', 'X-Requested-With': 'fetch' }],
      ['no X-Requested-With (a form post)', { Origin: FRONTEND_URL }],
      ['Sec-Fetch-Site: cross-site', { Origin: FRONTEND_URL, 'X-Requested-With': 'fetch', 'Sec-Fetch-Site': 'cross-site' }],
    ];

    it.each(FORGED)('refuses a cookie-authenticated change with %s, in the family’s error shape, and changes nothing', async (_case, headers) => {
      const user = await loggedInUser(t);
      const { cookie } = await cookieLogin(user);
      const before = await sessionRows(user.id);
      await t.http().patch('/api/me/details').set('Cookie', cookie.header).set(headers).send({ first_name: 'Forged' }).expect(403, REFUSED);
      await t.http().delete('/api/me/sessions').set('Cookie', cookie.header).set(headers).expect(403, REFUSED);
      await t.http().post('/api/logout').set('Cookie', cookie.header).set(headers).expect(403, REFUSED);
      await t.http().post('/api/client/account/two-factor').set('Cookie', cookie.header).set(headers).send({ code: '123456', password: user.password }).expect(403, CLIENT_REFUSED);
      expect(await firstNameOf(user.id)).toBeNull();
      expect(await sessionRows(user.id)).toEqual(before);
      // Refused before the session is even read.
      expect(await queriesDuring(t, () => t.http().delete('/api/me/sessions').set('Cookie', cookie.header).set(headers).expect(403))).toEqual([]);
      // The very same requests from the site go through.
      await t.http().patch('/api/me/details').set('Cookie', cookie.header).set(FROM_SITE).send({ first_name: 'Real' }).expect(200);
      expect(await firstNameOf(user.id)).toBe('Real');
    });

    it('lets reads through without the headers (they change nothing), and allows every configured origin', async () => {
      const user = await registerUser(t);
      const { cookie } = await cookieLogin(user);
      await t.http().get('/api/me').set('Cookie', cookie.header).set('Origin', FOREIGN_ORIGIN).expect(200);
      for (const origin of [FRONTEND_URL, CORS_ORIGIN, new URL(t.config.appUrl).origin]) {
        for (const fetchSite of [undefined, 'same-origin', 'same-site', 'none']) {
          const request = t.http().patch('/api/me/details').set('Cookie', cookie.header).set({ Origin: origin, 'X-Requested-With': 'x' });
          if (fetchSite) request.set('Sec-Fetch-Site', fetchSite);
          await request.send({ first_name: `From ${new URL(origin).hostname}` }).expect(200);
        }
      }
    });

    it('never checks a bearer credential, even beside the cookie', async () => {
      const user = await loggedInUser(t);
      const { cookie } = await cookieLogin(user);
      await t.http().patch('/api/me/details').set(user.auth).set('Origin', FOREIGN_ORIGIN).send({ first_name: 'Bearer' }).expect(200);
      await t.http().patch('/api/me/details').set(user.auth).set('Cookie', cookie.header).set('Sec-Fetch-Site', 'cross-site').send({ first_name: 'Both' }).expect(200);
      expect(await firstNameOf(user.id)).toBe('Both');
    });

    it.each(FORGED)('refuses a cookie sign-in with %s before judging the password: no session, no failure counted', async (_case, headers) => {
      const user = await registerUser(t);
      await t.http().post('/api/login').set(headers).send({ username: user.username, password: user.password, session: 'cookie' }).expect(403, REFUSED);
      // A wrong password is not even judged (it would be a 422 and a counted failure).
      await t.http().post('/api/login').set(headers).send({ username: user.username, password: 'wrong password', session: 'cookie' }).expect(403, REFUSED);
      expect(await sessionRows(user.id)).toEqual([]);
      const [failures] = await t.db.query(`SELECT count(*)::int AS n FROM activity_logs WHERE user_id = $1 AND event = 'auth:login-failed'`, [user.id]);
      expect(failures.n).toBe(0);
      // A bearer sign-in is never checked.
      await t.http().post('/api/login').set(headers).send({ username: user.username, password: user.password }).expect(200);
    });
  });

  describe('two-factor and passkey sign-ins', () => {
    it('remembers the mode in the challenge, refuses its completion from another site without spending it, then sets the cookie', async () => {
      const user = await verifiedUser(t);
      const { secret } = await enableTotp(t, user);
      const started = await t.http().post('/api/login').set(FROM_SITE).send({ username: user.username, password: user.password, session: 'cookie' }).expect(200);
      expect(started.body).toEqual({ two_factor_required: true, challenge_token: expect.any(String), method: 'totp' });
      expect(started.headers['set-cookie']).toBeUndefined();
      const code = totpCode(secret, 1);
      const body = { challenge_token: started.body.challenge_token, code };
      await t.http().post('/api/login/two-factor').set({ Origin: FOREIGN_ORIGIN, 'X-Requested-With': 'x' }).send(body).expect(403, REFUSED);
      await t.http().post('/api/login/two-factor').send(body).expect(403, REFUSED);
      const [challenge] = await t.db.query(`SELECT attempts, consumed_at FROM two_factor_challenges WHERE user_id = $1`, [user.id]);
      expect(challenge).toEqual({ attempts: 0, consumed_at: null });
      const done = await t.http().post('/api/login/two-factor').set(FROM_SITE).send(body).expect(200);
      expect(done.body).toEqual({ authenticated: true, expires_in: 604800, device_token: expect.any(String) });
      const cookie = sessionCookieOf(done);
      expect((await t.http().get('/api/me').set('Cookie', cookie.header).expect(200)).body.data.username).toBe(user.username);
    });

    it('completes a bearer login’s challenge as before, whatever the headers', async () => {
      const user = await verifiedUser(t);
      const { secret } = await enableTotp(t, user);
      const started = await t.http().post('/api/login').send({ username: user.username, password: user.password }).expect(200);
      const done = await t
        .http()
        .post('/api/login/two-factor')
        .set('Origin', FOREIGN_ORIGIN)
        .send({ challenge_token: started.body.challenge_token, code: totpCode(secret, 1) })
        .expect(200);
      expect(done.body.token).toEqual(expect.any(String));
      expect(done.headers['set-cookie']).toBeUndefined();
    });

    it('signs in with a passkey in cookie mode; a cross-site attempt spends neither the challenge nor a failure', async () => {
      const user = await verifiedUser(t);
      const authenticator = new SoftwareAuthenticator(FRONTEND_URL);
      const creation = await t.http().post('/api/me/passkeys/options').set(user.auth).send({}).expect(200);
      await t.http().post('/api/me/passkeys').set(user.auth).send({ name: 'Laptop', response: authenticator.create(creation.body.data) }).expect(201);
      const options = await t.http().post('/api/login/passkey/options').send({ username: user.username }).expect(200);
      const body = { challenge_token: options.body.challenge_token, response: authenticator.get(options.body.options), session: 'cookie' };
      await t.http().post('/api/login/passkey').set({ Origin: FOREIGN_ORIGIN }).send(body).expect(403, REFUSED);
      const signedIn = await t.http().post('/api/login/passkey').set(FROM_SITE).send(body).expect(200);
      expect(signedIn.body).toEqual({ authenticated: true, expires_in: 604800, device_token: expect.any(String) });
      const cookie = sessionCookieOf(signedIn);
      expect((await t.http().get('/api/me').set('Cookie', cookie.header).expect(200)).body.data.username).toBe(user.username);
    });
  });

  describe('logout, password change and recovery', () => {
    it('logs out: revokes the session, expires the cookie and clears the site’s cookies', async () => {
      const user = await registerUser(t);
      const { cookie } = await cookieLogin(user);
      const res = await t.http().post('/api/logout').set('Cookie', cookie.header).set(FROM_SITE).expect(200, { success: true });
      expect(res.headers['set-cookie']).toEqual([`${COOKIE_NAME}=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax`]);
      expect(res.headers['clear-site-data']).toBe('"cookies"');
      const [row] = await sessionRows(user.id);
      expect(row.revoked_at).not.toBeNull();
      await t.http().get('/api/me').set('Cookie', cookie.header).expect(401);
    });

    it('leaves the cookie alone on a bearer logout', async () => {
      const user = await loggedInUser(t);
      const res = await t.http().post('/api/logout').set(user.auth).expect(200);
      expect(res.headers['set-cookie']).toBeUndefined();
      expect(res.headers['clear-site-data']).toBeUndefined();
    });

    it('gives the caller a new cookie value when they change the password: the old value stops working, the other sessions end', async () => {
      const user = await loggedInUser(t);
      const { cookie } = await cookieLogin(user);
      const other = await cookieLogin(user);
      const password = 'a brand new passphrase 7';
      const res = await t
        .http()
        .patch('/api/me/details/auth')
        .set('Cookie', cookie.header)
        .set(FROM_SITE)
        .send({ password, password_confirmation: password, current_password: user.password })
        .expect(200);
      const renewed = sessionCookieOf(res);
      expect(renewed.value).not.toBe(cookie.value);
      expect(renewed.value.split('.')[0]).toBe(cookie.value.split('.')[0]);
      expect(renewed.setCookie).toBe(`${COOKIE_NAME}=${renewed.value}; Max-Age=2592000; Path=/; HttpOnly; Secure; SameSite=Lax`);
      await t.http().get('/api/me').set('Cookie', cookie.header).expect(401);
      await t.http().get('/api/me').set('Cookie', renewed.header).expect(200);
      await t.http().get('/api/me').set('Cookie', other.cookie.header).expect(401);
      await t.http().get('/api/me').set(user.auth).expect(401);
    });

    it('ends browser and bearer sessions alike on a password reset', async () => {
      const user = await loggedInUser(t);
      const { cookie } = await cookieLogin(user);
      await t.http().post('/api/password/remind').send({ email: user.email }).expect(200);
      const token = await lastMailedToken(t, FRONTEND_URL, user.email, 'Reset your password', 'reset-password');
      const password = 'another fresh passphrase 9';
      await t.http().post('/api/password/reset').send({ token, email: user.email, password, password_confirmation: password }).expect(200);
      await t.http().get('/api/me').set('Cookie', cookie.header).expect(401);
      await t.http().get('/api/me').set(user.auth).expect(401);
      expect((await sessionRows(user.id)).every((row) => row.revoked_at !== null)).toBe(true);
    });
  });

  describe('CORS', () => {
    it('answers a preflight from an allowed origin with credentials, and one from a foreign origin with nothing', async () => {
      for (const origin of [CORS_ORIGIN, FRONTEND_URL]) {
        const res = await t
          .http()
          .options('/api/me/details')
          .set({ Origin: origin, 'Access-Control-Request-Method': 'PATCH', 'Access-Control-Request-Headers': 'content-type, x-requested-with' })
          .expect(204);
        expect(res.headers['access-control-allow-origin']).toBe(origin);
        expect(res.headers['access-control-allow-credentials']).toBe('true');
        expect(res.headers['access-control-allow-methods']).toContain('PATCH');
        expect(res.headers['access-control-allow-headers']?.toLowerCase()).toContain('x-requested-with');
        expect(res.headers.vary).toContain('Origin');
      }
      const foreign = await t
        .http()
        .options('/api/me/details')
        .set({ Origin: FOREIGN_ORIGIN, 'Access-Control-Request-Method': 'PATCH', 'Access-Control-Request-Headers': 'x-requested-with' });
      expect(foreign.headers['access-control-allow-origin']).toBeUndefined();
      expect(foreign.headers['access-control-allow-credentials']).toBeUndefined();
    });

    it('lets an allowed origin read a credentialed answer, and not a foreign one', async () => {
      const user = await registerUser(t);
      const { cookie } = await cookieLogin(user);
      const allowed = await t.http().get('/api/me').set('Cookie', cookie.header).set('Origin', CORS_ORIGIN).expect(200);
      expect(allowed.headers['access-control-allow-origin']).toBe(CORS_ORIGIN);
      expect(allowed.headers['access-control-allow-credentials']).toBe('true');
      const foreign = await t.http().get('/api/me').set('Cookie', cookie.header).set('Origin', FOREIGN_ORIGIN).expect(200);
      expect(foreign.headers['access-control-allow-origin']).toBeUndefined();
    });
  });

  describe('the OpenAPI document', () => {
    it('declares the cookie beside bearer on every protected operation, and the 403 of a refused cross-site change', async () => {
      const doc = (await t.http().get('/docs-json').expect(200)).body;
      expect(doc.components.securitySchemes.session_cookie).toMatchObject({ type: 'apiKey', in: 'cookie', name: COOKIE_NAME });
      for (const [path, item] of Object.entries(doc.paths) as Array<[string, Record<string, { security?: object[]; responses: Record<string, any> }>]>) {
        for (const [method, operation] of Object.entries(item)) {
          const security = operation.security ?? [];
          const protectedByBearer = security.some((requirement) => 'bearer' in requirement);
          expect([path, method, security.some((requirement) => 'session_cookie' in requirement)]).toEqual([path, method, protectedByBearer]);
          if (protectedByBearer && method !== 'get') {
            const examples = operation.responses['403'].content['application/json'].examples;
            expect([path, method, examples.CROSS_SITE_REFUSED]).toEqual([path, method, expect.objectContaining({ value: expect.anything() })]);
          }
        }
      }
      expect(doc.paths['/api/login'].post.responses['200'].headers['Set-Cookie']).toBeDefined();
      expect(doc.paths['/api/logout'].post.responses['200'].headers['Clear-Site-Data']).toBeDefined();
    });
  });
});

describe('browser sessions over plain http on a named host (development)', () => {
  const APP_URL = 'http://api.example.test:8080';
  let t: MailingTestApp;
  beforeAll(async () => {
    t = await bootMailingTestApp({ APP_URL });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('sets tessera_session without Secure (browsers would drop a Secure or __Host- cookie), and allows APP_URL’s origin', async () => {
    const user = await registerUser(t);
    const res = await t
      .http()
      .post('/api/login')
      .set({ Origin: APP_URL, 'X-Requested-With': 'fetch' })
      .send({ username: user.username, password: user.password, session: 'cookie' })
      .expect(200);
    const [setCookie] = res.headers['set-cookie'] as unknown as string[];
    expect(setCookie).toMatch(/^tessera_session=[A-Za-z0-9]{40}\.[A-Za-z0-9_-]{43}; Max-Age=2592000; Path=\/; HttpOnly; SameSite=Lax$/);
    const cookie = setCookie.split(';')[0];
    await t.http().get('/api/me').set('Cookie', cookie).expect(200);
    await t.http().get('/api/me').set('Cookie', `__Host-${cookie}`).expect(401);
    await t.http().post('/api/logout').set('Cookie', cookie).set({ Origin: FRONTEND_URL, 'X-Requested-With': 'fetch' }).expect(403, REFUSED);
    const out = await t.http().post('/api/logout').set('Cookie', cookie).set({ Origin: APP_URL, 'X-Requested-With': 'fetch' }).expect(200);
    expect(out.headers['set-cookie']).toEqual(['tessera_session=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax']);
  });
});
