import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bootTestApp, type TestApp } from '../../support/app.js';
import { bearer, login, loggedInUser, verifiedUser, type LoggedInUser } from '../../support/factories.js';
import { pngWithAlpha } from '../../support/images.js';
import { startSmsSink, type SmsSink } from '../../support/sms-sink.js';
import { activityOf, BANNED, loggedInAdmin, NOT_FOUND, UNAUTHENTICATED } from '../../support/admin-helpers.js';
import { enableTotp, lastSmsCode, startChallenge } from '../../support/two-factor-helpers.js';

describe('admin: bans, two-factor reset, sessions, avatar, activity', () => {
  let t: TestApp;
  let admin: LoggedInUser;
  let storageDir: string;
  let sms: SmsSink;
  beforeAll(async () => {
    storageDir = await mkdtemp(path.join(tmpdir(), 'tessera-admin-avatars-'));
    sms = await startSmsSink();
    t = await bootTestApp({ STORAGE_DIR: storageDir, SMS_DRIVER: 'http', SMS_HTTP_URL: sms.url });
    admin = await loggedInAdmin(t);
  });
  afterAll(async () => {
    await t?.close();
    await sms?.close();
    await rm(storageDir, { recursive: true, force: true });
  });

  const patchUser = (id: number, body: object) => t.http().patch(`/api/users/${id}`).set(admin.auth).send(body);

  describe('banning', () => {
    it('kills every session and API key on the next request; unbanning revives neither', async () => {
      const user = await verifiedUser(t);
      const other = bearer((await login(t, user, 'other-device')).token);
      const created = await t.http().post('/api/client/account/api-keys').set(user.auth).send({ description: 'script' }).expect(200);
      const key = bearer(created.body.meta.secret_token as string);
      await t.http().get('/api/me').set(key).expect(200);

      const res = await patchUser(user.id, { status: 'Banned' }).expect(200);
      expect(res.body.data.status).toBe('Banned');
      await t.http().get('/api/me').set(user.auth).expect(401, UNAUTHENTICATED);
      await t.http().get('/api/me').set(other).expect(401, UNAUTHENTICATED);
      await t.http().get('/api/me').set(key).expect(401, UNAUTHENTICATED);
      await t.http().get('/api/client/account').set(key).expect(401);
      await t.http().post('/api/token/refresh').send({ refresh_token: user.tokens.refresh_token }).expect(401);
      await t.http().post('/api/login').send({ username: user.username, password: user.password }).expect(403, BANNED);
      const [{ n: live }] = await t.db.query(`SELECT count(*)::int AS n FROM sessions WHERE user_id = $1 AND revoked_at IS NULL`, [user.id]);
      expect(live).toBe(0);
      expect(await activityOf(t, user.id, 'admin:user.banned')).toEqual([
        { event: 'admin:user.banned', user_id: user.id, actor_id: admin.id, properties: { revoked_sessions: 2, deleted_api_keys: 1 } },
      ]);
      const listed = await t.http().get('/api/users').query({ 'filter[search]': user.username, 'filter[status]': 'Banned' }).set(admin.auth);
      expect(listed.body.data.map((row: { id: number }) => row.id)).toEqual([user.id]);

      await patchUser(user.id, { status: 'Active' }).expect(200);
      await t.http().get('/api/me').set(user.auth).expect(401, UNAUTHENTICATED);
      await t.http().post('/api/token/refresh').send({ refresh_token: user.tokens.refresh_token }).expect(401);
      // The ban deleted the keys: unbanning does not bring them back.
      await t.http().get('/api/me').set(key).expect(401, UNAUTHENTICATED);
      await login(t, user);
      expect(await activityOf(t, user.id, 'admin:user.unbanned')).toMatchObject([{ actor_id: admin.id, properties: { status: 'Active' } }]);
    });
  });

  describe('DELETE /api/users/{id}/2fa', () => {
    it('turns a locked-out user’s TOTP off: the password alone logs in again, the old codes and secrets are gone', async () => {
      const user = await verifiedUser(t);
      await enableTotp(t, user);
      await startChallenge(t, user);

      const res = await t.http().delete(`/api/users/${user.id}/2fa`).set(admin.auth).expect(200);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.body.data).toMatchObject({ id: user.id, two_factor_options: null, two_factor_phone: '', two_factor_country_code: 0 });
      await login(t, user);
      for (const table of ['two_factor_recovery_codes', 'two_factor_settings', 'two_factor_challenges']) {
        const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM ${table} WHERE user_id = $1`, [user.id]);
        expect([table, n]).toEqual([table, 0]);
      }
      expect(await activityOf(t, user.id, 'admin:two-factor.reset')).toEqual([
        { event: 'admin:two-factor.reset', user_id: user.id, actor_id: admin.id, properties: { method: 'totp' } },
      ]);

      await t.http().delete(`/api/users/${user.id}/2fa`).set(admin.auth).expect(422, { message: '2FA is not enabled for this user.' });
      await t.http().delete('/api/users/999999999/2fa').set(admin.auth).expect(404, NOT_FOUND);
    });

    it('turns SMS two-factor off and forgets the phone', async () => {
      const user = await verifiedUser(t);
      const phone = `64${String(user.id).padStart(7, '0')}`;
      await t.http().put('/api/me/2fa').set(user.auth).send({ country_code: 381, phone_number: phone }).expect(200);
      await t.http().post('/api/me/2fa/verify').set(user.auth).send({ token: lastSmsCode(sms, `+381${phone}`) }).expect(200);
      expect((await startChallenge(t, user)).method).toBe('sms');

      const res = await t.http().delete(`/api/users/${user.id}/2fa`).set(admin.auth).expect(200);
      expect(res.body.data).toMatchObject({ two_factor_options: null, two_factor_phone: '', two_factor_country_code: 0 });
      await login(t, user);
      expect(await activityOf(t, user.id, 'admin:two-factor.reset')).toMatchObject([{ actor_id: admin.id, properties: { method: 'sms' } }]);
    });
  });

  describe('sessions', () => {
    it('lists a user’s active sessions and revokes them all at once', async () => {
      const user = await loggedInUser(t);
      const other = bearer((await login(t, user, 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_12_6) Chrome/60.0.3112.90 Safari/537.36')).token);
      const listed = await t.http().get(`/api/users/${user.id}/sessions`).set(admin.auth).expect(200);
      expect(listed.body.data).toHaveLength(2);
      expect(listed.body.data[0]).toMatchObject({ user_id: user.id, browser: 'Chrome', platform: 'OS X' });

      await t.http().delete(`/api/users/${user.id}/sessions`).set(admin.auth).expect(200, { success: true });
      await t.http().get('/api/me').set(user.auth).expect(401);
      await t.http().get('/api/me').set(other).expect(401);
      expect((await t.http().get(`/api/users/${user.id}/sessions`).set(admin.auth).expect(200)).body).toEqual({ data: [] });
      expect(await activityOf(t, user.id, 'admin:sessions.revoked')).toEqual([
        { event: 'admin:sessions.revoked', user_id: user.id, actor_id: admin.id, properties: { count: 2 } },
      ]);
      await t.http().get('/api/users/999999999/sessions').set(admin.auth).expect(404, NOT_FOUND);
      await t.http().delete('/api/users/999999999/sessions').set(admin.auth).expect(404, NOT_FOUND);
    });

    it('keeps the admin’s own current session when they revoke their own sessions', async () => {
      const self = await loggedInAdmin(t);
      const older = bearer((await login(t, self, 'older')).token);
      await t.http().delete(`/api/users/${self.id}/sessions`).set(self.auth).expect(200);
      await t.http().get('/api/me').set(older).expect(401);
      await t.http().get('/api/me').set(self.auth).expect(200);
    });
  });

  describe('avatar', () => {
    it('sets an external avatar and removes it, recorded on the user with the admin as actor', async () => {
      const user = await loggedInUser(t);
      const url = 'https://s.gravatar.com/avatar/20208b38fbb6018920da7d038fbc58dc?s=80';
      const set = await t.http().put(`/api/users/${user.id}/avatar/external`).set(admin.auth).send({ url }).expect(200);
      expect(set.body.data).toMatchObject({ id: user.id, avatar: url });
      expect((await t.http().get('/api/me').set(user.auth).expect(200)).body.data.avatar).toBe(url);
      const removed = await t.http().delete(`/api/users/${user.id}/avatar`).set(admin.auth).expect(200);
      expect(removed.body.data.avatar).not.toBe(url);
      expect((await activityOf(t, user.id, 'user:avatar.updated')).map((row) => [row.actor_id, row.properties])).toEqual([
        [admin.id, { source: 'external' }],
        [admin.id, { source: 'removed' }],
      ]);

      const bad = await t.http().put(`/api/users/${user.id}/avatar/external`).set(admin.auth).send({ url: 'ftp://example.com/a.png' }).expect(422);
      expect(Object.keys(bad.body.errors)).toEqual(['url']);
      await t.http().put(`/api/users/${user.id}/avatar/external`).set(admin.auth).send({ url, size: 80 }).expect(422);
      await t.http().put('/api/users/999999999/avatar/external').set(admin.auth).send({ url }).expect(404, NOT_FOUND);
      await t.http().delete('/api/users/999999999/avatar').set(admin.auth).expect(404, NOT_FOUND);
    });

    it('removes an uploaded avatar’s files with the avatar, and with the user', async () => {
      const files = async (): Promise<string[]> => readdir(path.join(storageDir, 'avatars')).catch(() => []);
      const uploadFor = async (user: LoggedInUser): Promise<string> => {
        await t.http().post('/api/me/avatar').set(user.auth).attach('file', await pngWithAlpha(), 'me.png').expect(200);
        const [{ avatar_key }] = await t.db.query(`SELECT avatar_key FROM users WHERE id = $1`, [user.id]);
        return avatar_key as string;
      };
      const removed = await loggedInUser(t);
      const removedKey = await uploadFor(removed);
      const deleted = await loggedInUser(t);
      const deletedKey = await uploadFor(deleted);
      expect((await files()).filter((name) => name.startsWith(removedKey) || name.startsWith(deletedKey))).toHaveLength(6);

      await t.http().delete(`/api/users/${removed.id}/avatar`).set(admin.auth).expect(200);
      await t.http().delete(`/api/users/${deleted.id}`).set(admin.auth).expect(200);
      expect((await files()).filter((name) => name.startsWith(removedKey) || name.startsWith(deletedKey))).toEqual([]);
    });
  });

  describe('GET /api/users/{id}/activity', () => {
    it('pages the user’s activity newest first, naming the admin as actor of admin actions', async () => {
      const user = await loggedInUser(t);
      await patchUser(user.id, { first_name: 'Audited' }).expect(200);
      await t.http().delete(`/api/users/${user.id}/sessions`).set(admin.auth).expect(200);

      const { body, headers } = await t.http().get(`/api/users/${user.id}/activity`).query({ per_page: 2 }).set(admin.auth).expect(200);
      expect(headers['cache-control']).toBe('no-store');
      expect(body.data.map((entry: { event: string; actor_id: number }) => [entry.event, entry.actor_id])).toEqual([
        ['admin:sessions.revoked', admin.id],
        ['admin:user.updated', admin.id],
      ]);
      expect(body.data[1]).toEqual({
        id: expect.any(Number),
        user_id: user.id,
        actor_id: admin.id,
        event: 'admin:user.updated',
        description: 'User updated by an administrator.',
        ip_address: expect.any(String),
        user_agent: expect.any(String),
        is_api: false,
        properties: { fields: 'first_name' },
        created_at: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/),
      });
      const [{ n: total }] = await t.db.query(`SELECT count(*)::int AS n FROM activity_logs WHERE user_id = $1`, [user.id]);
      const path = `${t.config.appUrl}/api/users/${user.id}/activity`;
      expect(body.meta).toEqual({ current_page: 1, from: 1, last_page: Math.ceil(total / 2), path, per_page: 2, to: 2, total });
      expect(body.links.next).toBe(`${path}?per_page=2&page=2`);

      for (const query of [{ page: 0 }, { per_page: 101 }, { sort: 'id' }]) {
        await t.http().get(`/api/users/${user.id}/activity`).query(query).set(admin.auth).expect(422);
      }
      await t.http().get('/api/users/999999999/activity').set(admin.auth).expect(404, NOT_FOUND);
    });
  });
});
