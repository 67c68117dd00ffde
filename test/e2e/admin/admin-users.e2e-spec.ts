import { bootTestApp, type TestApp } from '../../support/app.js';
import { bearer, login, loggedInUser, registerUser, uniqueName, verifiedUser, type LoggedInUser } from '../../support/factories.js';
import { DATE_TIME, SEED_ME_USER, shapeOf } from '../../support/profile-helpers.js';
import { activityOf, FORBIDDEN, loggedInAdmin, NOT_FOUND, UNAUTHENTICATED } from '../../support/admin-helpers.js';

type Method = 'get' | 'post' | 'patch' | 'put' | 'delete';

/** Every admin route, with a body that would be valid for an admin. */
function adminRoutes(id: number): Array<[Method, string, object?]> {
  return [
    ['get', '/api/users'],
    ['post', '/api/users', { email: `${uniqueName()}@example.com`, username: uniqueName(), password: 'password123', password_confirmation: 'password123' }],
    ['get', `/api/users/${id}`],
    ['patch', `/api/users/${id}`, { status: 'Banned' }],
    ['delete', `/api/users/${id}`],
    ['put', `/api/users/${id}/avatar/external`, { url: 'https://example.com/a.png' }],
    ['delete', `/api/users/${id}/avatar`],
    ['delete', `/api/users/${id}/2fa`],
    ['get', `/api/users/${id}/sessions`],
    ['delete', `/api/users/${id}/sessions`],
    ['get', `/api/users/${id}/activity`],
    ['get', `/api/users/${id}/passkeys`],
    ['delete', `/api/users/${id}/passkeys/1`],
    ['get', '/api/roles'],
  ];
}

const SEEDED = 32;

describe('admin: users and roles', () => {
  let t: TestApp;
  let admin: LoggedInUser;
  beforeAll(async () => {
    t = await bootTestApp();
    admin = await loggedInAdmin(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  const list = (query: Record<string, string | number>) => t.http().get('/api/users').query(query).set(admin.auth);

  describe('access', () => {
    it('answers 403 to a non-admin, by token or API key, and 401 without a credential, on every route; nothing changes', async () => {
      const member = await verifiedUser(t);
      const target = await registerUser(t);
      const key = await t.http().post('/api/client/account/api-keys').set(member.auth).send({ description: 'admin probe' }).expect(200);
      const memberKey = bearer(key.body.meta.secret_token as string);
      for (const [method, path, body] of adminRoutes(target.id)) {
        for (const credential of [member.auth, memberKey]) {
          const res = await t.http()[method](path).set(credential).send(body ?? {});
          expect([method, path, res.status, res.body]).toEqual([method, path, 403, FORBIDDEN]);
        }
        const anonymous = await t.http()[method](path).send(body ?? {});
        expect([method, path, anonymous.status, anonymous.body]).toEqual([method, path, 401, UNAUTHENTICATED]);
      }
      // Registered users are Unconfirmed until they verify their address; the PATCH and DELETE changed nothing.
      const [row] = await t.db.query(`SELECT status FROM users WHERE id = $1`, [target.id]);
      expect(row.status).toBe('Unconfirmed');
    });

    it('documents every admin route under the admin tag, with its operationId and the bearer scheme', async () => {
      const { body } = await t.http().get('/docs-json').expect(200);
      expect(body.tags).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'admin', description: expect.any(String) })]));
      const operations = Object.entries(body.paths as Record<string, Record<string, { operationId: string; tags: string[]; security: unknown }>>)
        .filter(([path]) => path === '/api/roles' || path.startsWith('/api/users'))
        .flatMap(([, methods]) => Object.values(methods));
      expect(operations.map((operation) => operation.operationId).sort()).toEqual(
        [
          'adminListUsers',
          'adminCreateUser',
          'adminGetUser',
          'adminUpdateUser',
          'adminDeleteUser',
          'adminSetExternalAvatar',
          'adminDeleteAvatar',
          'adminResetTwoFactor',
          'adminListUserSessions',
          'adminRevokeUserSessions',
          'adminListUserActivity',
          'adminListUserPasskeys',
          'adminDeleteUserPasskey',
          'adminListUserIdentities',
          'adminUnlinkUserIdentity',
          'adminListRoles',
        ].sort(),
      );
      for (const operation of operations) {
        expect(operation.tags).toEqual(['admin']);
        expect(operation.security).toEqual([{ bearer: ['admin'] }, { session_cookie: [] }]);
      }
      const { schemas } = body.components;
      expect(schemas.AdminCreateUserDto.properties.email.example).toBe('jane.roe@example.com');
      expect(schemas.AdminCreateUserDto.required).toEqual(expect.arrayContaining(['email', 'username', 'password', 'password_confirmation']));
      expect(schemas.AdminUpdateUserDto.properties.role_id.example).toBe(2);
      const idParameter = body.paths['/api/users/{id}/2fa'].delete.parameters.find((parameter: { name: string }) => parameter.name === 'id');
      expect(idParameter).toMatchObject({ in: 'path', required: true, schema: { type: 'integer' } });
    });
  });

  describe('GET /api/users', () => {
    /** The prefix every seeded user's username carries, so the list can be narrowed to this test's users. */
    const prefix = uniqueName('adm');
    /** Seeded ids by index 0..31. */
    let ids: number[] = [];
    const token = uniqueName('tok');

    beforeAll(async () => {
      // Inserted directly: the list reads rows, and 32 registrations would only slow the test down.
      const rows: Array<{ id: number }> = await t.db.query(
        `INSERT INTO users (username, email, password, first_name, last_name, role_id, status, created_at, last_login)
         SELECT $1 || '_' || lpad(n::text, 2, '0'),
                $1 || '_' || lpad(n::text, 2, '0') || '@example.test',
                'not-a-hash',
                CASE n WHEN 3 THEN $2 || 'First' ELSE 'Seed' END,
                CASE n WHEN 4 THEN 'Last' || $2 ELSE 'Person' || n END,
                (SELECT id FROM roles WHERE slug = 'user'),
                CASE WHEN n % 4 = 0 THEN 'Banned' WHEN n % 5 = 0 THEN 'Unconfirmed' ELSE 'Active' END,
                now() - (n * 37 % 32) * interval '1 minute',
                CASE WHEN n % 3 = 0 THEN NULL ELSE now() - n * interval '1 hour' END
         FROM generate_series(0, ${SEEDED - 1}) AS n
         ORDER BY n
         RETURNING id`,
        [prefix, token],
      );
      ids = rows.map((row) => row.id);
    });

    it('pages the matches in Laravel’s shape, with absolute links that keep the query', async () => {
      const { body, headers } = await list({ 'filter[search]': prefix, per_page: 10 }).expect(200);
      expect(headers['cache-control']).toBe('no-store');
      expect(body.data.map((user: { id: number }) => user.id)).toEqual(ids.slice(0, 10));
      const base = `${t.config.appUrl}/api/users?filter%5Bsearch%5D=${prefix}&per_page=10`;
      expect(body.links).toEqual({ first: `${base}&page=1`, last: `${base}&page=4`, prev: null, next: `${base}&page=2` });
      expect(body.meta).toEqual({ current_page: 1, from: 1, last_page: 4, path: `${t.config.appUrl}/api/users`, per_page: 10, to: 10, total: SEEDED });
      expect(shapeOf(body.data[0])).toEqual(shapeOf({ ...SEED_ME_USER, last_login: '', two_factor_options: null, birthday: null, phone: null, address: null, country_id: null }));

      const last = await list({ 'filter[search]': prefix, per_page: 10, page: 4 }).expect(200);
      expect(last.body.data.map((user: { id: number }) => user.id)).toEqual(ids.slice(30));
      expect(last.body.meta).toMatchObject({ current_page: 4, from: 31, to: 32, last_page: 4 });
      expect(last.body.links).toMatchObject({ prev: `${base}&page=3`, next: null });

      const beyond = await list({ 'filter[search]': prefix, page: 9 }).expect(200);
      expect(beyond.body.data).toEqual([]);
      expect(beyond.body.meta).toMatchObject({ current_page: 9, from: null, to: null, last_page: 3, per_page: 15, total: SEEDED });
    });

    it('sorts by each column, either way; users who never logged in come last', async () => {
      const all = async (sort: string): Promise<number[]> =>
        (await list({ 'filter[search]': prefix, sort, per_page: 100 }).expect(200)).body.data.map((user: { id: number }) => user.id);
      expect(await all('id')).toEqual(ids);
      expect(await all('-id')).toEqual([...ids].reverse());
      expect(await all('username')).toEqual(ids);
      expect(await all('-email')).toEqual([...ids].reverse());
      const byCreated = ids.map((id, n) => ({ id, minutesAgo: (n * 37) % 32 }));
      expect(await all('-created_at')).toEqual([...byCreated].sort((a, b) => a.minutesAgo - b.minutesAgo).map((row) => row.id));
      expect(await all('created_at')).toEqual([...byCreated].sort((a, b) => b.minutesAgo - a.minutesAgo).map((row) => row.id));
      const loggedIn = ids.filter((_id, n) => n % 3 !== 0);
      const never = ids.filter((_id, n) => n % 3 === 0);
      // Logged in n hours ago: the most recent login has the smallest n.
      expect(await all('-last_login')).toEqual([...loggedIn, ...[...never].reverse()]);
      expect(await all('last_login')).toEqual([...[...loggedIn].reverse(), ...never]);
    });

    it('filters by status, and searches names, full name, username and email case-insensitively', async () => {
      const statusOf = (n: number) => (n % 4 === 0 ? 'Banned' : n % 5 === 0 ? 'Unconfirmed' : 'Active');
      for (const status of ['Active', 'Banned', 'Unconfirmed']) {
        const { body } = await list({ 'filter[search]': prefix, 'filter[status]': status, per_page: 100 }).expect(200);
        expect(body.data.map((user: { id: number }) => user.id)).toEqual(ids.filter((_id, n) => statusOf(n) === status));
        for (const user of body.data) expect(user.status).toBe(status);
      }
      const found = async (search: string): Promise<number[]> =>
        (await list({ 'filter[search]': search }).expect(200)).body.data.map((user: { id: number }) => user.id);
      expect(await found(token.toUpperCase())).toEqual([ids[3], ids[4]]);
      expect(await found(`${token}First Person3`)).toEqual([ids[3]]);
      expect(await found(`${prefix}_17@EXAMPLE.test`)).toEqual([ids[17]]);
      expect(await found(`${prefix}_2`)).toEqual(ids.slice(20, 30));
    });

    it('matches % and _ literally', async () => {
      const count = async (search: string): Promise<number> => (await list({ 'filter[search]': search }).expect(200)).body.meta.total;
      expect(await count(`${prefix}%`)).toBe(0);
      expect(await count(`${prefix}_1_`)).toBe(0);
      expect(await count(`${prefix.replace('_', '%')}`)).toBe(0);
      expect(await count(`${prefix}_1`)).toBe(10);
    });

    it('adds role and country with include', async () => {
      const { body } = await list({ 'filter[search]': prefix, include: 'role,country', per_page: 1 }).expect(200);
      expect(body.data[0].role).toMatchObject({ name: 'user', display_name: 'User' });
      expect(body.data[0].country).toBeNull();
      expect(body.links.next).toContain('include=role%2Ccountry');
    });

    it.each([
      [{ page: 0 }, 'page'],
      [{ page: 'two' }, 'page'],
      [{ page: 1.5 }, 'page'],
      [{ per_page: 0 }, 'per_page'],
      [{ per_page: 101 }, 'per_page'],
      [{ sort: 'password' }, 'sort'],
      [{ sort: '--id' }, 'sort'],
      [{ 'filter[status]': 'Deleted' }, 'filter[status]'],
      [{ 'filter[role]': 'admin' }, 'filter[role]'],
      [{ include: 'password' }, 'include'],
    ])('refuses %j with 422 naming the parameter', async (query, field) => {
      const { body } = await list(query).expect(422);
      expect(body.message).toBe('The given data was invalid.');
      expect(Object.keys(body.errors)).toEqual([field]);
    });
  });

  describe('GET /api/users/{id}', () => {
    it('answers the /api/me user, with role and country on request', async () => {
      const user = await loggedInUser(t);
      const mine = await t.http().get('/api/me').query({ include: 'role,country' }).set(user.auth).expect(200);
      const res = await t.http().get(`/api/users/${user.id}`).query({ include: 'role,country' }).set(admin.auth).expect(200);
      expect(res.body).toEqual(mine.body);
      const plain = await t.http().get(`/api/users/${user.id}`).set(admin.auth).expect(200);
      expect(plain.body.data.role).toBeUndefined();
    });

    it.each(['999999999', '2147483648', 'abc', '1.5', '-1', '0'])('answers 404 for id %s', async (id) => {
      await t.http().get(`/api/users/${id}`).set(admin.auth).expect(404, NOT_FOUND);
      await t.http().patch(`/api/users/${id}`).set(admin.auth).send({ first_name: 'X' }).expect(404, NOT_FOUND);
    });
  });

  describe('POST /api/users', () => {
    it('creates an Active, verified user with the given role and details, who can log in; records the admin', async () => {
      const username = uniqueName('created');
      const details = { first_name: 'Jane', last_name: 'Roe', phone: '+381641234567', country_id: 688, birthday: '1990-10-18', role_id: 1 };
      const res = await t
        .http()
        .post('/api/users')
        .query({ include: 'role' })
        .set(admin.auth)
        .send({ email: `${username}@example.com`, username, password: 'password-Tundra-123', password_confirmation: 'password-Tundra-123', ...details })
        .expect(201);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.body.data).toMatchObject({
        ...details,
        username,
        status: 'Active',
        last_login: '',
        role: { name: 'admin' },
      });
      expect(res.body.data.created_at).toMatch(DATE_TIME);
      const [row] = await t.db.query(`SELECT email_verified_at, password FROM users WHERE id = $1`, [res.body.data.id]);
      expect(row.email_verified_at).not.toBeNull();
      expect(row.password).toMatch(/^\$argon2id\$/);
      await login(t, { username, password: 'password-Tundra-123' });
      expect(await activityOf(t, res.body.data.id, 'admin:user.created')).toEqual([
        { event: 'admin:user.created', user_id: res.body.data.id, actor_id: admin.id, properties: { role: 'admin' } },
      ]);
    });

    it('defaults to the user role; takes status and email_verified', async () => {
      const username = uniqueName('created');
      const res = await t
        .http()
        .post('/api/users')
        .set(admin.auth)
        .send({ email: `${username}@example.com`, username, password: 'password-Tundra-123', password_confirmation: 'password-Tundra-123', status: 'Unconfirmed', email_verified: false })
        .expect(201);
      expect(res.body.data).toMatchObject({ role_id: 2, status: 'Unconfirmed', first_name: null });
      const [row] = await t.db.query(`SELECT email_verified_at FROM users WHERE id = $1`, [res.body.data.id]);
      expect(row.email_verified_at).toBeNull();
    });

    it('refuses bad input with 422 naming each field, creating nothing', async () => {
      const taken = await registerUser(t);
      const username = uniqueName('refused');
      const valid = { email: `${username}@example.com`, username, password: 'password-Tundra-123', password_confirmation: 'password-Tundra-123' };
      const cases: Array<[object, string[]]> = [
        [{ ...valid, role_id: 999999 }, ['role_id']],
        [{ ...valid, role_id: 'admin' }, ['role_id']],
        [{ ...valid, status: 'Deleted' }, ['status']],
        [{ ...valid, is_admin: true }, ['is_admin']],
        [{ ...valid, email_verified: 'maybe' }, ['email_verified']],
        [{ ...valid, country_id: 1 }, ['country_id']],
        [{ ...valid, password_confirmation: 'other-password' }, ['password_confirmation']],
        [{ ...valid, username: taken.username.toUpperCase(), email: taken.email }, ['username', 'email']],
        [{}, ['email', 'username', 'password']],
      ];
      for (const [body, fields] of cases) {
        const res = await t.http().post('/api/users').set(admin.auth).send(body);
        expect([body, res.status, Object.keys(res.body.errors ?? {}).sort()]).toEqual([body, 422, [...fields].sort()]);
      }
      expect(await t.db.query(`SELECT id FROM users WHERE username = $1`, [username])).toEqual([]);
    });
  });

  describe('PATCH /api/users/{id}', () => {
    it('changes details, credentials, role and verification, and records the fields it changed', async () => {
      const user = await loggedInUser(t);
      const email = `${uniqueName('new')}@example.com`;
      const res = await t
        .http()
        .patch(`/api/users/${user.id}`)
        .query({ include: 'role,country' })
        .set(admin.auth)
        .send({ first_name: 'Milos', last_name: null, country_id: 688, email, role_id: 1, status: 'Active' })
        .expect(200);
      expect(res.body.data).toMatchObject({ first_name: 'Milos', last_name: null, email, role_id: 1, status: 'Active', role: { name: 'admin' }, country: { id: 688 } });
      let [row] = await t.db.query(`SELECT email_verified_at FROM users WHERE id = $1`, [user.id]);
      expect(row.email_verified_at).toBeNull();
      expect(await activityOf(t, user.id, 'admin:user.updated')).toEqual([
        { event: 'admin:user.updated', user_id: user.id, actor_id: admin.id, properties: { fields: 'first_name,country_id,email,role_id,status' } },
      ]);

      await t.http().patch(`/api/users/${user.id}`).set(admin.auth).send({ email_verified: true }).expect(200);
      [row] = await t.db.query(`SELECT email_verified_at FROM users WHERE id = $1`, [user.id]);
      expect(row.email_verified_at).not.toBeNull();
      // Nothing differs: nothing is written or recorded.
      await t.http().patch(`/api/users/${user.id}`).set(admin.auth).send({ first_name: 'Milos', email_verified: true }).expect(200);
      expect(await activityOf(t, user.id, 'admin:user.updated')).toHaveLength(2);
    });

    it('sets a new password: the old one and every session stop working', async () => {
      const user = await loggedInUser(t);
      await t
        .http()
        .patch(`/api/users/${user.id}`)
        .set(admin.auth)
        .send({ password: 'brand-new-password', password_confirmation: 'brand-new-password' })
        .expect(200);
      await t.http().get('/api/me').set(user.auth).expect(401, UNAUTHENTICATED);
      await t.http().post('/api/login').send({ username: user.username, password: user.password }).expect(422);
      await login(t, { username: user.username, password: 'brand-new-password' });
      const [revoked] = await activityOf(t, user.id, 'admin:sessions.revoked');
      expect(revoked).toMatchObject({ actor_id: admin.id, properties: { count: 1, reason: 'password-changed' } });
    });

    it('refuses bad input with 422, changing nothing', async () => {
      const user = await registerUser(t);
      const taken = await registerUser(t);
      const cases: Array<[object, string[]]> = [
        [{ role_id: 424242 }, ['role_id']],
        [{ role_id: null }, ['role_id']],
        [{ status: 'Suspended' }, ['status']],
        [{ status: null }, ['status']],
        [{ nickname: 'x' }, ['nickname']],
        [{ username: taken.username }, ['username']],
        [{ email: 'not-an-email' }, ['email']],
        [{ password: 'short' }, ['password', 'password_confirmation']],
      ];
      const [before] = await t.db.query(`SELECT * FROM users WHERE id = $1`, [user.id]);
      for (const [body, fields] of cases) {
        const res = await t.http().patch(`/api/users/${user.id}`).set(admin.auth).send(body);
        expect([body, res.status, Object.keys(res.body.errors ?? {}).sort()]).toEqual([body, 422, fields]);
      }
      const [after] = await t.db.query(`SELECT * FROM users WHERE id = $1`, [user.id]);
      expect(after).toEqual(before);
    });

    it('refuses to let admins ban or demote themselves (403), and still lets them edit themselves', async () => {
      const self = await loggedInAdmin(t);
      await t
        .http()
        .patch(`/api/users/${self.id}`)
        .set(self.auth)
        .send({ status: 'Banned' })
        .expect(403, { message: 'You cannot ban your own account.' });
      await t
        .http()
        .patch(`/api/users/${self.id}`)
        .set(self.auth)
        .send({ role_id: 2, first_name: 'Nope' })
        .expect(403, { message: 'You cannot remove the admin role from your own account.' });
      const [row] = await t.db.query(`SELECT status, role_id, first_name FROM users WHERE id = $1`, [self.id]);
      expect(row).toEqual({ status: 'Unconfirmed', role_id: 1, first_name: null });
      const ok = await t.http().patch(`/api/users/${self.id}`).set(self.auth).send({ first_name: 'Self', role_id: 1, status: 'Active' }).expect(200);
      expect(ok.body.data).toMatchObject({ first_name: 'Self', role_id: 1 });
      await t.http().get('/api/me').set(self.auth).expect(200);
    });
  });

  describe('DELETE /api/users/{id}', () => {
    it('deletes the user with their sessions and keys, and records who did it', async () => {
      const user = await verifiedUser(t);
      const key = await t.http().post('/api/client/account/api-keys').set(user.auth).send({ description: 'doomed' }).expect(200);
      await t.http().delete(`/api/users/${user.id}`).set(admin.auth).expect(200, { success: true });
      await t.http().get(`/api/users/${user.id}`).set(admin.auth).expect(404, NOT_FOUND);
      await t.http().get('/api/me').set(user.auth).expect(401);
      await t.http().get('/api/me').set(bearer(key.body.meta.secret_token as string)).expect(401);
      await t.http().delete(`/api/users/${user.id}`).set(admin.auth).expect(404, NOT_FOUND);
      const rows = await t.db.query(`SELECT user_id, actor_id, properties FROM activity_logs WHERE event = 'admin:user.deleted' AND properties->>'user_id' = $1`, [
        String(user.id),
      ]);
      expect(rows).toEqual([{ user_id: null, actor_id: admin.id, properties: { user_id: user.id, username: user.username } }]);
    });

    it('refuses to let admins delete themselves (403)', async () => {
      const self = await loggedInAdmin(t);
      await t.http().delete(`/api/users/${self.id}`).set(self.auth).expect(403, { message: 'You cannot delete your own account.' });
      await t.http().get('/api/me').set(self.auth).expect(200);
    });
  });

  describe('GET /api/roles', () => {
    it('lists the roles with their user counts', async () => {
      const { body } = await t.http().get('/api/roles').set(admin.auth).expect(200);
      const counts: Array<{ slug: string; n: number }> = await t.db.query(
        `SELECT r.slug, count(u.id)::int AS n FROM roles r LEFT JOIN users u ON u.role_id = r.id GROUP BY r.id ORDER BY r.id`,
      );
      expect(body.data.map((role: { name: string; users_count: number }) => [role.name, role.users_count])).toEqual(
        counts.map((row) => [row.slug, row.n]),
      );
      expect(body.data[0]).toEqual({
        id: 1,
        name: 'admin',
        display_name: 'Admin',
        description: expect.any(String),
        removable: false,
        users_count: expect.any(Number),
        created_at: expect.stringMatching(DATE_TIME),
        updated_at: expect.stringMatching(DATE_TIME),
      });
    });
  });
});

describe('account creation on a pool of one connection', () => {
  let t: TestApp;
  beforeAll(async () => {
    // Every statement of a creation must run on the transaction's own connection: one taken beside it would wait
    // for a connection the pool does not have (with DB_POOL_SIZE connections all in such transactions, forever).
    t = await bootTestApp({ DB_POOL_SIZE: '1', DB_CONNECTION_TIMEOUT_MS: '1000' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('registers a user and lets an admin create one', async () => {
    const admin = await loggedInAdmin(t);
    const username = uniqueName('pool');
    await t
      .http()
      .post('/api/users')
      .set(admin.auth)
      .send({ email: `${username}@example.com`, username, password: 'password-Tundra-123', password_confirmation: 'password-Tundra-123' })
      .expect(201);
    expect(await t.db.query(`SELECT username FROM users WHERE username = $1`, [username])).toEqual([{ username }]);
  });
});
