/**
 * Issue 17: the account-takeover attacks, each replayed as the attacker would, and the owner's way back. Every
 * `it` named "attack" failed on the code before the issue (see the closing note for the status each got then).
 */
import { MailService } from '../../../src/platform/mail/mail.service.js';
import { bootMailingTestApp, type MailingTestApp } from '../../support/app.js';
import { bearer, loggedInUser, login, registerUser, uniqueName, type LoggedInUser, type TestUser } from '../../support/factories.js';
import { startSmsSink, type SmsSink } from '../../support/sms-sink.js';
import { activityOf, loggedInAdmin } from '../../support/admin-helpers.js';
import { ageLogins, userRow } from '../../support/profile-helpers.js';
import { lastSmsCode, startChallenge } from '../../support/two-factor-helpers.js';

const FRONTEND_URL = 'https://spa.example.test';
const API_KEY_FORBIDDEN = { message: 'API keys cannot change credentials.' };
const RECENT_AUTH = { message: 'This action requires a recent login. Send your current_password to confirm it.' };
const CREDENTIALS_WRONG = { message: 'The given data was invalid.', errors: { username: ['These credentials do not match our records.'] } };

describe('account takeover resistance (issue 17)', () => {
  let t: MailingTestApp;
  let sms: SmsSink;
  let phoneSeq = 0;

  beforeAll(async () => {
    sms = await startSmsSink();
    t = await bootMailingTestApp({ FRONTEND_URL, SMS_DRIVER: 'http', SMS_HTTP_URL: sms.url });
  });
  afterAll(async () => {
    await t.close();
    await sms.close();
  });

  const newPhone = (): string => `65${String(process.pid % 1000).padStart(3, '0')}${String(++phoneSeq).padStart(4, '0')}`;

  /** The `token` of every link to `FRONTEND_URL/<path>` mailed to `to` under `subject`, oldest first (waits for one). */
  async function mailedTokens(to: string, subject: string, path: string): Promise<string[]> {
    await t.app.get(MailService).flush();
    const matches = (m: { to: string; subject: string; text: string }) => m.to === to && m.subject === subject && m.text.includes(`${FRONTEND_URL}/${path}?`);
    await t.mail.waitFor(matches);
    const pattern = new RegExp(`${FRONTEND_URL.replace(/\./g, '\\.')}/${path}\\?\\S+`);
    return t.mail.messages.filter(matches).map((m) => new URL(pattern.exec(m.text)![0]).searchParams.get('token')!);
  }

  async function mailedToken(to: string, subject: string, path: string): Promise<string> {
    return (await mailedTokens(to, subject, path)).at(-1)!;
  }

  async function mailsTo(to: string, subject: string): Promise<number> {
    await t.app.get(MailService).flush();
    return t.mail.messages.filter((m) => m.to === to && m.subject === subject).length;
  }

  /** A registered, verified, logged-in user. */
  async function verifiedUser(): Promise<LoggedInUser> {
    const user = await loggedInUser(t);
    await t.db.query(`UPDATE users SET status = 'Active', email_verified_at = now() WHERE id = $1`, [user.id]);
    return user;
  }

  async function createKey(owner: { Authorization: string }, description = 'ci key'): Promise<{ Authorization: string; identifier: string }> {
    const res = await t.http().post('/api/client/account/api-keys').set(owner).send({ description }).expect(200);
    const token = res.body.meta.secret_token as string;
    return { ...bearer(token), identifier: token.slice(0, 16) };
  }

  /** Asks for a reset link for `email` and resets the password through it. */
  async function resetPassword(user: Pick<TestUser, 'email'>, password: string): Promise<void> {
    await t.http().post('/api/password/remind').send({ email: user.email }).expect(200);
    const token = await mailedToken(user.email, 'Reset your password', 'reset-password');
    await t.http().post('/api/password/reset').send({ token, email: user.email, password, password_confirmation: password }).expect(200);
  }

  /** The client family's password change (the current password is the proof). */
  async function changePassword(user: LoggedInUser, password: string): Promise<void> {
    await t
      .http()
      .put('/api/client/account/password')
      .set(user.auth)
      .send({ current_password: user.password, password, password_confirmation: password })
      .expect(204);
  }

  /** SMS two-factor on, set in the row (the enrolment itself is tested in two-factor-sms). */
  async function turnSmsOn(userId: number, phone: string): Promise<void> {
    await t.db.query(`UPDATE users SET two_factor_method = 'sms', two_factor_country_code = 381, two_factor_phone = $2 WHERE id = $1`, [userId, phone]);
  }

  describe('attack 1: the email takeover chain with a stolen, recent access token', () => {
    it('attack: ends with the attacker unable to log in and the victim still in, even when the attacker confirms first', async () => {
      const victim = await verifiedUser();
      const stolen = victim.auth;
      const evil = `${uniqueName('evil')}@example.com`;

      // The stolen token is fresh, so it passes the proof rule; the change is only pending though.
      const changed = await t.http().patch('/api/me/details/auth').set(stolen).send({ email: evil }).expect(200);
      expect(changed.body.data.email).toBe(victim.email);
      expect(await userRow(t, victim.id)).toMatchObject({ email: victim.email });
      // The reset goes to the address of record, so asking for one at the attacker's address sends nothing yet.
      await t.http().post('/api/password/remind').send({ email: evil }).expect(200);
      expect(await mailsTo(evil, 'Reset your password')).toBe(0);

      // The attacker holds the new mailbox and confirms at once, turns two-factor off, resets the password, logs in.
      await t.http().post('/api/email/verify').send({ token: await mailedToken(evil, 'Confirm your new email address', 'verify-email') }).expect(200);
      await t.http().delete('/api/me/2fa').set(stolen).expect(422, { message: '2FA is not enabled for this user.' });
      await resetPassword({ email: evil }, 'the attacker password');
      const attacker = await login(t, { username: evil, password: 'the attacker password' });
      // A second reset link, kept for later.
      await t.http().post('/api/password/remind').send({ email: evil }).expect(200);
      const spareReset = await mailedToken(evil, 'Reset your password', 'reset-password');

      // The victim opens the cancel link of the notice their address received before any of that.
      const cancel = await mailedToken(victim.email, 'Your email address is about to change', 'cancel-email-change');
      await t.http().post('/api/email/cancel-change').send({ token: cancel }).expect(200, { success: true });
      await t.http().get('/api/me').set(bearer(attacker.token)).expect(401);
      await t.http().post('/api/token/refresh').send({ refresh_token: attacker.refresh_token }).expect(401);
      await t.http().post('/api/login').send({ username: evil, password: 'the attacker password' }).expect(422, CREDENTIALS_WRONG);
      await t.http().post('/api/login').send({ username: victim.username, password: 'the attacker password' }).expect(422, CREDENTIALS_WRONG);
      await t
        .http()
        .post('/api/password/reset')
        .send({ token: spareReset, email: evil, password: 'attacker again', password_confirmation: 'attacker again' })
        .expect(400, { message: 'This password reset token is invalid.' });
      await t.http().post('/api/email/cancel-change').send({ token: cancel }).expect(400, { message: 'This email change token is invalid.' });
      expect(await userRow(t, victim.id)).toMatchObject({ email: victim.email, email_verified_at: expect.any(Date) });

      // The restored address got a reset link: the victim is in again, the attacker is not.
      const restored = await t.mail.waitFor((m) => m.to === victim.email && m.subject === 'Your email address was restored');
      expect(restored.text).toContain(evil);
      await resetPassword(victim, 'the victim password');
      await login(t, { username: victim.email, password: 'the victim password' });
      expect((await activityOf(t, victim.id, 'user:account.email-change-reverted')).length).toBe(1);
    });

    it('cancels a change that is still pending: the attacker never gets the address, every session ends', async () => {
      const victim = await verifiedUser();
      const evil = `${uniqueName('evil')}@example.com`;
      await t.http().patch('/api/me/details/auth').set(victim.auth).send({ email: evil }).expect(200);
      const cancel = await mailedToken(victim.email, 'Your email address is about to change', 'cancel-email-change');
      await t.http().post('/api/email/cancel-change').send({ token: cancel }).expect(200, { success: true });
      await t.http().get('/api/me').set(victim.auth).expect(401);
      const confirm = await mailedToken(evil, 'Confirm your new email address', 'verify-email');
      await t.http().post('/api/email/verify').send({ token: confirm }).expect(400, { message: 'This verification token is invalid.' });
      await t.http().post('/api/email/cancel-change').send({ token: cancel }).expect(400, { message: 'This email change token is invalid.' });
      // The password was not touched: nothing was taken yet.
      await login(t, victim);
      expect(await userRow(t, victim.id)).toMatchObject({ email: victim.email, email_verified_at: expect.any(Date) });
      const events = (await t.db.query(`SELECT event FROM activity_logs WHERE user_id = $1 ORDER BY id`, [victim.id])).map((r: { event: string }) => r.event);
      expect(events).toEqual(expect.arrayContaining(['user:account.email-change-requested', 'user:account.email-change-cancelled']));
      expect(events).not.toContain('user:account.email-changed');
    });

    it('keeps the revert window: the cancel link of a confirmed change dies after EMAIL_CHANGE_REVERT_DAYS', async () => {
      const user = await verifiedUser();
      const newEmail = `${uniqueName('moved')}@example.com`;
      await t.http().patch('/api/me/details/auth').set(user.auth).send({ email: newEmail }).expect(200);
      await t.http().post('/api/email/verify').send({ token: await mailedToken(newEmail, 'Confirm your new email address', 'verify-email') }).expect(200);
      await t.db.query(`UPDATE email_changes SET revert_until = now() - interval '1 second' WHERE user_id = $1`, [user.id]);
      const cancel = await mailedToken(user.email, 'Your email address is about to change', 'cancel-email-change');
      await t.http().post('/api/email/cancel-change').send({ token: cancel }).expect(400);
      expect(await userRow(t, user.id)).toMatchObject({ email: newEmail });
      await t.http().get('/api/me').set(user.auth).expect(200);
    });

    it('applies a pending change when the new address confirms: login, mail and reset move there, verified (client family)', async () => {
      const user = await verifiedUser();
      const newEmail = `${uniqueName('moved')}@example.com`;
      await t.http().put('/api/client/account/email').set(user.auth).send({ email: newEmail, password: user.password }).expect(204);
      expect(await userRow(t, user.id)).toMatchObject({ email: user.email });
      // Until confirmed the current address keeps working for login.
      await login(t, { username: user.email, password: user.password });

      // A resend replaces the link: the first one stops working.
      const first = await mailedToken(newEmail, 'Confirm your new email address', 'verify-email');
      await t.http().post('/api/email/resend').set(user.auth).expect(200, { success: true });
      const tokens = await mailedTokens(newEmail, 'Confirm your new email address', 'verify-email');
      expect(tokens).toHaveLength(2);
      const secondToken = tokens[1];
      await t.http().post('/api/email/verify').send({ token: first }).expect(400);
      await t.http().post('/api/email/verify').send({ token: secondToken }).expect(200, { success: true });
      await t.http().post('/api/email/verify').send({ token: secondToken }).expect(400);

      expect(await userRow(t, user.id)).toMatchObject({ email: newEmail, email_verified_at: expect.any(Date), status: 'Active' });
      await login(t, { username: newEmail, password: user.password });
      await t.http().post('/api/login').send({ username: user.email, password: user.password }).expect(422);
      const notice = await t.mail.waitFor((m) => m.to === user.email && m.subject === 'Your email address was changed');
      expect(notice.text).toContain(newEmail);
      // No mail carries a password, and the current address never sees the confirmation token.
      for (const mail of t.mail.messages.filter((m) => m.to === user.email || m.to === newEmail)) expect(mail.text).not.toContain(user.password);
      for (const mail of t.mail.messages.filter((m) => m.to === user.email)) expect(mail.text).not.toContain(secondToken);
      expect((await activityOf(t, user.id, 'user:account.email-changed')).length).toBe(1);
    });

    it('re-checks uniqueness when the change is confirmed (Open Badge family), and keeps the account as it was', async () => {
      const user = await verifiedUser();
      const contested = `${uniqueName('contested')}@example.com`;
      const res = await t.http().put('/api/v1/auth/user').set(user.auth).send({ email: contested }).expect(200);
      expect(res.body.email).toBe(user.email);
      const token = await mailedToken(contested, 'Confirm your new email address', 'verify-email');
      // Someone registers the address while the change waits.
      await registerUser(t, { email: contested });
      const taken = await t.http().post('/api/email/verify').send({ token }).expect(422);
      expect(taken.body.errors).toEqual({ email: ['The email has already been taken.'] });
      expect(await userRow(t, user.id)).toMatchObject({ email: user.email });
    });
  });

  describe('attack 2: API keys outlive recovery', () => {
    it('attack: keys made with a stolen token survive a password change (listed in its notice) and die at a reset', async () => {
      const victim = await verifiedUser();
      const keys = [await createKey(victim.auth, 'attacker key one'), await createKey(victim.auth, 'attacker key two')];

      await changePassword(victim, 'the changed password');
      for (const key of keys) await t.http().get('/api/client/account').set(key).expect(200);
      const changed = await t.mail.waitFor((m) => m.to === victim.email && m.subject === 'Your password was changed');
      for (const key of keys) expect(changed.text).toContain(key.identifier);
      expect(changed.text).toContain('attacker key one');

      const other = await login(t, { username: victim.username, password: 'the changed password' });
      await resetPassword(victim, 'the recovered password');
      for (const key of keys) await t.http().get('/api/client/account').set(key).expect(401);
      await t.http().get('/api/me').set(bearer(other.token)).expect(401);
      expect(await t.db.query(`SELECT id FROM api_keys WHERE user_id = $1`, [victim.id])).toHaveLength(0);
      const revoked = await activityOf(t, victim.id, 'user:api-key.revoked');
      expect(revoked.map((row) => row.properties)).toEqual(keys.map((key) => ({ identifier: key.identifier, reason: 'password-reset' })));
      const notice = await t.mail.waitFor((m) => m.to === victim.email && m.subject === 'Your password was reset');
      expect(notice.text).toContain('every API key deleted (2)');
    });

    it('attack: an unverified account on the victim’s address gets no key, and the reset that verifies it ends the squatter’s session', async () => {
      // The attacker registers the victim's address (never verified) and tries to make a key (issue 28: refused).
      const address = `${uniqueName('victim')}@example.com`;
      const squatter = await loggedInUser(t, { email: address });
      const refused = await t.http().post('/api/client/account/api-keys').set(squatter.auth).send({ description: 'squatter key' }).expect(403);
      expect(refused.body.errors[0]).toMatchObject({ status: '403', detail: 'Verify your email address first.' });
      expect(await t.db.query(`SELECT id FROM api_keys WHERE user_id = $1`, [squatter.id])).toHaveLength(0);
      // The victim "forgets the password" of the account on their address and takes it over.
      await resetPassword({ email: address }, 'the rightful password');
      await t.http().get('/api/me').set(squatter.auth).expect(401);
      expect(await userRow(t, squatter.id)).toMatchObject({ email_verified_at: expect.any(Date), status: 'Active' });
      const notice = await t.mail.waitFor((m) => m.to === address && m.subject === 'Your password was reset');
      expect(notice.text).toContain('The reset link also confirmed this email address.');
      expect((await activityOf(t, squatter.id, 'auth:password-reset'))[0].properties).toMatchObject({ api_keys_revoked: 0, email_verified: true });
    });

    it('drops a pending email change at a reset (the reset link proved the current address)', async () => {
      const user = await verifiedUser();
      const newEmail = `${uniqueName('pending')}@example.com`;
      await t.http().patch('/api/me/details/auth').set(user.auth).send({ email: newEmail }).expect(200);
      const confirm = await mailedToken(newEmail, 'Confirm your new email address', 'verify-email');
      await resetPassword(user, 'after the reset');
      await t.http().post('/api/email/verify').send({ token: confirm }).expect(400);
      expect(await userRow(t, user.id)).toMatchObject({ email: user.email });
    });
  });

  describe('attack 3: SMS two-factor enrolment without proof', () => {
    it('attack: an API key gets 403 on PUT /api/me/2fa and POST /api/me/2fa/verify, even with the right password', async () => {
      const victim = await verifiedUser();
      const key = await createKey(victim.auth);
      const before = await userRow(t, victim.id);
      await t.http().put('/api/me/2fa').set(key).send({ country_code: 381, phone_number: newPhone() }).expect(403, API_KEY_FORBIDDEN);
      await t
        .http()
        .put('/api/me/2fa')
        .set(key)
        .send({ country_code: 381, phone_number: newPhone(), current_password: victim.password })
        .expect(403, API_KEY_FORBIDDEN);
      await t.http().post('/api/me/2fa/verify').set(key).send({ token: '123456' }).expect(403, API_KEY_FORBIDDEN);
      await t.http().post('/api/me/2fa/recovery-codes').set(key).send({ password: victim.password }).expect(403, API_KEY_FORBIDDEN);
      expect(await userRow(t, victim.id)).toEqual(before);
    });

    it('attack: a stale access token gets 403 without current_password; with it the enrolment works', async () => {
      const user = await verifiedUser();
      await ageLogins(t, user.id);
      const phone = newPhone();
      await t.http().put('/api/me/2fa').set(user.auth).send({ country_code: 381, phone_number: phone }).expect(403, RECENT_AUTH);
      expect(sms.messages.filter((m) => m.to === `+381${phone}`)).toHaveLength(0);
      await t.http().put('/api/me/2fa').set(user.auth).send({ country_code: 381, phone_number: phone, current_password: 'not it' }).expect(422);

      await t.http().put('/api/me/2fa').set(user.auth).send({ country_code: 381, phone_number: phone, current_password: user.password }).expect(200);
      const code = lastSmsCode(sms, `+381${phone}`);
      await t.http().post('/api/me/2fa/verify').set(user.auth).send({ token: code }).expect(403, RECENT_AUTH);
      const verified = await t.http().post('/api/me/2fa/verify').set(user.auth).send({ token: code, current_password: user.password }).expect(200);
      expect(verified.body.meta.recovery_codes).toHaveLength(10);
    });
  });

  describe('attack 4: password guessing on logged-in routes', () => {
    let limited: MailingTestApp;
    beforeAll(async () => {
      // The documented defaults for one account (the shared test environment raises them).
      limited = await bootMailingTestApp({ RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT_IP: '5', RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT: '20' });
    });
    afterAll(async () => {
      await limited.close();
    });

    const LOCKOUT_SUBJECT = 'Repeated failed logins to your account';

    it('attack: the 6th wrong password on PUT /api/client/account/email is a 429 with Retry-After, the session is revoked, the owner mailed once', async () => {
      const victim = await loggedInUser(limited);
      const changeEmail = (password: string) =>
        limited.http().put('/api/client/account/email').set(victim.auth).send({ email: `${uniqueName('evil')}@example.com`, password });
      for (let guess = 1; guess <= 5; guess++) await changeEmail(`guess number ${guess}`).expect(400);
      const refused = await changeEmail('guess number 6').expect(429);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      expect(refused.body).toEqual({ errors: [{ code: 'TooManyRequestsHttpException', status: '429', detail: 'Too Many Attempts.' }] });
      await limited.http().get('/api/client/account').set(victim.auth).expect(401);

      await limited.app.get(MailService).flush();
      expect(limited.mail.messages.filter((m) => m.to === victim.email && m.subject === LOCKOUT_SUBJECT)).toHaveLength(1);
      expect(await userRow(limited, victim.id)).toMatchObject({ email: victim.email });
      expect(await activityOf(limited, victim.id, 'auth:proof-failed')).toHaveLength(5);
      expect((await activityOf(limited, victim.id, 'user:session.revoked'))[0].properties).toMatchObject({ reason: 'too-many-wrong-passwords' });
      // The account is locked for logins from there as well: the same counter.
      await limited.http().post('/api/login').send({ username: victim.username, password: victim.password }).expect(429);
    });

    it('attack: counts a wrong current_password of the /api/me family the same way (a right one resets the count)', async () => {
      const user = await loggedInUser(limited);
      const disable = (current_password: string) => limited.http().delete('/api/me/2fa').set(user.auth).send({ current_password });
      for (let guess = 1; guess <= 4; guess++) await disable(`guess ${guess}`).expect(422);
      // Right: the (account, address) count starts again (two-factor is simply not on).
      await disable(user.password).expect(422, { message: '2FA is not enabled for this user.' });
      for (let guess = 1; guess <= 5; guess++) await disable(`guess ${guess}`).expect(422);
      const refused = await disable('guess 6').expect(429, { message: 'Too Many Attempts.' });
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      await limited.http().get('/api/me').set(user.auth).expect(401);
    });
  });

  describe('attack 5: admin power over other accounts', () => {
    it("attack: a stale admin token cannot set another user's password, email, role or status; the target is mailed when it can", async () => {
      const admin = await loggedInAdmin(t);
      const target = await verifiedUser();
      await ageLogins(t, admin.id);
      const before = await userRow(t, target.id);
      for (const change of [
        { password: 'admin chosen password', password_confirmation: 'admin chosen password' },
        { email: `${uniqueName('admin-set')}@example.com`, email_verified: true },
        { role_id: 1 },
        { status: 'Banned' },
      ]) {
        await t.http().patch(`/api/users/${target.id}`).set(admin.auth).send(change).expect(403, RECENT_AUTH);
      }
      expect(await userRow(t, target.id)).toEqual(before);
      // Personal details need no proof.
      await t.http().patch(`/api/users/${target.id}`).set(admin.auth).send({ first_name: 'Renamed' }).expect(200);

      await t
        .http()
        .patch(`/api/users/${target.id}`)
        .set(admin.auth)
        .send({ password: 'admin chosen password', password_confirmation: 'admin chosen password', current_password: admin.password })
        .expect(200);
      const notice = await t.mail.waitFor((m) => m.to === target.email && m.subject === 'An administrator changed your account');
      expect(notice.text).toContain('password');
      expect(notice.text).not.toContain('admin chosen password');
      await t.http().get('/api/me').set(target.auth).expect(401);
    });

    it('attack: a stale admin token cannot create another admin; a plain user needs no proof', async () => {
      const admin = await loggedInAdmin(t);
      await ageLogins(t, admin.id);
      const body = (role_id: number) => {
        const username = uniqueName('made');
        return { username, email: `${username}@example.com`, password: 'a chosen password', password_confirmation: 'a chosen password', role_id };
      };
      const refused = body(1);
      await t.http().post('/api/users').set(admin.auth).send(refused).expect(403, RECENT_AUTH);
      expect(await t.db.query(`SELECT id FROM users WHERE username = $1`, [refused.username])).toHaveLength(0);
      await t.http().post('/api/users').set(admin.auth).send({ ...body(1), current_password: admin.password }).expect(201);
      await t.http().post('/api/users').set(admin.auth).send(body(2)).expect(201);
    });

    it('drops a pending change when an admin sets the address', async () => {
      const admin = await loggedInAdmin(t);
      const user = await verifiedUser();
      const pending = `${uniqueName('pending')}@example.com`;
      await t.http().patch('/api/me/details/auth').set(user.auth).send({ email: pending }).expect(200);
      const confirm = await mailedToken(pending, 'Confirm your new email address', 'verify-email');
      const chosen = `${uniqueName('admin-set')}@example.com`;
      await t.http().patch(`/api/users/${user.id}`).set(admin.auth).send({ email: chosen }).expect(200);
      await t.http().post('/api/email/verify').send({ token: confirm }).expect(400);
      expect(await userRow(t, user.id)).toMatchObject({ email: chosen });
      // Mailed at the address of record, which was the previous one.
      await t.mail.waitFor((m) => m.to === user.email && m.subject === 'An administrator changed your account');
    });

    it('drops open two-factor challenges at a ban', async () => {
      const admin = await loggedInAdmin(t);
      const target = await verifiedUser();
      await turnSmsOn(target.id, newPhone());
      await startChallenge(t, target);
      await t.http().patch(`/api/users/${target.id}`).set(admin.auth).send({ status: 'Banned' }).expect(200);
      expect(await t.db.query(`SELECT id FROM two_factor_challenges WHERE user_id = $1`, [target.id])).toHaveLength(0);
    });
  });

  describe('attack 6: half-finished logins, idle sessions, logout with an API key', () => {
    it('attack: a two-factor challenge opened with the old password is refused after a reset', async () => {
      const victim = await verifiedUser();
      const phone = newPhone();
      await turnSmsOn(victim.id, phone);
      const challenge = await startChallenge(t, victim);
      const code = lastSmsCode(sms, `+381${phone}`);
      await resetPassword(victim, 'the recovered password');
      const refused = await t.http().post('/api/login/two-factor').send({ challenge_token: challenge.challenge_token, code }).expect(422);
      expect(refused.body.errors).toEqual({ challenge_token: ['The two-factor challenge has expired or has been used up. Log in again.'] });
    });

    it('attack: a password change drops the challenges opened with the old password', async () => {
      const user = await verifiedUser();
      const phone = newPhone();
      await turnSmsOn(user.id, phone);
      const challenge = await startChallenge(t, user);
      const code = lastSmsCode(sms, `+381${phone}`);
      await changePassword(user, 'a changed password');
      await t.http().post('/api/login/two-factor').send({ challenge_token: challenge.challenge_token, code }).expect(422);
    });

    it(`attack: a session unused for SESSION_IDLE_TTL cannot refresh, and is revoked`, async () => {
      const user = await loggedInUser(t);
      const current = await login(t, user, 'the device in use');
      const [idle] = await t.db.query(`SELECT id FROM sessions WHERE user_id = $1 ORDER BY created_at LIMIT 1`, [user.id]);
      // Unused for 7 days and a minute (the default SESSION_IDLE_TTL is 7 days).
      await t.db.query(`UPDATE sessions SET last_activity = now() - interval '7 days 1 minute' WHERE id = $1`, [idle.id]);
      // No longer listed as active.
      const listed = await t.http().get('/api/me/sessions').set(bearer(current.token)).expect(200);
      expect(listed.body.data.map((session: { id: string }) => session.id)).not.toContain(idle.id);
      await t.http().post('/api/token/refresh').send({ refresh_token: user.tokens.refresh_token }).expect(401, { message: 'Unauthenticated.' });
      await t.http().get('/api/me').set(user.auth).expect(401);
      const [session] = await t.db.query(`SELECT revoked_at FROM sessions WHERE id = $1`, [idle.id]);
      expect(session.revoked_at).not.toBeNull();
      expect((await activityOf(t, user.id, 'user:session.revoked'))[0].properties).toMatchObject({ reason: 'idle' });

      // A session used within the idle time refreshes as before.
      const active = await loggedInUser(t);
      await t.db.query(`UPDATE sessions SET last_activity = now() - interval '6 days 23 hours' WHERE user_id = $1`, [active.id]);
      await t.http().post('/api/token/refresh').send({ refresh_token: active.tokens.refresh_token }).expect(200);
    });

    it('attack: POST /api/logout with an API key is a 403 and revokes nothing', async () => {
      const user = await verifiedUser();
      const key = await createKey(user.auth);
      await t.http().post('/api/logout').set(key).expect(403, { message: 'API keys have no session to log out of; delete the key to revoke it.' });
      await t.http().get('/api/client/account').set(key).expect(200);
      await t.http().get('/api/me').set(user.auth).expect(200);
    });
  });
});
