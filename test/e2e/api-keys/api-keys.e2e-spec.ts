import { jest } from '@jest/globals';
import { createHash } from 'node:crypto';
import { bootTestApp, type TestApp } from '../../support/app.js';
import { bearer, verifiedUser, type LoggedInUser } from '../../support/factories.js';
import { ApiKeysService } from '../../../src/capabilities/api-keys/api-keys.service.js';

const KEYS = '/api/client/account/api-keys';
const KEY_PATTERN = /^(ptlc_[A-Za-z0-9]{11})([A-Za-z0-9]{32})$/;
const ISO_OFFSET = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/;
/** Both loopback forms, so the "allowed" cases hold whichever way supertest reaches the server. */
const LOOPBACK = ['127.0.0.1', '::1'];
const UNAUTHENTICATED_CLIENT = { errors: [{ code: 'AuthenticationException', status: '401', detail: 'Unauthenticated.' }] };
const DEFAULT_SCOPES = ['account.read', 'account.write', 'activity.read', 'sessions.read', 'sessions.write', 'organizations.read', 'organizations.write'];

interface CreatedKey {
  identifier: string;
  token: string;
  secret: string;
  auth: { Authorization: string };
}

async function createKey(t: TestApp, owner: { auth: { Authorization: string } }, body: object = {}): Promise<CreatedKey> {
  const res = await t
    .http()
    .post(KEYS)
    .set(owner.auth)
    .send({ description: 'test key', ...body })
    .expect(200);
  const token = res.body.meta.secret_token as string;
  const [, identifier, secret] = KEY_PATTERN.exec(token) ?? [];
  if (!identifier) throw new Error(`unexpected key ${token}`);
  return { identifier, token, secret, auth: bearer(token) };
}

async function keyCount(t: TestApp, userId: number): Promise<number> {
  const [row] = await t.db.query(`SELECT count(*)::int AS n FROM api_keys WHERE user_id = $1`, [userId]);
  return row.n as number;
}

async function events(t: TestApp, userId: number, event: string): Promise<Array<Record<string, unknown>>> {
  return t.db.query(
    `SELECT event, is_api, api_key_identifier, ip, properties FROM activity_logs WHERE user_id = $1 AND event = $2 ORDER BY id`,
    [userId, event],
  );
}

describe('api keys', () => {
  let t: TestApp;
  /** The same app behind a trusted loopback proxy: X-Forwarded-For decides the client IP. */
  let proxied: TestApp;
  beforeAll(async () => {
    t = await bootTestApp();
    proxied = await bootTestApp({ TRUST_PROXY: 'loopback' });
  });
  afterAll(async () => {
    await proxied?.close();
    await t?.close();
  });

  describe('create, list, use, delete', () => {
    it('creates a key shown once, works on every family, and stops working once deleted', async () => {
      const user = await verifiedUser(t);
      const res = await t
        .http()
        .post(KEYS)
        .set(user.auth)
        .send({ description: 'Deploy script', allowed_ips: [] })
        .expect(200);
      expect(res.headers['cache-control']).toBe('no-store');
      const token = res.body.meta.secret_token as string;
      expect(token).toMatch(KEY_PATTERN);
      const identifier = token.slice(0, 16);
      expect(res.body).toEqual({
        object: 'api_key',
        attributes: {
          identifier,
          description: 'Deploy script',
          allowed_ips: [],
          last_used_at: null,
          created_at: expect.stringMatching(ISO_OFFSET),
          scopes: DEFAULT_SCOPES,
          expires_at: null,
          expired: false,
          last_used_ip: null,
        },
        meta: { secret_token: token },
      });

      const key = bearer(token);
      await t.http().get('/api/me/sessions').set(key).expect(200);
      expect((await t.http().get('/api/me').set(key).expect(200)).body.data.id).toBe(user.id);
      expect((await t.http().get('/api/v1/auth/user').set(key).expect(200)).body.username).toBe(user.username);
      expect((await t.http().get('/api/client/account').set(key).expect(200)).body.attributes.id).toBe(user.id);

      const list = await t.http().get(KEYS).set(user.auth).expect(200);
      expect(list.headers['cache-control']).toBe('no-store');
      expect(list.body).toEqual({
        object: 'list',
        data: [
          {
            object: 'api_key',
            attributes: {
              identifier,
              description: 'Deploy script',
              allowed_ips: [],
              last_used_at: expect.stringMatching(ISO_OFFSET),
              created_at: expect.stringMatching(ISO_OFFSET),
              scopes: DEFAULT_SCOPES,
              expires_at: null,
              expired: false,
              last_used_ip: expect.stringMatching(/^(127\.0\.0\.1|::1|::ffff:127\.0\.0\.1)$/),
            },
          },
        ],
      });
      expect(JSON.stringify(list.body)).not.toContain(token.slice(16));

      await t.http().delete(`${KEYS}/${identifier}`).set(user.auth).expect(204);
      await t.http().get('/api/me/sessions').set(key).expect(401, { message: 'Unauthenticated.' });
      await t.http().get('/api/client/account').set(key).expect(401, UNAUTHENTICATED_CLIENT);
      expect((await t.http().get(KEYS).set(user.auth).expect(200)).body.data).toEqual([]);

      const created = await events(t, user.id, 'user:api-key.create');
      const deleted = await events(t, user.id, 'user:api-key.delete');
      expect(created).toEqual([
        expect.objectContaining({ is_api: false, properties: { identifier, scopes: DEFAULT_SCOPES.join(' '), expires_at: null } }),
      ]);
      expect(deleted).toEqual([expect.objectContaining({ is_api: false, properties: { identifier } })]);
    });

    it('keeps only a hash of the secret: the row cannot give the key back', async () => {
      const user = await verifiedUser(t);
      const key = await createKey(t, user);
      const [row] = await t.db.query(`SELECT * FROM api_keys WHERE identifier = $1`, [key.identifier]);
      expect(row.user_id).toBe(user.id);
      expect(row.secret_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(row.secret_hash).not.toBe(key.secret);
      expect(row.secret_hash).toBe(createHash('sha256').update(key.secret).digest('hex'));
      expect(JSON.stringify(row)).not.toContain(key.secret);
    });

    it('lists and deletes keys with a key, records is_api and the identifier, but never creates a key with one (403)', async () => {
      const user = await verifiedUser(t);
      const first = await createKey(t, user);
      const second = await createKey(t, user);
      // Creating a key is a credential change (docs/security.md#proof-for-credential-changes): a stolen key must not mint more, even with the password.
      for (const body of [{ description: 'minted' }, { description: 'minted', current_password: user.password }]) {
        await t
          .http()
          .post(KEYS)
          .set(first.auth)
          .send(body)
          .expect(403, { errors: [{ code: 'AccessDeniedHttpException', status: '403', detail: 'API keys cannot change credentials.' }] });
      }
      expect(await keyCount(t, user.id)).toBe(2);
      expect((await t.http().get(KEYS).set(first.auth).expect(200)).body.data).toHaveLength(2);
      await t.http().delete(`${KEYS}/${second.identifier}`).set(first.auth).expect(204);
      const [deleted] = await events(t, user.id, 'user:api-key.delete');
      expect(deleted).toMatchObject({ is_api: true, api_key_identifier: first.identifier, properties: { identifier: second.identifier } });
    });

    it('lists only the caller\'s keys, and answers 404 for another user\'s identifier or an unknown one', async () => {
      const owner = await verifiedUser(t);
      const stranger = await verifiedUser(t);
      const key = await createKey(t, owner);
      expect((await t.http().get(KEYS).set(stranger.auth).expect(200)).body.data).toEqual([]);
      const notFound = {
        errors: [{ code: 'NotFoundHttpException', status: '404', detail: 'The requested resource could not be found on the server.' }],
      };
      await t.http().delete(`${KEYS}/${key.identifier}`).set(stranger.auth).expect(404, notFound);
      await t.http().delete(`${KEYS}/ptlc_00000000000`).set(owner.auth).expect(404, notFound);
      await t.http().delete(`${KEYS}/not-an-identifier`).set(owner.auth).expect(404, notFound);
      await t.http().get('/api/me/sessions').set(key.auth).expect(200);
      expect(await keyCount(t, owner.id)).toBe(1);
    });

    it('refuses keys past 25 with a 400, also when the requests race', async () => {
      const user = await verifiedUser(t);
      const results = await Promise.all(
        Array.from({ length: 30 }, (_, i) => t.http().post(KEYS).set(user.auth).send({ description: `key ${i}` })),
      );
      expect(results.filter((r) => r.status === 200)).toHaveLength(25);
      const refused = results.filter((r) => r.status !== 200);
      expect(refused).toHaveLength(5);
      for (const res of refused) {
        expect(res.body).toEqual({
          errors: [{ code: 'BadRequestHttpException', status: '400', detail: 'You have reached the account limit for number of API keys.' }],
        });
      }
      expect(await keyCount(t, user.id)).toBe(25);
      await t.http().post(KEYS).set(user.auth).send({ description: 'the 26th' }).expect(400);
    });
  });

  describe('validation', () => {
    let user: LoggedInUser;
    beforeAll(async () => {
      user = await verifiedUser(t);
    });
    afterEach(async () => {
      expect(await keyCount(t, user.id)).toBe(0);
    });

    it.each([
      ['a missing description', {}, [['description', 'required']]],
      ['a 501-character description', { description: 'x'.repeat(501) }, [['description', 'max']]],
      ['51 allowed_ips', { description: 'd', allowed_ips: Array.from({ length: 51 }, (_, i) => `10.0.0.${i}`) }, [['allowed_ips', 'max']]],
      ['allowed_ips that is not an array', { description: 'd', allowed_ips: '10.0.0.1' }, [['allowed_ips', 'max'], ['allowed_ips', 'array']]],
      [
        'bad entries, reported per index',
        { description: 'd', allowed_ips: ['10.0.0.1', '2001:db8::/32', 'not-an-ip', '10.0.0.0/33', 7] },
        [['allowed_ips.2', 'ip'], ['allowed_ips.3', 'ip'], ['allowed_ips.4', 'ip']],
      ],
      ['an unknown field', { description: 'd', user_id: 1 }, [['user_id', 'prohibited']]],
      ['a wrong type', { description: 12 }, [['description', 'max'], ['description', 'string']]],
    ])('answers 422 for %s and creates nothing', async (_name, body, expected) => {
      const res = await t.http().post(KEYS).set(user.auth).send(body).expect(422);
      const reported = (res.body.errors as Array<{ code: string; status: string; meta: { source_field: string; rule: string } }>).map(
        (e) => [e.meta.source_field, e.meta.rule],
      );
      expect(reported).toEqual(expected);
      expect(res.body.errors[0]).toMatchObject({ code: 'ValidationException', status: '422' });
    });

    it('accepts 500 characters and 50 entries, stored in canonical form', async () => {
      const ips = [...Array.from({ length: 48 }, (_, i) => `10.0.0.${i}`), '2001:DB8:0:0::1', '192.168.1.77/24'];
      const res = await t.http().post(KEYS).set(user.auth).send({ description: 'x'.repeat(500), allowed_ips: ips }).expect(200);
      expect(res.body.attributes.allowed_ips.slice(-2)).toEqual(['2001:db8::1', '192.168.1.0/24']);
      await t.db.query(`DELETE FROM api_keys WHERE user_id = $1`, [user.id]);
    });
  });

  describe('authentication', () => {
    it('refuses a wrong secret with a right identifier', async () => {
      const user = await verifiedUser(t);
      const key = await createKey(t, user);
      const wrong = `${key.identifier}${key.secret.slice(0, 31)}${key.secret.endsWith('A') ? 'B' : 'A'}`;
      await t.http().get('/api/me/sessions').set(bearer(wrong)).expect(401, { message: 'Unauthenticated.' });
      await t.http().get(KEYS).set(bearer(wrong)).expect(401, UNAUTHENTICATED_CLIENT);
      const [row] = await t.db.query(`SELECT last_used_at FROM api_keys WHERE identifier = $1`, [key.identifier]);
      expect(row.last_used_at).toBeNull();
    });

    it.each([
      ['short', (k: CreatedKey) => k.token.slice(0, -1)],
      ['long', (k: CreatedKey) => `${k.token}A`],
      ['wrong prefix', (k: CreatedKey) => `ptlx_${k.token.slice(5)}`],
      ['non-ASCII', (k: CreatedKey) => `${k.token.slice(0, 20)}é${k.token.slice(21)}`],
      ['the identifier alone', (k: CreatedKey) => k.identifier],
      ['the prefix alone', () => 'ptlc_'],
      ['identifier and secret split by a space', (k: CreatedKey) => `${k.identifier} ${k.secret}`],
    ])('refuses a malformed key (%s) with 401', async (_name, mangle) => {
      const user = await verifiedUser(t);
      const key = await createKey(t, user);
      await t.http().get('/api/me/sessions').set(bearer(mangle(key))).expect(401, { message: 'Unauthenticated.' });
      await t.http().get('/api/client/account/api-keys').set(bearer(mangle(key))).expect(401, UNAUTHENTICATED_CLIENT);
    });

    it('accepts the scheme in any case, like access tokens', async () => {
      const user = await verifiedUser(t);
      const key = await createKey(t, user);
      await t.http().get('/api/me/sessions').set('Authorization', `bearer ${key.token}`).expect(200);
    });

    it('still accepts access tokens', async () => {
      const user = await verifiedUser(t);
      await t.http().get(KEYS).set(user.auth).expect(200);
    });

    it('refuses a Banned owner\'s key at once, and accepts it again when unbanned', async () => {
      const user = await verifiedUser(t);
      const key = await createKey(t, user);
      await t.http().get('/api/me/sessions').set(key.auth).expect(200);
      await t.db.query(`UPDATE users SET status = 'Banned' WHERE id = $1`, [user.id]);
      await t.http().get('/api/me/sessions').set(key.auth).expect(403, { message: 'Your account is banned by administrator.' });
      await t
        .http()
        .get(KEYS)
        .set(key.auth)
        .expect(403, { errors: [{ code: 'AccessDeniedHttpException', status: '403', detail: 'Your account is banned by administrator.' }] });
      await t.db.query(`UPDATE users SET status = 'Active' WHERE id = $1`, [user.id]);
      await t.http().get('/api/me/sessions').set(key.auth).expect(200);
    });

    it('costs one database round trip, plus the last_used_at write at most once a minute', async () => {
      const user = await verifiedUser(t);
      const key = await createKey(t, user);
      await t.http().get('/api/me/sessions').set(key.auth).expect(200);
      const spy = jest.spyOn(t.db.logger, 'logQuery');
      const queries = (): string[] => spy.mock.calls.map((call) => String(call[0]));
      try {
        // GET /api/me/sessions itself runs one query (the list); everything else is authentication.
        await t.http().get('/api/me/sessions').set(key.auth).expect(200);
        expect(queries()).toHaveLength(2);
        // Key and owner joined; the role comes from memory (RoleDirectory).
        expect(queries().filter((q) => /FROM "api_keys" "k" JOIN "users" "u"/.test(q) && !/"roles"/.test(q))).toHaveLength(1);

        await t.db.query(`UPDATE api_keys SET last_used_at = now() - interval '2 minutes' WHERE identifier = $1`, [key.identifier]);
        spy.mockClear();
        await t.http().get('/api/me/sessions').set(key.auth).expect(200);
        // The write is batched: none on the request itself, one statement when the batch is written.
        expect(queries()).toHaveLength(2);
        await t.app.get(ApiKeysService).flushLastUsed();
        expect(queries().filter((q) => /^UPDATE "api_keys" AS "k" SET "last_used_at" = now\(\), "last_used_ip"/.test(q))).toHaveLength(1);
      } finally {
        spy.mockRestore();
      }
    });

    it('writes last_used_at on first use and then at most once a minute', async () => {
      const flushLastUsed = (): Promise<void> => t.app.get(ApiKeysService).flushLastUsed();
      const user = await verifiedUser(t);
      const key = await createKey(t, user);
      const lastUsed = async (): Promise<Date | null> =>
        (await t.db.query(`SELECT last_used_at FROM api_keys WHERE identifier = $1`, [key.identifier]))[0].last_used_at;
      expect(await lastUsed()).toBeNull();
      await t.http().get('/api/me/sessions').set(key.auth).expect(200);
      await flushLastUsed();
      expect(await lastUsed()).toBeInstanceOf(Date);

      await t.db.query(`UPDATE api_keys SET last_used_at = now() - interval '30 seconds' WHERE identifier = $1`, [key.identifier]);
      const recent = await lastUsed();
      await t.http().get('/api/me/sessions').set(key.auth).expect(200);
      await flushLastUsed();
      expect(await lastUsed()).toEqual(recent);

      await t.db.query(`UPDATE api_keys SET last_used_at = now() - interval '2 minutes' WHERE identifier = $1`, [key.identifier]);
      const stale = (await lastUsed())!;
      await t.http().get('/api/me/sessions').set(key.auth).expect(200);
      await flushLastUsed();
      expect((await lastUsed())!.getTime()).toBeGreaterThan(stale.getTime() + 60_000);
    });
  });

  describe('allowed_ips', () => {
    async function keyAllowing(app: TestApp, allowed: string[]): Promise<{ user: LoggedInUser; key: CreatedKey }> {
      const user = await verifiedUser(app);
      return { user, key: await createKey(app, user, { allowed_ips: allowed }) };
    }

    it('accepts a request from an allowed IPv4 address (the socket)', async () => {
      const { key } = await keyAllowing(t, LOOPBACK);
      await t.http().get('/api/me/sessions').set(key.auth).expect(200);
    });

    it('refuses any other address with 403 and records auth:ip-blocked once a minute per key, however many requests', async () => {
      const { user, key } = await keyAllowing(t, ['10.0.0.1']);
      await t
        .http()
        .get(KEYS)
        .set(key.auth)
        .expect(403, { errors: [{ code: 'AccessDeniedHttpException', status: '403', detail: 'This API key may not be used from your IP address.' }] });
      for (let i = 0; i < 10; i++) {
        await t.http().get('/api/me/sessions').set(key.auth).expect(403, { message: 'This API key may not be used from your IP address.' });
      }
      const blocked = await events(t, user.id, 'auth:ip-blocked');
      expect(blocked).toHaveLength(1);
      // Another key has a minute of its own.
      const other = await keyAllowing(t, ['10.0.0.1']);
      await t.http().get(KEYS).set(other.key.auth).expect(403);
      await t.http().get(KEYS).set(other.key.auth).expect(403);
      expect(await events(t, other.user.id, 'auth:ip-blocked')).toHaveLength(1);
      expect(blocked[0]).toMatchObject({ is_api: true, api_key_identifier: key.identifier, properties: { identifier: key.identifier } });
      expect(blocked[0].ip).toMatch(/127\.0\.0\.1|::1/);
      const [row] = await t.db.query(`SELECT last_used_at FROM api_keys WHERE identifier = $1`, [key.identifier]);
      expect(row.last_used_at).toBeNull();
    });

    it.each([
      ['10.20.30.0/24', '10.20.30.0', 200],
      ['10.20.30.0/24', '10.20.30.255', 200],
      ['10.20.30.0/24', '10.20.31.0', 403],
      ['10.20.30.0/24', '10.20.29.255', 403],
      ['2001:db8::/64', '2001:db8::1', 200],
      ['2001:db8::/64', '2001:db8::ffff:ffff:ffff:ffff', 200],
      ['2001:db8::/64', '2001:db8:0:1::', 403],
      ['2001:db8::/64', '10.0.0.1', 403],
    ])('applies %s to a client at %s: %i', async (rule, ip, status) => {
      const { key } = await keyAllowing(proxied, [rule]);
      await proxied.http().get('/api/me/sessions').set(key.auth).set('X-Forwarded-For', ip).expect(status);
    });

    it('matches an IPv4-mapped IPv6 client against its IPv4 rule', async () => {
      const { key } = await keyAllowing(proxied, ['10.1.2.3']);
      await proxied.http().get('/api/me/sessions').set(key.auth).set('X-Forwarded-For', '::ffff:10.1.2.3').expect(200);
      await proxied.http().get('/api/me/sessions').set(key.auth).set('X-Forwarded-For', '::ffff:10.1.2.4').expect(403);
    });

    it('ignores a spoofed X-Forwarded-For without TRUST_PROXY', async () => {
      const spoofed = await keyAllowing(t, ['10.1.2.3']);
      await t.http().get('/api/me/sessions').set(spoofed.key.auth).set('X-Forwarded-For', '10.1.2.3').expect(403);
      const loopback = await keyAllowing(t, LOOPBACK);
      await t.http().get('/api/me/sessions').set(loopback.key.auth).set('X-Forwarded-For', '10.9.9.9').expect(200);
    });
  });

  describe('recent authentication', () => {
    it('never changes credentials with a key, even with the right current_password: PATCH /api/me/details/auth', async () => {
      const user = await verifiedUser(t);
      const key = await createKey(t, user);
      const username = `${user.username}_k`;
      await t.http().patch('/api/me/details/auth').set(key.auth).send({ username }).expect(403);
      const res = await t
        .http()
        .patch('/api/me/details/auth')
        .set(key.auth)
        .send({ username, current_password: user.password })
        .expect(403);
      expect(res.body).toEqual({ message: 'API keys cannot change credentials.' });
      const [row] = await t.db.query(`SELECT username FROM users WHERE id = $1`, [user.id]);
      expect(row.username).toBe(user.username);
    });

    it('never turns two-factor off with a key, even with the right current_password: DELETE /api/me/2fa', async () => {
      const user = await verifiedUser(t);
      const key = await createKey(t, user);
      await t.db.query(
        `UPDATE users SET two_factor_method = 'sms', two_factor_country_code = 381, two_factor_phone = '641234567' WHERE id = $1`,
        [user.id],
      );
      await t.http().delete('/api/me/2fa').set(key.auth).send({}).expect(403);
      await t.http().delete('/api/me/2fa').set(key.auth).send({ current_password: user.password }).expect(403);
      const [row] = await t.db.query(`SELECT two_factor_method FROM users WHERE id = $1`, [user.id]);
      expect(row.two_factor_method).toBe('sms');
    });
  });

  it('documents the routes with unique operation ids and the bearer scheme', async () => {
    const doc = (await t.http().get('/docs-json').expect(200)).body;
    const collection = doc.paths['/api/client/account/api-keys'];
    const item = doc.paths['/api/client/account/api-keys/{identifier}'];
    expect(collection.get.operationId).toBe('listApiKeys');
    expect(collection.post.operationId).toBe('createApiKey');
    expect(item.delete.operationId).toBe('deleteApiKey');
    expect(collection.get.security).toEqual([{ bearer: ['account.read'] }, { session_cookie: [] }]);
    expect(collection.post.security).toEqual([{ bearer: ['account.write'] }, { session_cookie: [] }]);
    expect(item.delete.security).toEqual([{ bearer: ['account.write'] }, { session_cookie: [] }]);
    expect(collection.get.description).toBe('API keys need the scope `account.read`.');
    expect(Object.keys(collection.post.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '403', '422']));
    expect(doc.components.schemas.CreateApiKeyDto.required).toEqual(['description']);
  });
});
