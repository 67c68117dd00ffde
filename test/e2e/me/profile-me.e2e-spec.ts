import { bootMailingTestApp, type MailingTestApp, type TestApp } from '../../support/app.js';
import { loggedInUser, registerUser, uniqueName } from '../../support/factories.js';
import { ageLogins, DATE_TIME, eventsOf, fillProfile, secondSession, SEED_ME_USER, shapeOf, userRow } from '../../support/profile-helpers.js';

describe('profile: the /api/me family', () => {
  let t: MailingTestApp;
  beforeAll(async () => {
    t = await bootMailingTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('GET /api/me', () => {
    it('answers the seed example key set and types', async () => {
      const user = await loggedInUser(t);
      await fillProfile(t, user.id);
      await t.db.query(`UPDATE users SET two_factor_country_code = 381, two_factor_phone = '6412345678' WHERE id = $1`, [user.id]);
      const res = await t.http().get('/api/me').set(user.auth).expect(200);
      expect(Object.keys(res.body)).toEqual(['data']);
      // The seed's two_factor_options is an illustration ("option1"); Tessera's is an object without secrets.
      const { two_factor_options: options, ...rest } = res.body.data;
      const { two_factor_options: seedOptions, ...seedRest } = SEED_ME_USER;
      expect(shapeOf(rest)).toEqual(shapeOf(seedRest));
      expect(typeof options).toBe(typeof seedOptions);
      expect(options).toEqual({ method: null, enabled: false, pending_method: 'sms', recovery_codes_left: 0 });
      expect(res.body.data).toMatchObject({
        id: user.id,
        username: user.username,
        email: user.email,
        country_id: 688,
        role_id: 2,
        status: 'Unconfirmed',
        birthday: '1989-01-03',
        two_factor_country_code: 381,
      });
      expect(res.body.data.last_login).toMatch(DATE_TIME);
      expect(res.body.data.created_at).toMatch(DATE_TIME);
      expect(res.body.data.avatar).toMatch(/^http:\/\/.+\/storage\/default-avatar\.png$/);
      expect(res.headers['cache-control']).toBe('no-store');
    });

    it('coerces unset fields as docs/api/me.md says', async () => {
      const user = await loggedInUser(t);
      await t.db.query(`UPDATE users SET last_login = NULL WHERE id = $1`, [user.id]);
      const { body } = await t.http().get('/api/me').set(user.auth).expect(200);
      expect(body.data).toMatchObject({
        phone: null,
        birthday: null,
        last_login: '',
        two_factor_country_code: 0,
        two_factor_phone: '',
        two_factor_options: null,
      });
    });

    it('adds role and country with ?include=role,country', async () => {
      const user = await loggedInUser(t);
      await fillProfile(t, user.id);
      const { body } = await t.http().get('/api/me?include=role,country').set(user.auth).expect(200);
      expect(body.data.role).toMatchObject({ id: 2, name: 'user', display_name: 'User' });
      expect(body.data.country).toMatchObject({ id: 688, name: 'Serbia' });
      const roleOnly = await t.http().get('/api/me?include=role').set(user.auth).expect(200);
      expect(roleOnly.body.data.role.name).toBe('user');
      expect(roleOnly.body.data).not.toHaveProperty('country');
      const none = await t.http().get('/api/me').set(user.auth).expect(200);
      expect(none.body.data).not.toHaveProperty('role');
      expect(none.body.data).not.toHaveProperty('country');
    });

    it('gives a null country when the user has none', async () => {
      const user = await loggedInUser(t);
      const { body } = await t.http().get('/api/me?include=country').set(user.auth).expect(200);
      expect(body.data.country).toBeNull();
    });

    it.each(['avatar', 'role,sessions', 'role,', ''])('refuses include=%j with 422', async (include) => {
      const user = await loggedInUser(t);
      const res = await t.http().get('/api/me').query({ include }).set(user.auth).expect(422);
      expect(Object.keys(res.body.errors)).toEqual(['include']);
    });

    it('answers 401 in the Laravel shape without a credential', async () => {
      await t.http().get('/api/me').expect(401, { message: 'Unauthenticated.' });
    });
  });

  describe('PATCH /api/me/details', () => {
    it('updates the seed example body and records user:profile.updated', async () => {
      const user = await loggedInUser(t);
      const body = {
        first_name: 'Milos',
        last_name: 'Stojanovic',
        birthday: '1990-10-18',
        phone: '+381641234567',
        address: 'Some street 123, Nis, Serbia',
        country_id: 688,
      };
      const res = await t.http().patch('/api/me/details').set(user.auth).send(body).expect(200);
      expect(shapeOf(res.body.data)).toEqual({ ...(shapeOf(SEED_ME_USER) as object), two_factor_options: 'null' });
      expect(res.body.data).toMatchObject(body);
      const row = await userRow(t, user.id);
      expect(row).toMatchObject({ first_name: 'Milos', phone: '+381641234567', country_id: 688, address: body.address });
      expect(await eventsOf(t, user.id)).toContain('user:profile.updated');
      const [entry] = await t.db.query(
        `SELECT properties FROM activity_logs WHERE user_id = $1 AND event = 'user:profile.updated'`,
        [user.id],
      );
      expect(entry.properties.fields).toBe('first_name,last_name,birthday,phone,address,country_id');
    });

    it('changes only what is sent, and clears a field sent as null or ""', async () => {
      const user = await loggedInUser(t);
      await fillProfile(t, user.id);
      const res = await t
        .http()
        .patch('/api/me/details')
        .set(user.auth)
        .send({ phone: null, birthday: '', last_name: 'Petrovic' })
        .expect(200);
      expect(res.body.data).toMatchObject({ phone: null, birthday: null, last_name: 'Petrovic', first_name: 'John', country_id: 688 });
    });

    it('accepts an empty body and records nothing', async () => {
      const user = await loggedInUser(t);
      const before = await userRow(t, user.id);
      await t.http().patch('/api/me/details').set(user.auth).send({}).expect(200);
      expect(await userRow(t, user.id)).toEqual(before);
      expect(await eventsOf(t, user.id)).not.toContain('user:profile.updated');
    });

    const future = new Date(Date.now() + 86_400_000 * 2).toISOString().slice(0, 10);
    const today = new Date().toISOString().slice(0, 10);
    it.each([
      ['an unknown field role_id', { role_id: 1 }, 'role_id'],
      ['an unknown field status', { status: 'Active' }, 'status'],
      ['an unknown field id', { id: 1 }, 'id'],
      ['an unknown field email_verified_at', { email_verified_at: '2020-01-01 00:00:00' }, 'email_verified_at'],
      ['a credential on the details route', { username: 'someone' }, 'username'],
      ['a too long first name', { first_name: 'x'.repeat(101) }, 'first_name'],
      ['a too long last name', { last_name: 'x'.repeat(101) }, 'last_name'],
      ['a number as a name', { first_name: 42 }, 'first_name'],
      ['a future birthday', { birthday: future }, 'birthday'],
      ["today's date as birthday", { birthday: today }, 'birthday'],
      ['2023-02-30', { birthday: '2023-02-30' }, 'birthday'],
      ['a birthday in another format', { birthday: '18.10.1990' }, 'birthday'],
      ['a birthday with a time', { birthday: '1990-10-18T00:00:00Z' }, 'birthday'],
      ['an unknown country', { country_id: 999 }, 'country_id'],
      ['country 0', { country_id: 0 }, 'country_id'],
      ['a country as a string', { country_id: '688' }, 'country_id'],
      ['a phone with letters', { phone: '+381-64-123' }, 'phone'],
      ['a phone with an inner +', { phone: '381+641234567' }, 'phone'],
      ['a too long phone', { phone: `+${'1'.repeat(20)}` }, 'phone'],
      ['a phone as a number', { phone: 381641234567 }, 'phone'],
      ['a too long address', { address: 'x'.repeat(256) }, 'address'],
    ])('refuses %s with 422 and changes nothing', async (_name, body, field) => {
      const user = await loggedInUser(t);
      await fillProfile(t, user.id);
      const before = await userRow(t, user.id);
      const res = await t
        .http()
        .patch('/api/me/details')
        .set(user.auth)
        .send({ first_name: 'Changed', ...body })
        .expect(422);
      expect(res.body.message).toBe('The given data was invalid.');
      expect(Object.keys(res.body.errors)).toEqual([field]);
      expect(await userRow(t, user.id)).toEqual(before);
    });

    it('refuses malformed JSON with 400', async () => {
      const user = await loggedInUser(t);
      await t.http().patch('/api/me/details').set(user.auth).set('Content-Type', 'application/json').send('{"first_name":').expect(400);
    });

    it("changes only the caller's own row", async () => {
      const user = await loggedInUser(t);
      const other = await registerUser(t);
      const before = await userRow(t, other.id);
      await t.http().patch('/api/me/details').set(user.auth).send({ first_name: 'Mine' }).expect(200);
      expect(await userRow(t, other.id)).toEqual(before);
    });
  });

  describe('PATCH /api/me/details/auth', () => {
    it('changes username, email and password after a fresh login (an unverified address changes at once)', async () => {
      const user = await loggedInUser(t);
      await fillProfile(t, user.id);
      // Unverified: nothing to protect yet, so the new address applies at once (docs/security.md#pending-email-change-and-revert).
      await t.db.query(`UPDATE users SET email_verified_at = NULL WHERE id = $1`, [user.id]);
      const username = uniqueName('renamed');
      const email = `${username}@example.com`;
      const res = await t
        .http()
        .patch('/api/me/details/auth')
        .set(user.auth)
        .send({ username, email, password: 'a new password', password_confirmation: 'a new password' })
        .expect(200);
      expect(shapeOf(res.body.data)).toEqual({ ...(shapeOf(SEED_ME_USER) as object), two_factor_options: 'null' });
      expect(res.body.data).toMatchObject({ username, email, status: 'Unconfirmed' });
      const row = await userRow(t, user.id);
      expect(row).toMatchObject({ username, email, email_verified_at: null, status: 'Unconfirmed' });
      expect(await eventsOf(t, user.id)).toEqual(
        expect.arrayContaining(['user:account.username-changed', 'user:account.email-changed', 'user:account.password-changed']),
      );
      await t.http().post('/api/login').send({ username, password: 'a new password' }).expect(200);
      await t.http().post('/api/login').send({ username, password: user.password }).expect(422);
      // Notices go to the previous address.
      await t.mail.waitFor((mail) => mail.to === user.email && /password was changed/i.test(mail.subject));
      const notice = await t.mail.waitFor((mail) => mail.to === user.email && /email address was changed/i.test(mail.subject));
      expect(notice.text).toContain(email);
      // The new address gets its verification link (issue 4's requester).
      await t.mail.waitFor((mail) => mail.to === email && /verify your email/i.test(mail.subject));
    });

    it('keeps a verified address until the new one confirms (the change is pending)', async () => {
      const user = await loggedInUser(t);
      await t.db.query(`UPDATE users SET status = 'Active', email_verified_at = now() WHERE id = $1`, [user.id]);
      const email = `${uniqueName()}@example.com`;
      const res = await t.http().patch('/api/me/details/auth').set(user.auth).send({ email }).expect(200);
      expect(res.body.data.email).toBe(user.email);
      expect(await userRow(t, user.id)).toMatchObject({ email: user.email, status: 'Active', email_verified_at: expect.any(Date) });
      expect(await eventsOf(t, user.id)).toContain('user:account.email-change-requested');
    });

    it('keeps the verification when only the spelling of the address changes', async () => {
      const user = await loggedInUser(t);
      await t.db.query(`UPDATE users SET email_verified_at = now() WHERE id = $1`, [user.id]);
      await t.http().patch('/api/me/details/auth').set(user.auth).send({ email: user.email.toUpperCase() }).expect(200);
      const row = await userRow(t, user.id);
      expect(row.email).toBe(user.email.toUpperCase());
      expect(row.email_verified_at).not.toBeNull();
      expect(await eventsOf(t, user.id)).not.toContain('user:account.email-changed');
    });

    it('revokes the other sessions on a password change and keeps the current one', async () => {
      const user = await loggedInUser(t);
      const other = await secondSession(t, user);
      await t.http().get('/api/me').set(other).expect(200);
      await t
        .http()
        .patch('/api/me/details/auth')
        .set(user.auth)
        .send({ password: 'a new password', password_confirmation: 'a new password' })
        .expect(200);
      await t.http().get('/api/me').set(other).expect(401);
      await t.http().get('/api/me').set(user.auth).expect(200);
    });

    it('refuses a taken username or email, case-insensitively, and changes nothing', async () => {
      const user = await loggedInUser(t);
      const taken = await registerUser(t);
      const before = await userRow(t, user.id);
      const res = await t
        .http()
        .patch('/api/me/details/auth')
        .set(user.auth)
        .send({ username: taken.username.toUpperCase(), email: taken.email.toUpperCase() })
        .expect(422);
      expect(res.body.errors).toEqual({
        username: ['The username has already been taken.'],
        email: ['The email has already been taken.'],
      });
      expect(await userRow(t, user.id)).toEqual(before);
    });

    it('gives one 200 and one 422 for two concurrent changes to the same username', async () => {
      const [first, second] = await Promise.all([loggedInUser(t), loggedInUser(t)]);
      const username = uniqueName('race');
      const results = await Promise.all(
        [first, second].map((user) => t.http().patch('/api/me/details/auth').set(user.auth).send({ username })),
      );
      expect(results.map((res) => res.status).sort()).toEqual([200, 422]);
      const refused = results.find((res) => res.status === 422)!;
      expect(refused.body.errors).toEqual({ username: ['The username has already been taken.'] });
      const rows = await t.db.query(`SELECT id FROM users WHERE lower(username) = lower($1)`, [username]);
      expect(rows).toHaveLength(1);
    });

    it('needs a recent login: 403 after 15 minutes, then accepted with current_password', async () => {
      const user = await loggedInUser(t);
      await ageLogins(t, user.id);
      const before = await userRow(t, user.id);
      const username = uniqueName('late');
      const refused = await t.http().patch('/api/me/details/auth').set(user.auth).send({ username }).expect(403);
      expect(refused.body.message).toMatch(/current_password/);
      expect(await userRow(t, user.id)).toEqual(before);
      await t
        .http()
        .patch('/api/me/details/auth')
        .set(user.auth)
        .send({ username, current_password: user.password })
        .expect(200);
      expect((await userRow(t, user.id)).username).toBe(username);
    });

    it('refuses a wrong current_password with 422, even after a fresh login', async () => {
      const user = await loggedInUser(t);
      const before = await userRow(t, user.id);
      const res = await t
        .http()
        .patch('/api/me/details/auth')
        .set(user.auth)
        .send({ username: uniqueName(), current_password: 'not the password' })
        .expect(422);
      expect(Object.keys(res.body.errors)).toEqual(['current_password']);
      expect(await userRow(t, user.id)).toEqual(before);
    });

    it('needs no proof when nothing changes', async () => {
      const user = await loggedInUser(t);
      await ageLogins(t, user.id);
      await t.http().patch('/api/me/details/auth').set(user.auth).send({ username: user.username }).expect(200);
    });

    it.each([
      ['a username with a space', { username: 'john doe' }, 'username'],
      ['a username with a slash', { username: 'john/doe' }, 'username'],
      ['a too short username', { username: 'jd' }, 'username'],
      ['a too long username', { username: 'j'.repeat(51) }, 'username'],
      ['a null username', { username: null }, 'username'],
      ['a number as username', { username: 12345 }, 'username'],
      ['an invalid email', { email: 'not-an-email' }, 'email'],
      ['a too long email', { email: `${'e'.repeat(180)}@example.com` }, 'email'],
      ['a short password', { password: 'short', password_confirmation: 'short' }, 'password'],
      ['a password without confirmation', { password: 'long enough pw' }, 'password_confirmation'],
      ['a mismatched confirmation', { password: 'long enough pw', password_confirmation: 'long enough PW' }, 'password_confirmation'],
      ['an unknown field', { role_id: 1 }, 'role_id'],
      ['a profile field', { first_name: 'John' }, 'first_name'],
    ])('refuses %s with 422 and changes nothing', async (_name, body, field) => {
      const user = await loggedInUser(t);
      const before = await userRow(t, user.id);
      const res = await t.http().patch('/api/me/details/auth').set(user.auth).send(body).expect(422);
      expect(Object.keys(res.body.errors)).toEqual([field]);
      expect(await userRow(t, user.id)).toEqual(before);
    });
  });

  it('documents the ten profile operations with their tags, security (with the API-key scope) and error responses', async () => {
    const doc = (await t.http().get('/docs-json').expect(200)).body;
    const operations = {
      getMe: ['/api/me', 'get', 'me: profile', 'account.read'],
      updateMeDetails: ['/api/me/details', 'patch', 'me: profile', 'account.write'],
      updateMeCredentials: ['/api/me/details/auth', 'patch', 'me: profile', 'account.write'],
      getAuthUser: ['/api/v1/auth/user', 'get', 'v1: user', 'account.read'],
      updateAuthUser: ['/api/v1/auth/user', 'put', 'v1: user', 'account.write'],
      updateAuthUserProfile: ['/api/v1/auth/user/profile', 'post', 'v1: user', 'account.write'],
      getClientAccount: ['/api/client/account', 'get', 'client: account', 'account.read'],
      updateClientAccountEmail: ['/api/client/account/email', 'put', 'client: account', 'account.write'],
      updateClientAccountPassword: ['/api/client/account/password', 'put', 'client: account', 'account.write'],
      listClientAccountActivity: ['/api/client/account/activity', 'get', 'client: account', 'activity.read'],
    };
    for (const [operationId, [path, method, tag, scope]] of Object.entries(operations)) {
      const operation = doc.paths[path][method];
      expect(operation.operationId).toBe(operationId);
      expect(operation.tags).toEqual([tag]);
      expect(operation.security).toEqual([{ bearer: [scope] }, { session_cookie: [] }]);
      const validated = !['getAuthUser', 'getClientAccount'].includes(operationId);
      expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(validated ? ['401', '403', '422'] : ['401', '403']));
      const errorSchema = operation.responses['401'].content['application/json'].schema.$ref;
      expect(errorSchema).toBe(tag === 'client: account' ? '#/components/schemas/ClientErrorDto' : '#/components/schemas/LaravelErrorDto');
    }
    expect(Object.keys(doc.paths['/api/v1/auth/user/profile'].post.requestBody.content).sort()).toEqual([
      'application/json',
      'multipart/form-data',
    ]);
  });
});
