/**
 * Issue 28, attack 5: admin routes skipped the proof rule. An `admin`-scoped API key reset a user's two-factor,
 * renamed a user and took their address's verification away, deleted another admin and removed a user's passkey,
 * all with 200. Every admin change of another user's credentials now needs the admin's proof (`current_password`
 * or a recent sign-in), refuses every API key, and mails the target at its address of record.
 */
import { bootMailingTestApp, type MailingTestApp } from '../../support/app.js';
import { bearer, loggedInUser, makeAdmin, type LoggedInUser } from '../../support/factories.js';
import { activityOf, loggedInAdmin } from '../../support/admin-helpers.js';
import { ageLogins, userRow } from '../../support/profile-helpers.js';
import { mailTexts } from '../../support/mail-helpers.js';
import { SoftwareAuthenticator } from '../../support/software-authenticator.js';
import { enableTotp } from '../../support/two-factor-helpers.js';

const ORIGIN = 'https://app.example.test';
const API_KEY_FORBIDDEN = { message: 'API keys cannot change credentials.' };
const RECENT_AUTH = { message: 'This action requires a recent login. Send your current_password to confirm it.' };
const WRONG_PASSWORD = { message: 'The given data was invalid.', errors: { current_password: ['The current password is incorrect.'] } };
const ADMIN_CHANGED = 'An administrator changed your account';

describe('admin proof for credential changes (issue 28)', () => {
  let t: MailingTestApp;

  beforeAll(async () => {
    // Room for the wrong passwords below, which count as failed logins of the admin.
    t = await bootMailingTestApp({ FRONTEND_URL: ORIGIN, RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT_IP: '50' });
  });
  afterAll(async () => {
    await t?.close();
  });

  async function verified<T extends LoggedInUser>(user: T): Promise<T> {
    await t.db.query(`UPDATE users SET status = 'Active', email_verified_at = now() WHERE id = $1`, [user.id]);
    return user;
  }

  async function verifiedAdmin(): Promise<LoggedInUser> {
    return verified(await loggedInAdmin(t));
  }

  /** A verified user with TOTP on and one passkey. */
  async function target(): Promise<LoggedInUser & { passkeyId: number }> {
    const user = await verified(await loggedInUser(t));
    await enableTotp(t, user);
    const options = await t.http().post('/api/me/passkeys/options').set(user.auth).send({}).expect(200);
    const response = new SoftwareAuthenticator(ORIGIN).create(options.body.data);
    const created = await t.http().post('/api/me/passkeys').set(user.auth).send({ name: 'Phone', response }).expect(201);
    return { ...user, passkeyId: created.body.data.id as number };
  }

  async function adminKey(admin: LoggedInUser): Promise<{ Authorization: string }> {
    const res = await t.http().post('/api/client/account/api-keys').set(admin.auth).send({ description: 'admin automation', scopes: ['admin'] }).expect(200);
    return bearer(res.body.meta.secret_token as string);
  }

  /** What the credential changes below would alter. */
  async function credentialState(userId: number): Promise<unknown> {
    const row = await userRow(t, userId);
    const [{ passkeys }] = await t.db.query(`SELECT count(*)::int AS passkeys FROM passkeys WHERE user_id = $1`, [userId]);
    return { username: row.username, verified: row.email_verified_at !== null, twoFactor: row.two_factor_method, passkeys };
  }

  const mailsTo = (to: string, subject: string): Promise<string[]> => mailTexts(t, to, subject);

  it('attack: an admin-scoped API key changes no credential of anyone, whatever the body says', async () => {
    const admin = await verifiedAdmin();
    const key = await adminKey(admin);
    const user = await target();
    const otherAdmin = await verifiedAdmin();
    const before = await credentialState(user.id);

    for (const body of [{}, { current_password: admin.password }]) {
      await t.http().delete(`/api/users/${user.id}/2fa`).set(key).send(body).expect(403, API_KEY_FORBIDDEN);
      await t.http().patch(`/api/users/${user.id}`).set(key).send({ username: `${user.username}x`, ...body }).expect(403, API_KEY_FORBIDDEN);
      await t.http().patch(`/api/users/${user.id}`).set(key).send({ email_verified: false, ...body }).expect(403, API_KEY_FORBIDDEN);
      await t.http().delete(`/api/users/${otherAdmin.id}`).set(key).send(body).expect(403, API_KEY_FORBIDDEN);
      await t.http().delete(`/api/users/${user.id}/passkeys/${user.passkeyId}`).set(key).send(body).expect(403, API_KEY_FORBIDDEN);
    }

    expect(await credentialState(user.id)).toEqual(before);
    expect(await userRow(t, otherAdmin.id)).toBeDefined();
    await t.http().get('/api/me').set(otherAdmin.auth).expect(200);
    expect(await mailsTo(user.email, ADMIN_CHANGED)).toEqual([]);
    // What is no credential change stays open to the key.
    await t.http().get(`/api/users/${user.id}`).set(key).expect(200);
    await t.http().patch(`/api/users/${user.id}`).set(key).send({ first_name: 'Scripted' }).expect(200);
  });

  it('takes an admin’s current_password once their sign-in is no longer recent, and mails the target what changed', async () => {
    const admin = await verifiedAdmin();
    const user = await target();
    const doomed = await verified(await loggedInUser(t));
    await ageLogins(t, admin.id);
    const newName = `${user.username}_r`;

    const attempts: Array<[string, string, object]> = [
      ['delete', `/api/users/${user.id}/2fa`, {}],
      ['patch', `/api/users/${user.id}`, { username: newName }],
      ['patch', `/api/users/${user.id}`, { email_verified: false }],
      ['delete', `/api/users/${user.id}/passkeys/${user.passkeyId}`, {}],
      ['delete', `/api/users/${doomed.id}`, {}],
    ];
    const send = (method: string, path: string, body: object) => (method === 'patch' ? t.http().patch(path) : t.http().delete(path)).set(admin.auth).send(body);
    for (const [method, path, body] of attempts) {
      await send(method, path, body).expect(403, RECENT_AUTH);
      await send(method, path, { ...body, current_password: 'not my password' }).expect(422, WRONG_PASSWORD);
    }
    expect(await credentialState(user.id)).toEqual({ username: user.username, verified: true, twoFactor: 'totp', passkeys: 1 });
    await t.http().get('/api/me').set(doomed.auth).expect(200);

    for (const [method, path, body] of attempts) await send(method, path, { ...body, current_password: admin.password }).expect(200);
    expect(await credentialState(user.id)).toEqual({ username: newName, verified: false, twoFactor: null, passkeys: 0 });
    expect(await userRow(t, doomed.id)).toBeUndefined();

    const notices = (await mailsTo(user.email, ADMIN_CHANGED)).join('\n');
    for (const change of ['two-factor authentication (turned off)', 'username', 'email verification', 'passkey “Phone” (removed)']) expect(notices).toContain(change);
    const [deleted] = await mailsTo(doomed.email, 'Your account was deleted');
    expect(deleted).toContain('An administrator deleted it.');
    expect((await activityOf(t, user.id, 'admin:two-factor.reset')).map((row) => row.actor_id)).toEqual([admin.id]);
  });

  it('lets a recent sign-in stand as proof, as before', async () => {
    const admin = await verifiedAdmin();
    const user = await target();
    await t.http().delete(`/api/users/${user.id}/2fa`).set(admin.auth).send({}).expect(200);
    await t.http().delete(`/api/users/${user.id}/passkeys/${user.passkeyId}`).set(admin.auth).expect(200, { success: true });
    await t.http().patch(`/api/users/${user.id}`).set(admin.auth).send({ email_verified: false }).expect(200);
    expect(await credentialState(user.id)).toEqual({ username: user.username, verified: false, twoFactor: null, passkeys: 0 });
  });

  it('keeps the admin routes that change no credential free of proof', async () => {
    const admin = await loggedInUser(t);
    await makeAdmin(t, admin.id);
    await ageLogins(t, admin.id);
    const user = await loggedInUser(t);
    await t.http().patch(`/api/users/${user.id}`).set(admin.auth).send({ first_name: 'Plain' }).expect(200);
    await t.http().get(`/api/users/${user.id}/passkeys`).set(admin.auth).expect(200);
    await t.http().delete(`/api/users/${user.id}/sessions`).set(admin.auth).expect(200);
  });
});
