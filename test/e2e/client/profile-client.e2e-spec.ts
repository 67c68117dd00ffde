import { bootMailingTestApp, type MailingTestApp, type TestApp } from '../../support/app.js';
import { bearer, loggedInUser, makeAdmin, verifiedUser, registerUser, uniqueName, type LoggedInUser } from '../../support/factories.js';
import { ISO_OFFSET, SEED_CLIENT_ACCOUNT, secondSession, shapeOf, userRow } from '../../support/profile-helpers.js';

const INVALID_PASSWORD = {
  errors: [{ code: 'BadRequestHttpException', status: '400', detail: 'The password provided was not valid.' }],
};
const UNAUTHENTICATED = { errors: [{ code: 'AuthenticationException', status: '401', detail: 'Unauthenticated.' }] };

describe('profile: the /api/client/account family', () => {
  let t: MailingTestApp;
  beforeAll(async () => {
    t = await bootMailingTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('GET /api/client/account', () => {
    it('answers the seed example key set and types', async () => {
      const user = await loggedInUser(t, { username: uniqueName('client') });
      await t.db.query(`UPDATE users SET first_name = 'John', last_name = 'Doe' WHERE id = $1`, [user.id]);
      const res = await t.http().get('/api/client/account').set(user.auth).expect(200);
      expect(shapeOf(res.body)).toEqual(shapeOf(SEED_CLIENT_ACCOUNT));
      expect(res.body).toEqual({
        object: 'user',
        attributes: {
          id: user.id,
          admin: false,
          username: user.username,
          email: user.email,
          first_name: 'John',
          last_name: 'Doe',
          language: 'en',
        },
      });
    });

    it('says admin: true for the admin role and "" for unset names', async () => {
      const user = await loggedInUser(t);
      await makeAdmin(t, user.id);
      const { body } = await t.http().get('/api/client/account').set(user.auth).expect(200);
      expect(body.attributes).toMatchObject({ admin: true, first_name: '', last_name: '' });
    });

    it('answers 401 in the client shape', async () => {
      await t.http().get('/api/client/account').expect(401, UNAUTHENTICATED);
      await t.http().get('/api/client/account').set('Authorization', 'Bearer not-a-token').expect(401, UNAUTHENTICATED);
      await t.http().put('/api/client/account/password').send({}).expect(401, UNAUTHENTICATED);
      await t.http().get('/api/client/account/activity').expect(401, UNAUTHENTICATED);
    });
  });

  describe('PUT /api/client/account/email', () => {
    it('changes an unverified address at once, answers 204 and mails the old address and a link to the new one', async () => {
      const user = await loggedInUser(t);
      await t.db.query(`UPDATE users SET status = 'Active' WHERE id = $1`, [user.id]);
      const email = `${uniqueName()}@example.com`;
      const res = await t.http().put('/api/client/account/email').set(user.auth).send({ email, password: user.password }).expect(204);
      expect(res.text).toBe('');
      expect(await userRow(t, user.id)).toMatchObject({ email, email_verified_at: null, status: 'Active' });
      const notice = await t.mail.waitFor((mail) => mail.to === user.email && /email address was changed/i.test(mail.subject));
      expect(notice.text).toContain(email);
      await t.mail.waitFor((mail) => mail.to === email && /verify your email/i.test(mail.subject));
    });

    it('checks the password before the other fields: a wrong one with an invalid email is a 400', async () => {
      const user = await loggedInUser(t);
      const before = await userRow(t, user.id);
      await t.http().put('/api/client/account/email').set(user.auth).send({ email: 'not-an-email', password: 'wrong' }).expect(400, INVALID_PASSWORD);
      await t.http().put('/api/client/account/email').set(user.auth).send({ password: 'wrong' }).expect(400, INVALID_PASSWORD);
      expect(await userRow(t, user.id)).toEqual(before);
    });

    it('validates the address once the password is right', async () => {
      const user = await loggedInUser(t);
      const taken = await registerUser(t);
      const before = await userRow(t, user.id);
      const invalid = await t.http().put('/api/client/account/email').set(user.auth).send({ email: 'not-an-email', password: user.password }).expect(422);
      expect(invalid.body).toEqual({
        errors: [
          {
            code: 'ValidationException',
            status: '422',
            detail: expect.stringMatching(/^The email must be an email/),
            meta: { source_field: 'email', rule: 'email' },
          },
        ],
      });
      const missing = await t.http().put('/api/client/account/email').set(user.auth).send({ password: user.password }).expect(422);
      expect(missing.body.errors[0]).toMatchObject({ detail: 'The email field is required.', meta: { source_field: 'email', rule: 'required' } });
      const long = await t
        .http()
        .put('/api/client/account/email')
        .set(user.auth)
        .send({ email: `${'e'.repeat(180)}@example.com`, password: user.password })
        .expect(422);
      expect(long.body.errors[0].meta).toEqual({ source_field: 'email', rule: 'max' });
      const duplicate = await t
        .http()
        .put('/api/client/account/email')
        .set(user.auth)
        .send({ email: taken.email.toUpperCase(), password: user.password })
        .expect(422);
      expect(duplicate.body.errors[0]).toMatchObject({ detail: 'The email has already been taken.', meta: { source_field: 'email', rule: 'unique' } });
      expect(await userRow(t, user.id)).toEqual(before);
    });

    it('refuses a missing password and unknown fields with 422', async () => {
      const user = await loggedInUser(t);
      const missing = await t.http().put('/api/client/account/email').set(user.auth).send({ email: 'a@example.com' }).expect(422);
      expect(missing.body.errors[0].meta).toEqual({ source_field: 'password', rule: 'required' });
      const unknown = await t
        .http()
        .put('/api/client/account/email')
        .set(user.auth)
        .send({ email: 'a@example.com', password: user.password, status: 'Active' })
        .expect(422);
      expect(unknown.body.errors[0].meta).toEqual({ source_field: 'status', rule: 'prohibited' });
      const wrongType = await t.http().put('/api/client/account/email').set(user.auth).send({ email: 'a@example.com', password: 123 }).expect(422);
      expect(wrongType.body.errors[0].meta).toEqual({ source_field: 'password', rule: 'string' });
    });
  });

  describe('PUT /api/client/account/password', () => {
    it('changes the password, answers 204 and revokes the other sessions only', async () => {
      const user = await loggedInUser(t);
      const other = await secondSession(t, user);
      await t
        .http()
        .put('/api/client/account/password')
        .set(user.auth)
        .send({ current_password: user.password, password: 'brand new password', password_confirmation: 'brand new password' })
        .expect(204);
      await t.http().get('/api/client/account').set(other).expect(401, UNAUTHENTICATED);
      await t.http().get('/api/client/account').set(user.auth).expect(200);
      await t.http().post('/api/login').send({ username: user.username, password: 'brand new password' }).expect(200);
      await t.mail.waitFor((mail) => mail.to === user.email && /password was changed/i.test(mail.subject));
    });

    it('checks current_password before the other fields', async () => {
      const user = await loggedInUser(t);
      const before = await userRow(t, user.id);
      await t
        .http()
        .put('/api/client/account/password')
        .set(user.auth)
        .send({ current_password: 'wrong', password: 'short', password_confirmation: 'other' })
        .expect(400, INVALID_PASSWORD);
      await t.http().put('/api/client/account/password').set(user.auth).send({ current_password: 'wrong' }).expect(400, INVALID_PASSWORD);
      expect(await userRow(t, user.id)).toEqual(before);
    });

    it.each([
      ['a short password', { password: 'short', password_confirmation: 'short' }, 'password', 'min'],
      ['a missing password', { password_confirmation: 'long enough pw' }, 'password', 'required'],
      ['a number as password', { password: 12345678, password_confirmation: 12345678 }, 'password', 'string'],
      ['a missing confirmation', { password: 'long enough pw' }, 'password_confirmation', 'required'],
      ['a mismatched confirmation', { password: 'long enough pw', password_confirmation: 'long enough PW' }, 'password_confirmation', 'confirmed'],
    ])('refuses %s with 422 once the current password is right', async (_name, body, field, rule) => {
      const user = await loggedInUser(t);
      const before = await userRow(t, user.id);
      const res = await t
        .http()
        .put('/api/client/account/password')
        .set(user.auth)
        .send({ current_password: user.password, ...body })
        .expect(422);
      expect(res.body.errors[0]).toMatchObject({ code: 'ValidationException', status: '422', meta: { source_field: field, rule } });
      expect(await userRow(t, user.id)).toEqual(before);
    });
  });

  describe('GET /api/client/account/activity', () => {
    /** A user with five events: registered, login, two profile updates, an email change. */
    async function userWithHistory(): Promise<LoggedInUser> {
      const user = await loggedInUser(t);
      await t.http().post('/api/v1/auth/user/profile').set(user.auth).send({ name: 'One' }).expect(200);
      await t.http().post('/api/v1/auth/user/profile').set(user.auth).send({ name: 'Two' }).expect(200);
      await t
        .http()
        .put('/api/client/account/email')
        .set(user.auth)
        .send({ email: `${uniqueName()}@example.com`, password: user.password })
        .expect(204);
      return user;
    }

    it('lists the events newest first with the seed envelope and pagination meta', async () => {
      const user = await userWithHistory();
      const res = await t.http().get('/api/client/account/activity').set(user.auth).expect(200);
      expect(Object.keys(res.body).sort()).toEqual(['data', 'meta', 'object']);
      expect(res.body.object).toBe('list');
      expect(res.body.data.map((item: { attributes: { event: string } }) => item.attributes.event)).toEqual([
        'user:account.email-changed',
        'user:profile.updated',
        'user:profile.updated',
        'auth:login',
        'user:registered',
      ]);
      const [first] = res.body.data;
      expect(first.object).toBe('activity_log');
      expect(shapeOf(first.attributes)).toEqual({
        description: 'string',
        event: 'string',
        id: 'string',
        ip: 'string',
        is_api: 'boolean',
        properties: {},
        timestamp: 'string',
      });
      expect(first.attributes.timestamp).toMatch(ISO_OFFSET);
      expect(first.attributes.is_api).toBe(false);
      expect(res.body.meta).toEqual({ pagination: { total: 5, count: 5, per_page: 25, current_page: 1, total_pages: 1 } });
    });

    it('paginates, sorts oldest first and filters by event', async () => {
      const user = await userWithHistory();
      const page2 = await t.http().get('/api/client/account/activity?per_page=2&page=2').set(user.auth).expect(200);
      expect(page2.body.data.map((item: { attributes: { event: string } }) => item.attributes.event)).toEqual([
        'user:profile.updated',
        'auth:login',
      ]);
      expect(page2.body.meta.pagination).toEqual({ total: 5, count: 2, per_page: 2, current_page: 2, total_pages: 3 });
      const oldest = await t.http().get('/api/client/account/activity?sort=timestamp&per_page=1').set(user.auth).expect(200);
      expect(oldest.body.data[0].attributes.event).toBe('user:registered');
      const filtered = await t.http().get('/api/client/account/activity?filter[event]=profile').set(user.auth).expect(200);
      expect(filtered.body.data.map((item: { attributes: { event: string } }) => item.attributes.event)).toEqual([
        'user:profile.updated',
        'user:profile.updated',
      ]);
      expect(filtered.body.meta.pagination.total).toBe(2);
      const literal = await t.http().get('/api/client/account/activity?filter[event]=%25').set(user.auth).expect(200);
      expect(literal.body.data).toEqual([]);
      expect(literal.body.meta.pagination).toMatchObject({ total: 0, count: 0, total_pages: 1 });
      const beyond = await t.http().get('/api/client/account/activity?page=9').set(user.auth).expect(200);
      expect(beyond.body.data).toEqual([]);
    });

    it.each([
      ['per_page=101', 'per_page'],
      ['per_page=0', 'per_page'],
      ['page=0', 'page'],
      ['page=abc', 'page'],
      ['sort=event', 'sort'],
      ['unknown=1', 'unknown'],
    ])('refuses ?%s with 422 in the client shape', async (query, field) => {
      const user = await loggedInUser(t);
      const res = await t.http().get(`/api/client/account/activity?${query}`).set(user.auth).expect(422);
      expect(res.body.errors[0]).toMatchObject({ code: 'ValidationException', status: '422', meta: { source_field: field } });
    });

    it("never shows another user's events", async () => {
      const user = await userWithHistory();
      const other = await loggedInUser(t);
      const res = await t.http().get('/api/client/account/activity').set(other.auth).expect(200);
      expect(res.body.data.map((item: { attributes: { event: string } }) => item.attributes.event)).toEqual(['auth:login', 'user:registered']);
      const ids: string[] = (await t.db.query(`SELECT id::text AS id FROM activity_logs WHERE user_id = $1`, [user.id])).map(
        (row: { id: string }) => row.id,
      );
      for (const item of res.body.data) expect(ids).not.toContain(item.attributes.id);
    });

    it('marks changes made with an API key, which never changes credentials', async () => {
      const user = await verifiedUser(t);
      const created = await t.http().post('/api/client/account/api-keys').set(user.auth).send({ description: 'profile test' }).expect(200);
      const key = bearer(created.body.meta.secret_token as string);
      await t.http().get('/api/client/account').set(key).expect(200);
      await t.http().patch('/api/me/details/auth').set(key).send({ username: uniqueName() }).expect(403);
      await t.http().put('/api/v1/auth/user').set(key).send({ username: uniqueName(), current_password: user.password }).expect(403);
      await t.http().patch('/api/me/details').set(key).send({ first_name: 'Keyed' }).expect(200);
      const res = await t.http().get('/api/client/account/activity?filter[event]=profile').set(key).expect(200);
      expect(res.body.data).toHaveLength(1);
      expect(res.body.data[0].attributes).toMatchObject({ event: 'user:profile.updated', is_api: true });
    });

    it("hides the IP of what someone else did on the user's account", async () => {
      const user = await loggedInUser(t);
      await t.http().post('/api/login').send({ username: user.username, password: 'wrong password' }).expect(422);
      const res = await t.http().get('/api/client/account/activity').set(user.auth).expect(200);
      const failed = res.body.data.find((item: { attributes: { event: string } }) => item.attributes.event === 'auth:login-failed');
      expect(failed.attributes.ip).toBeNull();
      const own = res.body.data.find((item: { attributes: { event: string } }) => item.attributes.event === 'auth:login');
      expect(typeof own.attributes.ip).toBe('string');
    });
  });
});
