import { randomBytes } from 'node:crypto';
import { MailService } from '../../../src/platform/mail/mail.service.js';
import { bootMailingTestApp, type MailingTestApp } from '../../support/app.js';
import { loggedInUser, uniqueName, verifiedUser, type LoggedInUser } from '../../support/factories.js';
import { SoftwareAuthenticator } from '../../support/software-authenticator.js';
import { startSmsSink, type SmsSink } from '../../support/sms-sink.js';
import { enableTotp, lastSmsCode, startChallenge, totpCode } from '../../support/two-factor-helpers.js';

const ORIGIN = 'https://app.example.test';
const NOT_PROVEN = 'Verify your email address first.';
const DEVICE = `CredentialRules/${randomBytes(4).toString('hex')}`;

/**
 * Issue 28's rules for the credentials themselves: none before the address is proven, each one added is mailed to
 * that address, and a reset (or a password change) ends what it must and says what keeps working.
 */
describe('credentials, the proven address and recovery', () => {
  let t: MailingTestApp;
  let sms: SmsSink;
  let phoneSeq = 0;

  beforeAll(async () => {
    sms = await startSmsSink();
    t = await bootMailingTestApp({ FRONTEND_URL: ORIGIN, SMS_DRIVER: 'http', SMS_HTTP_URL: sms.url });
  });
  afterAll(async () => {
    await t?.close();
    await sms?.close();
  });

  const newPhone = (): string => `66${String(process.pid % 1000).padStart(3, '0')}${String(++phoneSeq).padStart(4, '0')}`;

  async function mailTo(address: string, subject: string) {
    await t.app.get(MailService).flush();
    return t.mail.waitFor((mail) => mail.to === address && mail.subject === subject);
  }

  async function registerPasskey(user: LoggedInUser, name = 'Laptop'): Promise<SoftwareAuthenticator> {
    const authenticator = new SoftwareAuthenticator(ORIGIN);
    const options = await t.http().post('/api/me/passkeys/options').set(user.auth).send({}).expect(200);
    await t.http().post('/api/me/passkeys').set(user.auth).set('User-Agent', DEVICE).send({ name, response: authenticator.create(options.body.data) }).expect(201);
    return authenticator;
  }

  async function createKey(user: LoggedInUser, description = 'deploy'): Promise<string> {
    const res = await t.http().post('/api/client/account/api-keys').set(user.auth).set('User-Agent', DEVICE).send({ description }).expect(200);
    return (res.body.meta.secret_token as string).slice(0, 16);
  }

  async function resetPassword(email: string, password: string): Promise<void> {
    await t.http().post('/api/password/remind').send({ email }).expect(200);
    const mail = await mailTo(email, 'Reset your password');
    const link = new URL(/https:\/\/\S+\/reset-password\?\S+/.exec(mail.text)![0]);
    await t
      .http()
      .post('/api/password/reset')
      .send({ token: link.searchParams.get('token'), email: link.searchParams.get('email'), password, password_confirmation: password })
      .expect(200);
  }

  const count = async (table: string, userId: number): Promise<number> =>
    (await t.db.query(`SELECT count(*)::int AS n FROM ${table} WHERE user_id = $1`, [userId]))[0].n as number;

  describe('no durable credential before the address is proven', () => {
    it('refuses a passkey, either two-factor method and an API key with 403, and creates or sends nothing', async () => {
      const user = await loggedInUser(t);
      const textsBefore = sms.messages.length;
      const refused = { message: NOT_PROVEN };
      await t.http().post('/api/me/passkeys/options').set(user.auth).send({}).expect(403, refused);
      await t.http().put('/api/me/2fa').set(user.auth).send({ country_code: 381, phone_number: newPhone() }).expect(403, refused);
      await t.http().post('/api/me/2fa/verify').set(user.auth).send({ token: '123456' }).expect(403, refused);
      // The client family says the same in its errors[].
      const clientRefusal = { errors: [{ code: 'AccessDeniedHttpException', status: '403', detail: NOT_PROVEN }] };
      await t.http().get('/api/client/account/two-factor').set(user.auth).expect(403, clientRefusal);
      await t.http().post('/api/client/account/two-factor').set(user.auth).send({ code: '123456', password: user.password }).expect(403, clientRefusal);
      await t.http().post('/api/client/account/api-keys').set(user.auth).send({ description: 'early' }).expect(403, clientRefusal);

      expect(sms.messages.length).toBe(textsBefore);
      for (const table of ['passkeys', 'webauthn_challenges', 'api_keys', 'two_factor_settings', 'two_factor_recovery_codes']) {
        expect({ table, rows: await count(table, user.id) }).toEqual({ table, rows: 0 });
      }
      const [row] = await t.db.query(`SELECT two_factor_method, two_factor_phone FROM users WHERE id = $1`, [user.id]);
      expect(row).toEqual({ two_factor_method: null, two_factor_phone: null });
    });

    it('allows them once the address is verified', async () => {
      const user = await loggedInUser(t);
      await t.db.query(`UPDATE users SET email_verified_at = now(), status = 'Active' WHERE id = $1`, [user.id]);
      await registerPasskey(user);
      await createKey(user);
    });
  });

  describe('every credential added is announced', () => {
    it('mails the address of record what was added, when, from which address and device, and how to undo it', async () => {
      const user = await verifiedUser(t);
      const since = new Date(Date.now() - 1000).toISOString().slice(0, 10);
      await registerPasskey(user, 'Work laptop');
      const passkey = await mailTo(user.email, 'A passkey was added to your account');
      expect(passkey.text).toContain('A passkey named “Work laptop” was added to your Tessera account on ');
      expect(passkey.text).toContain(`on ${since}`);
      expect(passkey.text).toMatch(/UTC, from the address (127\.0\.0\.1|::1|::ffff:127\.0\.0\.1)\./);
      expect(passkey.text).toContain(`Device: ${DEVICE}`);
      expect(passkey.text).toContain('sign in and remove the passkey, or reset your password');

      const identifier = await createKey(user, 'nightly export');
      const key = await mailTo(user.email, 'A new API key was created');
      expect(key.text).toContain(`Key: ${identifier} (nightly export)`);
      expect(key.text).toContain(`Device: ${DEVICE}`);
      expect(key.text).toContain('sign in and delete the key');

      const phone = newPhone();
      await t.http().put('/api/me/2fa').set(user.auth).send({ country_code: 381, phone_number: phone }).expect(200);
      await t.http().post('/api/me/2fa/verify').set(user.auth).set('User-Agent', DEVICE).send({ token: lastSmsCode(sms, `+381${phone}`) }).expect(200);
      const twoFactor = await mailTo(user.email, 'Two-factor authentication was turned on');
      expect(twoFactor.text).toContain('Two-factor authentication by text message was turned on');
      expect(twoFactor.text).toContain(`Device: ${DEVICE}`);
      expect(twoFactor.text).toContain('turn two-factor authentication off');

      await t.http().post('/api/me/2fa/recovery-codes').set(user.auth).set('User-Agent', DEVICE).send({ password: user.password }).expect(200);
      const codes = await mailTo(user.email, 'New two-factor recovery codes were generated');
      expect(codes.text).toContain('the previous ones no longer work');

      const other = await verifiedUser(t);
      await enableTotp(t, other);
      const totp = await mailTo(other.email, 'Two-factor authentication was turned on');
      expect(totp.text).toContain('by an authenticator app');
    });

    it('mails nothing when the addition is refused', async () => {
      const user = await loggedInUser(t);
      await t.http().post('/api/client/account/api-keys').set(user.auth).send({ description: 'refused' }).expect(403);
      await t.app.get(MailService).flush();
      expect(t.mail.messages.filter((mail) => mail.to === user.email && mail.subject === 'A new API key was created')).toEqual([]);
    });
  });

  describe('what a reset ends, and what it keeps', () => {
    it('on a verified address: ends sessions, keys, passkeys and challenges, keeps two-factor, and says so', async () => {
      const user = await verifiedUser(t);
      const { secret, recoveryCodes } = await enableTotp(t, user);
      await registerPasskey(user);
      await createKey(user);
      const newEmail = `${uniqueName('pending')}@example.com`;
      await t.http().patch('/api/me/details/auth').set(user.auth).send({ email: newEmail }).expect(200);
      // A login waiting for its second factor, begun before the reset.
      const challenge = await startChallenge(t, user);

      await resetPassword(user.email, 'recovered by the owner');
      for (const table of ['passkeys', 'api_keys', 'webauthn_challenges', 'two_factor_challenges']) {
        expect({ table, rows: await count(table, user.id) }).toEqual({ table, rows: 0 });
      }
      expect(await t.db.query(`SELECT id FROM email_changes WHERE user_id = $1`, [user.id])).toEqual([]);
      await t.http().post('/api/login/two-factor').send({ challenge_token: challenge.challenge_token, code: totpCode(secret, 1) }).expect(422);
      // Two-factor stays: the new password alone gets a challenge, and a recovery code still answers it.
      const next = await startChallenge(t, { username: user.username, password: 'recovered by the owner' });
      await t.http().post('/api/login/two-factor').send({ challenge_token: next.challenge_token, recovery_code: recoveryCodes[0] }).expect(200);

      const notice = await mailTo(user.email, 'Your password was reset');
      expect(notice.text).toContain('Ended: every session was signed out (1), every API key deleted (1), every passkey removed (1)');
      expect(notice.text).toContain('the pending email address change cancelled');
      expect(notice.text).toContain('Still working:\nTwo-factor authentication by an authenticator app, with 10 unused recovery codes');
      expect(notice.text).not.toContain('confirmed this email address');
      const [entry] = await t.db.query(`SELECT properties FROM activity_logs WHERE user_id = $1 AND event = 'auth:password-reset'`, [user.id]);
      expect(entry.properties).toEqual({
        sessions_revoked: 1,
        api_keys_revoked: 1,
        passkeys_removed: 1,
        challenges_dropped: 1,
        two_factor_removed: false,
        email_change_dropped: true,
        email_verified: false,
      });
      const revoked = await t.db.query(`SELECT properties FROM activity_logs WHERE user_id = $1 AND event = 'user:passkey.revoked'`, [user.id]);
      expect(revoked.map((row: { properties: object }) => row.properties)).toEqual([{ passkey_id: expect.any(Number), name: 'Laptop', reason: 'password-reset' }]);
    });

    it('on an address it proves for the first time: removes two-factor and its recovery codes too', async () => {
      // Two-factor set up while the address was not proven (before this rule, or after an admin unverified it).
      const user = await verifiedUser(t);
      const { recoveryCodes } = await enableTotp(t, user);
      await t.db.query(`UPDATE users SET email_verified_at = NULL, status = 'Unconfirmed' WHERE id = $1`, [user.id]);

      await resetPassword(user.email, 'the rightful owner');
      const [row] = await t.db.query(`SELECT two_factor_method, two_factor_recovery_codes_left, email_verified_at FROM users WHERE id = $1`, [user.id]);
      expect(row).toEqual({ two_factor_method: null, two_factor_recovery_codes_left: 0, email_verified_at: expect.any(Date) });
      for (const table of ['two_factor_settings', 'two_factor_recovery_codes']) {
        expect({ table, rows: await count(table, user.id) }).toEqual({ table, rows: 0 });
      }
      // The new password alone signs in: no second factor of whoever set it up.
      const login = await t.http().post('/api/login').send({ username: user.username, password: 'the rightful owner' }).expect(200);
      expect(login.body.token).toEqual(expect.any(String));
      expect(recoveryCodes).toHaveLength(10);

      const notice = await mailTo(user.email, 'Your password was reset');
      expect(notice.text).toContain('Two-factor authentication was turned off and its recovery codes deleted');
      expect(notice.text).toContain('Nothing else keeps working');
      expect(notice.text).toContain('The reset link also confirmed this email address.');
      const [entry] = await t.db.query(`SELECT properties FROM activity_logs WHERE user_id = $1 AND event = 'auth:password-reset'`, [user.id]);
      expect(entry.properties).toMatchObject({ two_factor_removed: true, email_verified: true });
      const [removed] = await t.db.query(`SELECT properties FROM activity_logs WHERE user_id = $1 AND event = 'user:two-factor.delete'`, [user.id]);
      expect(removed.properties).toEqual({ method: 'totp', reason: 'password-reset' });
    });
  });

  describe('what a password change keeps', () => {
    it('signs out the other sessions, keeps keys and passkeys, and lists them in the notice', async () => {
      const user = await verifiedUser(t);
      const authenticator = await registerPasskey(user, 'Phone');
      const identifier = await createKey(user, 'backup job');
      const other = await t.http().post('/api/login').send({ username: user.username, password: user.password }).expect(200);
      const changed = `changed-${randomBytes(6).toString('hex')}`;
      await t
        .http()
        .put('/api/client/account/password')
        .set(user.auth)
        .send({ current_password: user.password, password: changed, password_confirmation: changed })
        .expect(204);
      await t.http().get('/api/me').set({ Authorization: `Bearer ${other.body.token}` }).expect(401);
      await t.http().get('/api/me').set(user.auth).expect(200);
      expect(await count('passkeys', user.id)).toBe(1);
      const options = await t.http().post('/api/login/passkey/options').send({ username: user.username }).expect(200);
      await t.http().post('/api/login/passkey').send({ challenge_token: options.body.challenge_token, response: authenticator.get(options.body.options) }).expect(200);

      const notice = await mailTo(user.email, 'Your password was changed');
      expect(notice.text).toContain('Every other session was signed out (1)');
      expect(notice.text).toContain('These keep working; remove any you do not recognise:');
      expect(notice.text).toContain(`API key ${identifier} (backup job)`);
      expect(notice.text).toMatch(/Passkey “Phone”, added \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC/);
    });
  });
});
