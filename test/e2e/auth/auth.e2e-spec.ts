import { createHmac } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { bootTestApp, type TestApp } from '../../support/app.js';
import { bearer, loggedInUser, login, registerUser, uniqueName } from '../../support/factories.js';

const CREDENTIALS_ERROR = {
  message: 'The given data was invalid.',
  errors: { username: ['These credentials do not match our records.'] },
};

function base64url(value: object | string): string {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
}

describe('auth: register, login, refresh, logout', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await bootTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('register', () => {
    it('creates an Unconfirmed user and answers 201', async () => {
      const username = uniqueName();
      const res = await t
        .http()
        .post('/api/register')
        .send({ username, email: `${username}@example.com`, password: 'long enough pw', password_confirmation: 'long enough pw' })
        .expect(201);
      expect(res.body).toEqual({ requires_email_confirmation: true });
      const [row] = await t.db.query(`SELECT status, password FROM users WHERE username = $1`, [username]);
      expect(row.status).toBe('Unconfirmed');
      expect(row.password).toMatch(/^\$argon2id\$/);
    });

    it('refuses a taken username case-insensitively, naming it alone (an address in use is never named), and creates nothing', async () => {
      const user = await registerUser(t);
      const before = await t.db.query(`SELECT count(*)::int AS n FROM users`);
      const res = await t
        .http()
        .post('/api/register')
        .send({
          username: user.username.toUpperCase(),
          email: user.email.toUpperCase(),
          password: 'long enough pw',
          password_confirmation: 'long enough pw',
        })
        .expect(422);
      expect(Object.keys(res.body.errors)).toEqual(['username']);
      expect(await t.db.query(`SELECT count(*)::int AS n FROM users`)).toEqual(before);
    });

    it.each([
      ['missing fields', {}],
      ['short password', { password: 'short', password_confirmation: 'short' }],
      ['mismatched confirmation', { password: 'long enough pw', password_confirmation: 'long enough pW' }],
      ['bad username', { username: 'a b', password: 'long enough pw', password_confirmation: 'long enough pw' }],
      ['bad email', { email: 'not-an-email', password: 'long enough pw', password_confirmation: 'long enough pw' }],
      ['unknown field', { role_id: 1, password: 'long enough pw', password_confirmation: 'long enough pw' }],
      ['wrong type', { username: 12345, password: 'long enough pw', password_confirmation: 'long enough pw' }],
    ])('answers 422 for %s', async (_name, body) => {
      const username = uniqueName();
      const res = await t
        .http()
        .post('/api/register')
        .send({ username, email: `${username}@example.com`, ...body })
        .expect(422);
      expect(res.body.message).toBe('The given data was invalid.');
      expect(typeof res.body.errors).toBe('object');
      const rows = await t.db.query(`SELECT 1 FROM users WHERE username = $1`, [username]);
      expect(rows).toHaveLength(0);
    });

    it('names the unknown field', async () => {
      const res = await t.http().post('/api/register').send({ status: 'Active' }).expect(422);
      expect(res.body.errors.status).toEqual(['The status field is not allowed.']);
    });

    it('gives one success and one 422 for two concurrent registrations of one username', async () => {
      const username = uniqueName();
      const body = (suffix: string) => ({
        username,
        email: `${username}${suffix}@example.com`,
        password: 'long enough pw',
        password_confirmation: 'long enough pw',
      });
      const results = await Promise.all([t.http().post('/api/register').send(body('a')), t.http().post('/api/register').send(body('b'))]);
      expect(results.map((r) => r.status).sort()).toEqual([201, 422]);
    });
  });

  describe('login', () => {
    it('logs in by username and by email, case-insensitively, and sets last_login', async () => {
      const user = await registerUser(t);
      const byUsername = await login(t, user);
      expect(byUsername).toMatchObject({ token_type: 'Bearer', expires_in: 900 });
      expect(typeof byUsername.refresh_token).toBe('string');
      await login(t, { username: user.email.toUpperCase(), password: user.password });
      const [row] = await t.db.query(`SELECT last_login FROM users WHERE id = $1`, [user.id]);
      expect(row.last_login).not.toBeNull();
      const events = await t.db.query(`SELECT event FROM activity_logs WHERE user_id = $1 ORDER BY id`, [user.id]);
      expect(events.map((e: { event: string }) => e.event)).toEqual(['user:registered', 'auth:login', 'auth:login']);
    });

    it('answers the same 422 for an unknown user and a wrong password', async () => {
      const user = await registerUser(t);
      const wrong = await t.http().post('/api/login').send({ username: user.username, password: 'wrong password' }).expect(422);
      const unknown = await t.http().post('/api/login').send({ username: uniqueName(), password: 'wrong password' }).expect(422);
      expect(wrong.body).toEqual(CREDENTIALS_ERROR);
      expect(unknown.body).toEqual(CREDENTIALS_ERROR);
      const [failed] = await t.db.query(`SELECT count(*)::int AS n FROM activity_logs WHERE user_id = $1 AND event = 'auth:login-failed'`, [user.id]);
      expect(failed.n).toBe(1);
    });

    it('compares the password exactly as typed', async () => {
      const user = await registerUser(t, { password: 'Exact Password ' });
      await t.http().post('/api/login').send({ username: user.username, password: 'Exact Password' }).expect(422);
      await t.http().post('/api/login').send({ username: user.username, password: 'exact password ' }).expect(422);
      await login(t, user);
    });

    it('rehashes an outdated hash on login', async () => {
      const user = await registerUser(t);
      const argon2 = (await import('argon2')).default;
      const old = await argon2.hash(user.password, { type: argon2.argon2id, memoryCost: 2048, timeCost: 3, parallelism: 1 });
      await t.db.query(`UPDATE users SET password = $1 WHERE id = $2`, [old, user.id]);
      await login(t, user);
      const [row] = await t.db.query(`SELECT password FROM users WHERE id = $1`, [user.id]);
      expect(row.password).not.toBe(old);
      expect(row.password).toMatch(/^\$argon2id\$v=19\$m=1024,p=1,t=1\$/);
      await login(t, user);
    });

    it('refuses a Banned user with 403 on login and on every route', async () => {
      const user = await loggedInUser(t);
      await t.db.query(`UPDATE users SET status = 'Banned' WHERE id = $1`, [user.id]);
      await t.http().get('/api/me/sessions').set(user.auth).expect(403, { message: 'Your account is banned by administrator.' });
      await t.http().post('/api/logout').set(user.auth).expect(403);
      await t.http().post('/api/token/refresh').send({ refresh_token: user.tokens.refresh_token }).expect(403);
      const res = await t.http().post('/api/login').send({ username: user.username, password: user.password }).expect(403);
      expect(res.body).toEqual({ message: 'Your account is banned by administrator.' });
    });
  });

  describe('access tokens', () => {
    it('refuses missing, malformed, tampered, expired, alg:none, wrong-key and HS512 tokens with 401', async () => {
      const user = await loggedInUser(t);
      const [, payload] = user.tokens.token.split('.');
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
      const secret = t.config.jwtSecret!;
      const sign = (header: object, body: object, key: string, alg: 'sha256' | 'sha512' = 'sha256') => {
        const head = base64url(header);
        const data = base64url(body);
        return `${head}.${data}.${createHmac(alg, key).update(`${head}.${data}`).digest('base64url')}`;
      };
      const now = Math.floor(Date.now() / 1000);
      const tokens = {
        malformed: 'not-a-token',
        tampered: `${user.tokens.token.split('.')[0]}.${base64url({ ...claims, sub: String(claims.sub + 1) })}.${user.tokens.token.split('.')[2]}`,
        expired: jwt.sign({ ...claims, iat: now - 3600, exp: now - 1800 }, secret, { algorithm: 'HS256' }),
        none: `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(claims)}.`,
        wrongKey: jwt.sign(claims, 'another-secret-that-is-long-enough-0123456789', { algorithm: 'HS256' }),
        hs512: sign({ alg: 'HS512', typ: 'JWT' }, claims, secret, 'sha512'),
        kid: sign({ alg: 'HS256', typ: 'JWT', kid: '../../dev/null' }, { ...claims, sub: '999999' }, ''),
        jku: sign({ alg: 'HS256', typ: 'JWT', jku: 'http://127.0.0.1:1/keys.json' }, claims, 'attacker'),
      };
      await t.http().get('/api/me/sessions').expect(401, { message: 'Unauthenticated.' });
      for (const [name, token] of Object.entries(tokens)) {
        const res = await t.http().get('/api/me/sessions').set(bearer(token));
        expect({ name, status: res.status, body: res.body }).toEqual({ name, status: 401, body: { message: 'Unauthenticated.' } });
      }
      await t.http().get('/api/me/sessions').set(user.auth).expect(200);
    });
  });

  describe('refresh rotation', () => {
    it('rotates: the new pair works and the old refresh token is spent', async () => {
      const user = await loggedInUser(t);
      const first = await t.http().post('/api/token/refresh').send({ refresh_token: user.tokens.refresh_token }).expect(200);
      expect(first.body.refresh_token).not.toBe(user.tokens.refresh_token);
      await t.http().get('/api/me/sessions').set(bearer(first.body.token)).expect(200);
      const second = await t.http().post('/api/token/refresh').send({ refresh_token: first.body.refresh_token }).expect(200);
      expect(second.body.refresh_token).not.toBe(first.body.refresh_token);
    });

    it('gives the same new pair to a second refresh of one token inside the grace window, even concurrently', async () => {
      const user = await loggedInUser(t);
      const [a, b] = await Promise.all([
        t.http().post('/api/token/refresh').send({ refresh_token: user.tokens.refresh_token }),
        t.http().post('/api/token/refresh').send({ refresh_token: user.tokens.refresh_token }),
      ]);
      expect([a.status, b.status]).toEqual([200, 200]);
      expect(a.body.token).toBe(b.body.token);
      expect(a.body.refresh_token).toBe(b.body.refresh_token);
      await t.http().get('/api/me/sessions').set(bearer(a.body.token)).expect(200);
    });

    it('revokes the whole session when a spent token is presented after the grace window', async () => {
      const user = await loggedInUser(t);
      const rotated = await t.http().post('/api/token/refresh').send({ refresh_token: user.tokens.refresh_token }).expect(200);
      // Move the clock: the rotation happened 11 seconds ago.
      await t.db.query(`UPDATE sessions SET rotated_at = rotated_at - interval '11 seconds' WHERE user_id = $1`, [user.id]);
      await t.http().post('/api/token/refresh').send({ refresh_token: user.tokens.refresh_token }).expect(401);
      await t.http().get('/api/me/sessions').set(bearer(rotated.body.token)).expect(401);
      await t.http().post('/api/token/refresh').send({ refresh_token: rotated.body.refresh_token }).expect(401);
    });

    it('revokes the session when a token two generations old comes back', async () => {
      const user = await loggedInUser(t);
      const one = await t.http().post('/api/token/refresh').send({ refresh_token: user.tokens.refresh_token }).expect(200);
      const two = await t.http().post('/api/token/refresh').send({ refresh_token: one.body.refresh_token }).expect(200);
      await t.http().post('/api/token/refresh').send({ refresh_token: user.tokens.refresh_token }).expect(401);
      await t.http().get('/api/me/sessions').set(bearer(two.body.token)).expect(401);
    });

    it('refuses forged and malformed refresh tokens without touching the session', async () => {
      const user = await loggedInUser(t);
      const [sid, gen] = user.tokens.refresh_token.split('.');
      await t.http().post('/api/token/refresh').send({ refresh_token: `${sid}.${gen}.${'A'.repeat(43)}` }).expect(401);
      await t.http().post('/api/token/refresh').send({ refresh_token: 'garbage' }).expect(401);
      await t.http().post('/api/token/refresh').send({ refresh_token: 42 }).expect(422);
      await t.http().post('/api/token/refresh').send({}).expect(422);
      await t.http().get('/api/me/sessions').set(user.auth).expect(200);
    });
  });

  describe('logout and revocation', () => {
    it('logout revokes the session on the very next request', async () => {
      const user = await loggedInUser(t);
      await t.http().post('/api/logout').set(user.auth).expect(200, { success: true });
      await t.http().get('/api/me/sessions').set(user.auth).expect(401);
      await t.http().post('/api/token/refresh').send({ refresh_token: user.tokens.refresh_token }).expect(401);
    });

    it('a session revoked from another device is refused at once', async () => {
      const user = await loggedInUser(t);
      const other = await login(t, user, 'other device');
      const list = await t.http().get('/api/me/sessions').set(user.auth).expect(200);
      const otherSession = list.body.data.find((s: { user_agent: string }) => s.user_agent === 'other device');
      await t.http().delete(`/api/sessions/${otherSession.id}`).set(user.auth).expect(200, { success: true });
      await t.http().get('/api/me/sessions').set(bearer(other.token)).expect(401);
      await t.http().get('/api/me/sessions').set(user.auth).expect(200);
    });
  });
});
