import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ACCOUNT_DATA_ERRORS } from '../../../src/capabilities/account-data/errors.js';
import { AvatarFileRemovals } from '../../../src/capabilities/avatar/avatar-file-removals.service.js';
import { MailService } from '../../../src/platform/mail/mail.service.js';
import { bootMailingTestApp, type MailingTestApp, type TestApp } from '../../support/app.js';
import { rowsMentioning, rowsReferring, userColumns } from '../../support/account-rows.js';
import { bearer, registerUser, type LoggedInUser } from '../../support/factories.js';
import { S3Sink } from '../../support/s3-sink.js';
import { richAccount } from '../../support/account-helpers.js';

const API_KEY_REFUSED = { message: 'API keys cannot change credentials.' };
const RECENT_AUTH_REQUIRED = { message: 'This action requires a recent login. Send your current_password to confirm it.' };

/** Each family's deletion request, with its proof. */
const FAMILIES = {
  me: (t: TestApp, a: LoggedInUser) => t.http().delete('/api/me').set(a.auth).send({ current_password: a.password }).expect(200, { success: true }),
  // A recent sign-in is the proof: no body at all.
  v1: (t: TestApp, a: LoggedInUser) => t.http().delete('/api/v1/auth/user').set(a.auth).expect(200, { success: true }),
  client: (t: TestApp, a: LoggedInUser) => t.http().delete('/api/client/account').set(a.auth).send({ password: a.password }).expect(204),
} as const;

describe('account deletion (DELETE /api/me, /api/v1/auth/user, /api/client/account), local storage', () => {
  let t: MailingTestApp;
  let storageDir: string;

  beforeAll(async () => {
    storageDir = await mkdtemp(path.join(tmpdir(), 'tessera-deletion-'));
    t = await bootMailingTestApp({ STORAGE_DIR: storageDir, TRUST_PROXY: 'loopback' });
  });
  afterAll(async () => {
    await t.close();
    await rm(storageDir, { recursive: true, force: true });
  });

  async function filesOf(key: string): Promise<string[]> {
    const entries = await readdir(storageDir, { recursive: true });
    return entries.filter((name) => name.includes(key));
  }

  it('finds the user columns from the schema (the check below covers every table that has one)', async () => {
    const columns = (await userColumns(t.db)).map(({ table, column }) => `${table}.${column}`);
    expect(columns).toEqual(expect.arrayContaining(['sessions.user_id', 'api_keys.user_id', 'two_factor_settings.user_id', 'activity_logs.user_id', 'activity_logs.actor_id']));
  });

  it.each(Object.keys(FAMILIES) as (keyof typeof FAMILIES)[])(
    'through the %s family: no row of the user in any table, no avatar file, activity kept without IP or user agent, a mail, the names free again',
    async (family) => {
      const account = await richAccount(t);
      expect(await filesOf(account.avatarKey)).toHaveLength(3);
      expect(Object.keys(await rowsReferring(t.db, account.id)).sort()).toEqual(
        expect.arrayContaining(['activity_logs.user_id', 'api_keys.user_id', 'sessions.user_id', 'two_factor_challenges.user_id', 'two_factor_recovery_codes.user_id', 'two_factor_settings.user_id', 'user_tokens.user_id']),
      );
      const before: { id: string; event: string; created_at: Date }[] = await t.db.query(
        `SELECT id, event, created_at FROM activity_logs WHERE user_id = $1 ORDER BY id`,
        [account.id],
      );

      await FAMILIES[family](t, account);

      expect(await rowsReferring(t.db, account.id)).toEqual({});
      // Only the deletion notice, in the outbox unless the worker, woken by the commit, already sent it (its row goes
      // once it is sent; the mail is checked below): every earlier mail to the address was dropped.
      const outbox: { kind: string }[] = await t.db.query(`SELECT kind FROM outbox WHERE destination = $1`, [account.email]);
      expect(outbox.filter((row) => row.kind !== 'account-deleted')).toEqual([]);
      expect(outbox.length).toBeLessThanOrEqual(1);
      const mentions = await rowsMentioning(t.db, [account.username, account.email, account.ip, account.userAgent]);
      expect(Object.keys(mentions).filter((where) => !where.startsWith('outbox:'))).toEqual([]);
      expect(await filesOf(account.avatarKey)).toEqual([]);
      const kept = await t.db.query(`SELECT id, event, created_at, user_id, actor_id, ip, user_agent, properties FROM activity_logs WHERE id = ANY($1) ORDER BY id`, [
        before.map((entry) => entry.id),
      ]);
      expect(kept).toEqual(before.map((entry) => ({ ...entry, user_id: null, actor_id: null, ip: null, user_agent: null, properties: {} })));
      const [deleted] = await t.db.query(`SELECT user_id, actor_id, ip, user_agent, properties FROM activity_logs WHERE event = 'user:account.deleted' AND properties->>'user_id' = $1`, [
        String(account.id),
      ]);
      expect(deleted).toEqual({ user_id: null, actor_id: null, ip: null, user_agent: null, properties: { user_id: account.id } });

      await t.app.get(MailService).flush();
      const mail = await t.mail.waitFor((m) => m.to === account.email && m.subject === 'Your account was deleted');
      expect(mail.text).toContain(account.username);
      expect(await rowsMentioning(t.db, [account.username, account.email, account.ip, account.userAgent])).toEqual({});

      await t.http().get('/api/me').set(account.auth).expect(401);
      await t.http().get('/api/me').set(bearer(account.apiKey)).expect(401);
      await registerUser(t, { username: account.username, email: account.email });
    },
  );

  describe('refusals change nothing', () => {
    async function assertStillThere(account: LoggedInUser): Promise<void> {
      await t.http().get('/api/me').set(account.auth).expect(200);
    }

    it('an API key is refused in every family, even with the right password (403)', async () => {
      const account = await richAccount(t);
      const key = bearer(account.apiKey);
      await t.http().delete('/api/me').set(key).send({ current_password: account.password }).expect(403, API_KEY_REFUSED);
      await t.http().delete('/api/v1/auth/user').set(key).send({ current_password: account.password }).expect(403, API_KEY_REFUSED);
      await t
        .http()
        .delete('/api/client/account')
        .set(key)
        .send({ password: account.password })
        .expect(403, { errors: [{ code: 'AccessDeniedHttpException', status: '403', detail: API_KEY_REFUSED.message }] });
      await assertStillThere(account);
      expect(await filesOf(account.avatarKey)).toHaveLength(3);
    });

    it('a stale sign-in needs current_password (403), a wrong one is 422, a wrong client password 400', async () => {
      const account = await richAccount(t);
      await t.db.query(`UPDATE sessions SET logged_in_at = now() - interval '1 hour' WHERE user_id = $1`, [account.id]);
      await t.http().delete('/api/me').set(account.auth).expect(403, RECENT_AUTH_REQUIRED);
      await t.http().delete('/api/v1/auth/user').set(account.auth).send({}).expect(403, RECENT_AUTH_REQUIRED);
      await t
        .http()
        .delete('/api/me')
        .set(account.auth)
        .send({ current_password: 'not the password' })
        .expect(422, { message: 'The given data was invalid.', errors: { current_password: ['The current password is incorrect.'] } });
      await t
        .http()
        .delete('/api/client/account')
        .set(account.auth)
        .send({ password: 'not the password' })
        .expect(400, { errors: [{ code: 'BadRequestHttpException', status: '400', detail: 'The password provided was not valid.' }] });
      await t
        .http()
        .delete('/api/client/account')
        .set(account.auth)
        .send({})
        .expect(422);
      await assertStillThere(account);
    });

    it('the last admin cannot delete itself (403); with another admin left, it can', async () => {
      const admins: { id: number }[] = await t.db.query(`SELECT u.id FROM users u JOIN roles r ON r.id = u.role_id WHERE r.slug = 'admin'`);
      const account = await richAccount(t);
      // This worker's other admins step down for the test, so `account` is the only one.
      await t.db.query(`UPDATE users SET role_id = (SELECT id FROM roles WHERE slug = 'user') WHERE id = ANY($1)`, [admins.map((a) => a.id)]);
      try {
        await t.db.query(`UPDATE users SET role_id = (SELECT id FROM roles WHERE slug = 'admin') WHERE id = $1`, [account.id]);
        await t.http().delete('/api/me').set(account.auth).send({ current_password: account.password }).expect(403, { message: ACCOUNT_DATA_ERRORS.LAST_ADMIN.message });
        await t.http().delete('/api/client/account').set(account.auth).send({ password: account.password }).expect(403);
        await assertStillThere(account);
        expect(await filesOf(account.avatarKey)).toHaveLength(3);

        // A banned admin does not count as another admin.
        const other = await registerUser(t);
        await t.db.query(`UPDATE users SET role_id = (SELECT id FROM roles WHERE slug = 'admin'), status = 'Banned' WHERE id = $1`, [other.id]);
        await t.http().delete('/api/me').set(account.auth).send({ current_password: account.password }).expect(403, { message: ACCOUNT_DATA_ERRORS.LAST_ADMIN.message });
        await t.db.query(`UPDATE users SET status = 'Active' WHERE id = $1`, [other.id]);
        await FAMILIES.me(t, account);
      } finally {
        await t.db.query(`UPDATE users SET role_id = (SELECT id FROM roles WHERE slug = 'admin') WHERE id = ANY($1)`, [admins.map((a) => a.id)]);
      }
    });
  });
});

describe('account deletion with S3 storage (s3rver)', () => {
  let s3: S3Sink;
  let t: MailingTestApp;

  beforeAll(async () => {
    s3 = await S3Sink.start();
    t = await bootMailingTestApp({ ...s3.env, TRUST_PROXY: 'loopback' });
  });
  afterAll(async () => {
    await t?.close();
    await s3?.close();
  });

  it('removes the avatar objects', async () => {
    const account = await richAccount(t);
    expect(await s3.objectKeys(account.avatarKey)).toHaveLength(3);
    await FAMILIES.client(t, account);
    expect(await s3.objectKeys(account.avatarKey)).toEqual([]);
    expect(await rowsReferring(t.db, account.id)).toEqual({});
  });

  it('with the storage down the account is still deleted; the files are removed on a retry once it is back', async () => {
    const account = await richAccount(t);
    await s3.stop();
    try {
      await FAMILIES.v1(t, account);
      expect(await rowsReferring(t.db, account.id)).toEqual({});
      const pending: { file_name: string; attempts: number }[] = await t.db.query(
        `SELECT file_name, attempts FROM avatar_file_removals WHERE file_name LIKE $1 ORDER BY file_name`,
        [`${account.avatarKey}%`],
      );
      expect(pending).toEqual(
        [`${account.avatarKey}.webp`, `${account.avatarKey}_high.webp`, `${account.avatarKey}_thumbnail.webp`].map((file_name) => ({ file_name, attempts: 1 })),
      );
    } finally {
      await s3.start();
    }
    expect(await s3.objectKeys(account.avatarKey)).toHaveLength(3);
    expect(await t.app.get(AvatarFileRemovals).retryPending()).toBe(0);
    expect(await s3.objectKeys(account.avatarKey)).toEqual([]);
    expect(await t.db.query(`SELECT file_name FROM avatar_file_removals WHERE file_name LIKE $1`, [`${account.avatarKey}%`])).toEqual([]);
  });
});
