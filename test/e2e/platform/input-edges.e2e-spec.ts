import jwt from 'jsonwebtoken';
import { bootTestApp, type TestApp } from '../../support/app.js';
import { bearer, loggedInUser, login, makeAdmin, registerUser, type LoggedInUser } from '../../support/factories.js';
import { pngWithAlpha } from '../../support/images.js';

const NUL = '\u0000';

/** Laravel shape: a 422 naming exactly these fields. */
function expectFields(body: { message: string; errors?: Record<string, string[]> }, ...fields: string[]): void {
  expect(body.message).toBe('The given data was invalid.');
  expect(Object.keys(body.errors ?? {}).sort()).toEqual([...fields].sort());
}

describe('input edges (issue 19)', () => {
  let t: TestApp;
  let user: LoggedInUser;
  let admin: LoggedInUser;
  beforeAll(async () => {
    t = await bootTestApp();
    user = await loggedInUser(t);
    admin = await loggedInUser(t);
    await makeAdmin(t, admin.id);
  });
  afterAll(async () => {
    await t.close();
  });

  describe('NUL and other control characters (was 500)', () => {
    it('POST /api/login: 422 naming username, device_name', async () => {
      const res = await t.http().post('/api/login').send({ username: `a${NUL}b`, password: 'x', device_name: `d${NUL}` }).expect(422);
      expectFields(res.body, 'username', 'device_name');
      expect(res.body.errors.username).toEqual(['The username field must not contain control characters.']);
    });

    it('POST /api/register: 422 naming first_name; nothing is written', async () => {
      const res = await t
        .http()
        .post('/api/register')
        .send({ username: 'nul_user_x', email: 'nul_user_x@example.com', password: 'pw-123456789abc', password_confirmation: 'pw-123456789abc', first_name: `J${NUL}` })
        .expect(422);
      expectFields(res.body, 'first_name');
      expect(await t.db.query(`SELECT 1 FROM users WHERE username = 'nul_user_x'`)).toHaveLength(0);
    });

    it('PATCH /api/me/details and PUT /api/me/avatar/external: 422 naming the field', async () => {
      expectFields((await t.http().patch('/api/me/details').set(user.auth).send({ last_name: `x${NUL}` }).expect(422)).body, 'last_name');
      expectFields((await t.http().patch('/api/me/details').set(user.auth).send({ address: 'bell\u0007' }).expect(422)).body, 'address');
      const external = await t.http().put('/api/me/avatar/external').set(user.auth).send({ url: `https://example.com/${NUL}.png` }).expect(422);
      expectFields(external.body, 'url');
    });

    it('keeps tab and newline in body text', async () => {
      await t.http().patch('/api/me/details').set(user.auth).send({ address: 'Line 1\nLine\t2' }).expect(200);
    });

    it('POST /api/client/account/api-keys: 422 in the client shape', async () => {
      const res = await t.http().post('/api/client/account/api-keys').set(user.auth).send({ description: `k${NUL}` }).expect(422);
      expect(res.body.errors).toEqual([
        expect.objectContaining({ code: 'ValidationException', status: '422', meta: { source_field: 'description', rule: 'regex' } }),
      ]);
    });

    it('GET/DELETE /api/sessions/%00: 404', async () => {
      await t.http().get('/api/sessions/%00').set(user.auth).expect(404, { message: 'Not Found.' });
      await t.http().delete('/api/sessions/%00').set(user.auth).expect(404, { message: 'Not Found.' });
    });

    it('POST /api/v1/auth/user/profile, JSON and multipart: 422 naming the field', async () => {
      expectFields((await t.http().post('/api/v1/auth/user/profile').set(user.auth).send({ name: `a${NUL}` }).expect(422)).body, 'name');
      const multipart = await t.http().post('/api/v1/auth/user/profile').set(user.auth).field('last_name', `b${NUL}`).expect(422);
      expectFields(multipart.body, 'last_name');
    });

    it('query strings: activity filter[event] (client) and admin filter[search]', async () => {
      const activity = await t.http().get('/api/client/account/activity?filter[event]=%00').set(user.auth).expect(422);
      expect(activity.body.errors[0].meta).toEqual({ source_field: 'filter[event]', rule: 'regex' });
      expectFields((await t.http().get('/api/users?filter[search]=%00').set(admin.auth).expect(422)).body, 'filter[search]');
    });

    it('POST /api/users and PATCH /api/users/{id}: 422 naming the field', async () => {
      const created = await t
        .http()
        .post('/api/users')
        .set(admin.auth)
        .send({ email: 'nul_admin_x@example.com', username: `nul${NUL}`, password: 'pw-123456789abc', password_confirmation: 'pw-123456789abc' })
        .expect(422);
      expectFields(created.body, 'username');
      expectFields((await t.http().patch(`/api/users/${user.id}`).set(admin.auth).send({ first_name: `x${NUL}` }).expect(422)).body, 'first_name');
    });

    it('lone surrogates are refused (PostgreSQL would store U+FFFD)', async () => {
      const res = await t.http().patch('/api/me/details').set(user.auth).set('Content-Type', 'application/json').send('{"last_name":"a\\ud800b"}').expect(422);
      expect(res.body.errors.last_name).toEqual(['The last_name field must be valid UTF-8 text.']);
    });
  });

  describe('body shape before class-transformer', () => {
    it('refuses __proto__, constructor and prototype like any unknown key (was 200)', async () => {
      for (const key of ['__proto__', 'constructor', 'prototype']) {
        const res = await t.http().patch('/api/me/details').set(user.auth).set('Content-Type', 'application/json').send(`{"${key}":{"x":1},"last_name":"Doe"}`).expect(422);
        expect(res.body.errors).toEqual({ [key]: [`The ${key} field is not allowed.`] });
      }
      const nested = await t.http().post('/api/v1/auth/user/profile').set(user.auth).set('Content-Type', 'application/json').send('{"settings":{"__proto__":{"admin":true}}}').expect(422);
      expect(Object.keys(nested.body.errors)).toEqual(['settings.__proto__']);
    });

    it('refuses nesting deeper than 16 with 422 (not a 500)', async () => {
      let deep: unknown = 'x';
      for (let i = 0; i < 20; i += 1) deep = { a: deep };
      const res = await t.http().patch('/api/me/details').set(user.auth).send({ address: deep }).expect(422);
      expect(Object.values(res.body.errors).flat().join(' ')).toMatch(/nested too deeply/);
      let array: unknown = [];
      for (let i = 0; i < 1000; i += 1) array = [array];
      const arrays = await t.http().patch('/api/me/details').set(user.auth).send({ address: array }).expect(422);
      expect(Object.keys(arrays.body.errors)).toEqual([`address${'.0'.repeat(15)}`]);
    });

    it('?page=1&page=2 gets one clear message', async () => {
      const res = await t.http().get('/api/users?page=1&page=2').set(admin.auth).expect(422);
      expect(res.body.errors).toEqual({ page: ['The page field must be given only once.'] });
    });
  });

  describe('media types', () => {
    it('a charset other than UTF-8 is 415 (was decoded and applied)', async () => {
      const res = await t.http().patch('/api/me/details').set(user.auth).set('Content-Type', 'application/json; charset=utf-7').send('{"last_name":"+AEQ-oe"}').expect(415);
      expect(res.body).toEqual({ message: 'The request body must be application/json, in UTF-8.' });
      await t.http().patch('/api/me/details').set(user.auth).set('Content-Type', 'application/json; charset=UTF-8').send('{"last_name":"Doe"}').expect(200);
    });

    it('form-urlencoded on a JSON-only route and text/plain are 415 in the family shape (were 200)', async () => {
      await t.http().patch('/api/me/details').set(user.auth).type('form').send('last_name=Form').expect(415);
      await t.http().patch('/api/me/details').set(user.auth).set('Content-Type', 'text/plain').send('last_name=Text').expect(415);
      const client = await t.http().post('/api/client/account/api-keys').set(user.auth).set('Content-Type', 'text/plain').send('hello').expect(415);
      expect(client.body.errors[0]).toMatchObject({ code: 'UnsupportedMediaTypeHttpException', status: '415' });
      const [row] = await t.db.query(`SELECT last_name FROM users WHERE id = $1`, [user.id]);
      expect(row.last_name).not.toBe('Form');
    });

    it('a body with no Content-Type is 415', async () => {
      const res = await t.http().post('/api/login').set('Content-Type', '').send('{"username":"a","password":"b"}');
      expect(res.status).toBe(415);
    });
  });

  describe('paths and methods', () => {
    it('a path outside /api is a 404 in JSON (was an HTML page)', async () => {
      const res = await t.http().get('/does-not-exist').expect(404);
      expect(res.type).toBe('application/json');
      expect(res.body).toEqual({ message: 'Not Found.' });
    });

    it('a known path with an unsupported method is 405 with Allow (was 404)', async () => {
      const res = await t.http().put('/api/me').set(user.auth).send({}).expect(405);
      // DELETE is the account's deletion (issue 22).
      expect(res.headers.allow).toBe('GET, DELETE, HEAD');
      expect(res.body).toEqual({ message: 'Method Not Allowed.' });
      const client = await t.http().patch('/api/client/account').set(user.auth).send({}).expect(405);
      expect(client.headers.allow).toBe('GET, DELETE, HEAD');
      expect(client.body.errors[0]).toMatchObject({ code: 'MethodNotAllowedHttpException', status: '405' });
    });
  });

  describe('smaller defects', () => {
    it('accepts a birthday in the years 0001 to 0099 (was refused)', async () => {
      await t.http().patch('/api/me/details').set(user.auth).send({ birthday: '0050-06-01' }).expect(200);
      const res = await t.http().get('/api/me').set(user.auth).expect(200);
      expect(res.body.data?.birthday ?? res.body.birthday).toBe('0050-06-01');
    });

    it('names a UTF-8 multipart field correctly in errors (was garbled as latin1)', async () => {
      const res = await t.http().post('/api/me/avatar').set(user.auth).attach('slika_č', await pngWithAlpha(10, 10), 'a.png').expect(422);
      expect(Object.keys(res.body.errors)).toEqual(['slika_č']);
    });

    it('an empty multipart part name on the profile route is a 422 naming the field (was a bare 400)', async () => {
      const boundary = 'tessera-boundary';
      const body = `--${boundary}\r\nContent-Disposition: form-data; name=""\r\n\r\nx\r\n--${boundary}--\r\n`;
      const res = await t.http().post('/api/v1/auth/user/profile').set(user.auth).set('Content-Type', `multipart/form-data; boundary=${boundary}`).send(body).expect(422);
      expect(res.body.errors).toEqual({ input: ['Every part of the form needs a field name.'] });
    });
  });

  describe('X-Forwarded-For', () => {
    it('ignores a value that is not an IP address (the socket address counts)', async () => {
      const proxied = await bootTestApp({ TRUST_PROXY: 'loopback' });
      try {
        const someone = await registerUser(proxied);
        const res = await proxied.http().post('/api/login').set('X-Forwarded-For', 'not-an-ip').send({ username: someone.username, password: someone.password }).expect(200);
        const sessions = await proxied.http().get('/api/me/sessions').set(bearer(res.body.token)).expect(200);
        const ips = JSON.stringify(sessions.body);
        expect(ips).not.toContain('not-an-ip');
        const [row] = await proxied.db.query(`SELECT ip_address FROM sessions WHERE user_id = $1`, [someone.id]);
        expect(row.ip_address).toMatch(/^(::ffff:)?127\.0\.0\.1$|^::1$/);
        // What the proxy appended after a made-up entry still counts.
        await proxied.http().post('/api/login').set('X-Forwarded-For', 'forged, 203.0.113.9').send({ username: someone.username, password: someone.password }).expect(200);
        const rows = await proxied.db.query(`SELECT ip_address FROM sessions WHERE user_id = $1 ORDER BY logged_in_at`, [someone.id]);
        expect(rows.map((r: { ip_address: string }) => r.ip_address)).toContain('203.0.113.9');
      } finally {
        await proxied.close();
      }
    });
  });

  describe('access-token claims (docs/security.md#access-tokens)', () => {
    const secret = () => t.config.jwtSecret!;
    async function sidOf(u: LoggedInUser): Promise<string> {
      return (jwt.decode(u.tokens.token) as { sid: string }).sid;
    }
    const now = () => Math.floor(Date.now() / 1000);
    // jsonwebtoken drops a given iat under noTimestamp: only ask for it when the token is to have none.
    const signed = (payload: Record<string, unknown>) =>
      jwt.sign(payload, secret(), { algorithm: 'HS256', noTimestamp: payload.iat === undefined });

    it('the issued token carries exp, iat, sub, sid, iss and aud', () => {
      const claims = jwt.decode(user.tokens.token) as Record<string, unknown>;
      expect(claims).toMatchObject({ sub: String(user.id), iss: expect.any(String), aud: expect.any(String) });
      expect((claims.exp as number) - (claims.iat as number)).toBe(t.config.accessTokenTtlSeconds);
    });

    it('refuses a token without exp, without iat, with a ten-year exp, or without iss/aud (were accepted)', async () => {
      const sid = await sidOf(user);
      const good = jwt.decode(user.tokens.token) as Record<string, unknown>;
      const { iss, aud } = good;
      const base = { sub: String(user.id), sid, gen: good.gen, iss, aud };
      await t.http().get('/api/me').set(bearer(signed({ ...base, iat: now(), exp: now() + 600 }))).expect(200);
      await t.http().get('/api/me').set(bearer(signed({ ...base, iat: now() }))).expect(401);
      await t.http().get('/api/me').set(bearer(signed({ ...base, exp: now() + 600 }))).expect(401);
      await t.http().get('/api/me').set(bearer(signed({ ...base, iat: now(), exp: now() + 10 * 365 * 86400 }))).expect(401);
      await t.http().get('/api/me').set(bearer(signed({ ...base, iat: now() - 3600, exp: now() + 600 }))).expect(401);
      await t.http().get('/api/me').set(bearer(signed({ ...base, iss: undefined, iat: now(), exp: now() + 600 }))).expect(401);
      await t.http().get('/api/me').set(bearer(signed({ ...base, aud: 'elsewhere', iat: now(), exp: now() + 600 }))).expect(401);
      await t.http().get('/api/me').set(bearer(signed({ ...base, sid: undefined, iat: now(), exp: now() + 600 }))).expect(401);
    });
  });

  describe('Cache-Control on responses with tokens', () => {
    it('POST /api/login and /api/token/refresh answer no-store and Pragma no-cache (login had neither)', async () => {
      const someone = await registerUser(t);
      const res = await t.http().post('/api/login').send({ username: someone.username, password: someone.password }).expect(200);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers.pragma).toBe('no-cache');
      const refreshed = await t.http().post('/api/token/refresh').send({ refresh_token: res.body.refresh_token }).expect(200);
      expect(refreshed.headers['cache-control']).toBe('no-store');
      expect(refreshed.headers.pragma).toBe('no-cache');
      await login(t, someone);
    });
  });
});
