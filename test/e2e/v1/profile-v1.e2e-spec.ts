import { bootTestApp, type TestApp } from '../../support/app.js';
import { loggedInUser, registerUser, uniqueName } from '../../support/factories.js';
import {
  ageLogins,
  DATE_TIME,
  eventsOf,
  fillProfile,
  LARAVEL_TIMESTAMP,
  SEED_V1_PROFILE,
  SEED_V1_USER,
  shapeOf,
  userRow,
} from '../../support/profile-helpers.js';

describe('profile: the /api/v1/auth family', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await bootTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('GET /api/v1/auth/user', () => {
    it('answers the seed example key set and types, unwrapped', async () => {
      const user = await loggedInUser(t);
      await fillProfile(t, user.id);
      await t.db.query(`UPDATE users SET t_c_accepted_at = NULL WHERE id = $1`, [user.id]);
      const res = await t.http().get('/api/v1/auth/user').set(user.auth).expect(200);
      expect(shapeOf(res.body)).toEqual(shapeOf(SEED_V1_USER));
      const [row] = await t.db.query(`SELECT uuid FROM users WHERE id = $1`, [user.id]);
      expect(res.body).toMatchObject({
        uuid: row.uuid,
        username: user.username,
        email: user.email,
        role: { slug: 'user', name: 'User', description: 'Default system user.', scopes: '["user"]' },
        profile: { name: 'John', last_name: 'Doe', settings: { public_profile: '1', public_badges: '0' }, language: 'en' },
        organization: null,
      });
      expect(JSON.parse(res.body.role.scopes)).toEqual(['user']);
      expect(res.body.email_verified_at).toMatch(DATE_TIME);
      for (const value of [res.body.created_at, res.body.updated_at, res.body.profile.created_at, res.body.profile.updated_at]) {
        expect(value).toMatch(LARAVEL_TIMESTAMP);
      }
      expect(res.body.profile.profile_picture_thumbnail_path).toMatch(/^http:\/\/.+\/storage\/default-avatar\.png$/);
    });

    it('shows an unverified address as null and an accepted terms date as a timestamp', async () => {
      const user = await loggedInUser(t);
      await t.db.query(`UPDATE users SET t_c_accepted_at = '2024-07-03T15:02:45Z' WHERE id = $1`, [user.id]);
      const { body } = await t.http().get('/api/v1/auth/user').set(user.auth).expect(200);
      expect(body.email_verified_at).toBeNull();
      expect(body.profile.t_c_accepted_at).toBe('2024-07-03T15:02:45.000000Z');
    });

    it('answers 401 in the Laravel shape without a credential', async () => {
      await t.http().get('/api/v1/auth/user').expect(401, { message: 'Unauthenticated.' });
    });
  });

  describe('PUT /api/v1/auth/user', () => {
    it('changes username and email after a fresh login (an unverified address changes at once)', async () => {
      const user = await loggedInUser(t);
      await fillProfile(t, user.id);
      await t.db.query(`UPDATE users SET email_verified_at = NULL WHERE id = $1`, [user.id]);
      const username = uniqueName('v1');
      const email = `${username}@example.com`;
      const res = await t.http().put('/api/v1/auth/user').set(user.auth).send({ username, email }).expect(200);
      expect(shapeOf(res.body)).toEqual({ ...(shapeOf(SEED_V1_USER) as object), email_verified_at: 'null' });
      expect(res.body).toMatchObject({ username, email, email_verified_at: null });
      expect(await userRow(t, user.id)).toMatchObject({ username, email, email_verified_at: null });
      expect(await eventsOf(t, user.id)).toEqual(expect.arrayContaining(['user:account.username-changed', 'user:account.email-changed']));
    });

    it('needs a recent login: 403 after 15 minutes, accepted with current_password, 422 with a wrong one', async () => {
      const user = await loggedInUser(t);
      await ageLogins(t, user.id);
      const before = await userRow(t, user.id);
      const email = `${uniqueName()}@example.com`;
      await t.http().put('/api/v1/auth/user').set(user.auth).send({ email }).expect(403);
      const wrong = await t.http().put('/api/v1/auth/user').set(user.auth).send({ email, current_password: 'wrong one' }).expect(422);
      expect(Object.keys(wrong.body.errors)).toEqual(['current_password']);
      expect(await userRow(t, user.id)).toEqual(before);
      await t.http().put('/api/v1/auth/user').set(user.auth).send({ email, current_password: user.password }).expect(200);
      expect((await userRow(t, user.id)).email).toBe(email);
    });

    it('accepts an unchanged body without proof (a client sending the whole object back)', async () => {
      const user = await loggedInUser(t);
      await ageLogins(t, user.id);
      await t.http().put('/api/v1/auth/user').set(user.auth).send({ username: user.username, email: user.email }).expect(200);
    });

    it('refuses a taken username case-insensitively', async () => {
      const user = await loggedInUser(t);
      const taken = await registerUser(t);
      const res = await t.http().put('/api/v1/auth/user').set(user.auth).send({ username: taken.username.toUpperCase() }).expect(422);
      expect(res.body.errors).toEqual({ username: ['The username has already been taken.'] });
    });

    it.each([
      ['a bad username', { username: 'bad name!' }, 'username'],
      ['an invalid email', { email: 'nope' }, 'email'],
      ['a password (not accepted here)', { password: 'long enough pw' }, 'password'],
      ['an unknown field', { status: 'Active' }, 'status'],
      ['a wrong type', { email: ['a@example.com'] }, 'email'],
    ])('refuses %s with 422 and changes nothing', async (_name, body, field) => {
      const user = await loggedInUser(t);
      const before = await userRow(t, user.id);
      const res = await t.http().put('/api/v1/auth/user').set(user.auth).send(body).expect(422);
      expect(Object.keys(res.body.errors)).toEqual([field]);
      expect(await userRow(t, user.id)).toEqual(before);
    });
  });

  describe('POST /api/v1/auth/user/profile', () => {
    it('updates name, last name, language and settings from JSON and answers {data: profile}', async () => {
      const user = await loggedInUser(t);
      const res = await t
        .http()
        .post('/api/v1/auth/user/profile')
        .set(user.auth)
        .send({ name: 'John Yuy', last_name: 'Donovan', language: 'it', settings: { public_profile: true, public_badges: '0' } })
        .expect(200);
      expect(Object.keys(res.body)).toEqual(['data']);
      expect(shapeOf(res.body.data)).toEqual(shapeOf(SEED_V1_PROFILE));
      expect(res.body.data).toMatchObject({
        name: 'John Yuy',
        last_name: 'Donovan',
        language: 'it',
        settings: { public_profile: '1', public_badges: '0' },
      });
      expect(await userRow(t, user.id)).toMatchObject({ first_name: 'John Yuy', last_name: 'Donovan', language: 'it', public_profile: true });
      expect(await eventsOf(t, user.id)).toContain('user:profile.updated');
    });

    it('accepts multipart/form-data text fields', async () => {
      const user = await loggedInUser(t);
      const res = await t
        .http()
        .post('/api/v1/auth/user/profile')
        .set(user.auth)
        .field('name', 'Form')
        .field('language', 'pt-BR')
        .field('settings[public_profile]', '0')
        .field('settings[public_badges]', '1')
        .expect(200);
      expect(res.body.data).toMatchObject({ name: 'Form', language: 'pt-BR', settings: { public_profile: '0', public_badges: '1' } });
      expect(await userRow(t, user.id)).toMatchObject({ first_name: 'Form', public_profile: false, public_badges: true });
    });

    it('accepts settings as JSON text in a form', async () => {
      const user = await loggedInUser(t);
      const res = await t
        .http()
        .post('/api/v1/auth/user/profile')
        .set(user.auth)
        .field('settings', JSON.stringify({ public_badges: 1 }))
        .expect(200);
      expect(res.body.data.settings).toEqual({ public_profile: '1', public_badges: '1' });
    });

    it.each([
      [{ public_profile: 1, public_badges: 0 }, ['1', '0']],
      [{ public_profile: '0', public_badges: '1' }, ['0', '1']],
      [{ public_profile: false, public_badges: true }, ['0', '1']],
    ])('accepts settings %j', async (settings, [publicProfile, publicBadges]) => {
      const user = await loggedInUser(t);
      const res = await t.http().post('/api/v1/auth/user/profile').set(user.auth).send({ settings }).expect(200);
      expect(res.body.data.settings).toEqual({ public_profile: publicProfile, public_badges: publicBadges });
    });

    it.each([
      ['a too long name', { name: 'n'.repeat(101) }, 'name'],
      ['a too long last name', { last_name: 'n'.repeat(101) }, 'last_name'],
      ['an unknown language form', { language: 'english' }, 'language'],
      ['a too long language', { language: 'en-US-x-private' }, 'language'],
      ['a null language', { language: null }, 'language'],
      ['a settings value of 2', { settings: { public_profile: 2 } }, 'settings.public_profile'],
      ['a settings value of "yes"', { settings: { public_badges: 'yes' } }, 'settings.public_badges'],
      ['an unknown setting', { settings: { public_email: true } }, 'settings.public_email'],
      ['settings as a list', { settings: [true] }, 'settings'],
      ['an unknown field', { username: 'other' }, 'username'],
      ['a wrong type', { name: 5 }, 'name'],
    ])('refuses %s with 422 and changes nothing', async (_name, body, field) => {
      const user = await loggedInUser(t);
      const before = await userRow(t, user.id);
      const res = await t.http().post('/api/v1/auth/user/profile').set(user.auth).send(body).expect(422);
      expect(Object.keys(res.body.errors)[0]).toBe(field);
      expect(await userRow(t, user.id)).toEqual(before);
    });

    it('refuses a profile_picture that is not an image, and changes nothing (the picture itself: avatar-v1 tests)', async () => {
      const user = await loggedInUser(t);
      const before = await userRow(t, user.id);
      const res = await t
        .http()
        .post('/api/v1/auth/user/profile')
        .set(user.auth)
        .field('name', 'With picture')
        .attach('profile_picture', Buffer.from('not an image'), 'picture.jpg');
      expect(res.status).toBe(422);
      expect(res.body.errors).toEqual({ profile_picture: ['The profile picture must be an image.'] });
      expect(await userRow(t, user.id)).toEqual(before);
    });

    it("never shows or changes another user's profile", async () => {
      const user = await loggedInUser(t);
      const other = await loggedInUser(t);
      const before = await userRow(t, other.id);
      const res = await t.http().post('/api/v1/auth/user/profile').set(user.auth).send({ name: 'Mine' }).expect(200);
      expect(res.body.data.name).toBe('Mine');
      expect(await userRow(t, other.id)).toEqual(before);
      const { body } = await t.http().get('/api/v1/auth/user').set(other.auth).expect(200);
      expect(body.username).toBe(other.username);
      expect(body.profile.name).toBeNull();
    });
  });
});
