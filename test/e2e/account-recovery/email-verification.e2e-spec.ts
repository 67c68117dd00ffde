import { createHash } from 'node:crypto';
import { EmailVerificationService } from '../../../src/capabilities/account-recovery/email-verification.service.js';
import { MailService } from '../../../src/platform/mail/mail.service.js';
import { bootMailingTestApp, bootTestApp, bootTestAppWithMailDown, type MailingTestApp, type TestApp } from '../../support/app.js';
import { loggedInUser, registerUser, uniqueName } from '../../support/factories.js';

const FRONTEND_URL = 'https://spa.example.test';
const INVALID_TOKEN = { message: 'This verification token is invalid.' };

/** Every verification token mailed to `to` so far, oldest first, read from the real SMTP exchange. */
async function mailedVerificationTokens(t: MailingTestApp, to: string): Promise<string[]> {
  await t.app.get(MailService).flush();
  return t.mail.messages
    .filter((mail) => mail.to === to && mail.subject === 'Verify your email address')
    .map((mail) => {
      const link = /https:\/\/spa\.example\.test\/verify-email\?\S+/.exec(mail.text)?.[0];
      if (!link) throw new Error(`no verification link in the mail to ${to}`);
      return new URL(link).searchParams.get('token') ?? '';
    });
}

describe('email verification through mailed links', () => {
  let t: MailingTestApp;

  const verify = (token: unknown) => t.http().post('/api/email/verify').send({ token });
  const latestToken = async (to: string) => (await mailedVerificationTokens(t, to)).at(-1) ?? '';
  const userRow = async (id: number) => {
    const [row] = await t.db.query(`SELECT status, email_verified_at FROM users WHERE id = $1`, [id]);
    return row as { status: string; email_verified_at: Date | null };
  };

  beforeAll(async () => {
    t = await bootMailingTestApp({ FRONTEND_URL });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('mails a link on registration that flips Unconfirmed to Active, once', async () => {
    const user = await registerUser(t);
    expect(await userRow(user.id)).toEqual({ status: 'Unconfirmed', email_verified_at: null });
    const tokens = await mailedVerificationTokens(t, user.email);
    expect(tokens).toHaveLength(1);
    expect(tokens[0]).toMatch(/^[A-Za-z0-9_-]{43}$/);

    await verify(tokens[0]).expect(200, { success: true });
    const row = await userRow(user.id);
    expect(row.status).toBe('Active');
    expect(row.email_verified_at).toBeInstanceOf(Date);
    const events = await t.db.query(`SELECT event FROM activity_logs WHERE user_id = $1 AND event = 'auth:email-verified'`, [user.id]);
    expect(events).toHaveLength(1);

    await verify(tokens[0]).expect(400, INVALID_TOKEN);
  });

  it('registers nobody and mails nothing when the verification token cannot be stored', async () => {
    const username = uniqueName('atomic');
    const email = `${username}@example.com`;
    const password = 'a long enough password';
    const register = () => t.http().post('/api/register').send({ username, email, password, password_confirmation: password });
    // A fault after the account row is written, in the same transaction: the token insert fails for this user only.
    await t.db.query(`
      CREATE FUNCTION test_refuse_token() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF EXISTS (SELECT 1 FROM users WHERE id = NEW.user_id AND username = '${username}') THEN
          RAISE EXCEPTION 'injected fault';
        END IF;
        RETURN NEW;
      END $$`);
    await t.db.query(`CREATE TRIGGER test_refuse_token BEFORE INSERT ON user_tokens FOR EACH ROW EXECUTE FUNCTION test_refuse_token()`);
    try {
      await register().expect(500, { message: 'Server Error' });
    } finally {
      await t.db.query(`DROP TRIGGER test_refuse_token ON user_tokens`);
      await t.db.query(`DROP FUNCTION test_refuse_token()`);
    }
    expect(await t.db.query(`SELECT id FROM users WHERE username = $1`, [username])).toEqual([]);
    expect(await mailedVerificationTokens(t, email)).toEqual([]);

    // The username and address are not left taken: the same registration goes through once the fault is gone.
    await register().expect(201);
    expect(await mailedVerificationTokens(t, email)).toHaveLength(1);
  });

  it('states a 24 hour life, and refuses an expired token', async () => {
    const user = await registerUser(t);
    const token = await latestToken(user.email);
    const [row] = await t.db.query(
      `SELECT extract(epoch FROM expires_at - created_at)::int AS seconds FROM user_tokens WHERE user_id = $1 AND purpose = 'email_verification'`,
      [user.id],
    );
    expect(row.seconds).toBe(24 * 3600);
    await t.db.query(`UPDATE user_tokens SET expires_at = now() - interval '1 second' WHERE user_id = $1`, [user.id]);
    await verify(token).expect(400, INVALID_TOKEN);
    expect(await userRow(user.id)).toEqual({ status: 'Unconfirmed', email_verified_at: null });
  });

  it('keeps a Banned user Banned while verifying the address', async () => {
    const user = await registerUser(t);
    await t.db.query(`UPDATE users SET status = 'Banned' WHERE id = $1`, [user.id]);
    await verify(await latestToken(user.email)).expect(200);
    const row = await userRow(user.id);
    expect(row.status).toBe('Banned');
    expect(row.email_verified_at).not.toBeNull();
  });

  it('refuses a token for an address the user no longer has', async () => {
    const user = await registerUser(t);
    const token = await latestToken(user.email);
    await t.db.query(`UPDATE users SET email = $1 WHERE id = $2`, [`${uniqueName()}@example.com`, user.id]);
    await verify(token).expect(400, INVALID_TOKEN);
    expect((await userRow(user.id)).status).toBe('Unconfirmed');
  });

  it('mails the new address on an email change through the service the account updater calls', async () => {
    const user = await registerUser(t);
    const oldToken = await latestToken(user.email);
    const newEmail = `${uniqueName('moved')}@example.com`;
    await t.db.query(`UPDATE users SET email = $1, email_verified_at = NULL WHERE id = $2`, [newEmail, user.id]);

    await t.app.get(EmailVerificationService).sendFor({ id: user.id, email: newEmail, firstName: 'Mia' });
    const mail = await t.mail.waitFor((m) => m.to === newEmail);
    expect(mail.text).toContain('Hello Mia,');

    await verify(oldToken).expect(400, INVALID_TOKEN);
    await verify(await latestToken(newEmail)).expect(200);
    expect((await userRow(user.id)).status).toBe('Active');
  });

  it('mails a link to the new address when the email of an unverified account is changed through PATCH /api/me/details/auth', async () => {
    const user = await loggedInUser(t);
    const newEmail = `${uniqueName('changed')}@example.com`;
    // Unverified: the change applies at once and the new address gets a verification link (docs/security.md#pending-email-change-and-revert).
    await t.http().patch('/api/me/details/auth').set(user.auth).send({ email: newEmail, current_password: user.password }).expect(200);
    expect((await userRow(user.id)).email_verified_at).toBeNull();

    await verify(await latestToken(newEmail)).expect(200, { success: true });
    const row = await userRow(user.id);
    expect(row.status).toBe('Active');
    expect(row.email_verified_at).not.toBeNull();
  });

  it('resends a new link to the signed-in user and retires the old one', async () => {
    const user = await loggedInUser(t);
    const first = await latestToken(user.email);
    await t.http().post('/api/email/resend').set(user.auth).expect(200, { success: true });
    const tokens = await mailedVerificationTokens(t, user.email);
    expect(tokens).toHaveLength(2);
    await verify(first).expect(400, INVALID_TOKEN);
    await verify(tokens[1]).expect(200);
  });

  it('answers a resend for a verified address with success and sends no mail', async () => {
    const user = await loggedInUser(t);
    await verify(await latestToken(user.email)).expect(200);
    await t.http().post('/api/email/resend').set(user.auth).expect(200, { success: true });
    expect(await mailedVerificationTokens(t, user.email)).toHaveLength(1);
  });

  it('documents both routes under the password and email tag; only resend needs a credential', async () => {
    const doc = (await t.http().get('/docs-json').expect(200)).body;
    const verifyOperation = doc.paths['/api/email/verify'].post;
    const resendOperation = doc.paths['/api/email/resend'].post;
    expect(verifyOperation).toMatchObject({ operationId: 'verifyEmail', tags: ['auth: password and email'] });
    expect(verifyOperation.security).toEqual([]);
    expect(resendOperation).toMatchObject({ operationId: 'resendEmailVerification', tags: ['auth: password and email'], security: [{ bearer: ['account.write'] }, { session_cookie: [] }] });
    expect(doc.components.schemas.VerifyEmailDto.required).toEqual(['token']);
  });

  it('needs a credential to resend', async () => {
    await t.http().post('/api/email/resend').expect(401, { message: 'Unauthenticated.' });
  });

  it.each([
    ['a missing token', {}],
    ['an empty token', { token: '' }],
    ['a wrong type', { token: 123 }],
    ['an unknown field', { token: 'x', email: 'a@example.com' }],
  ])('answers 422 for %s', async (_name, body) => {
    const res = await t.http().post('/api/email/verify').send(body).expect(422);
    expect(res.body.message).toBe('The given data was invalid.');
  });

  it('refuses an unknown token and a reset token (400)', async () => {
    const user = await registerUser(t);
    await verify('A'.repeat(43)).expect(400, INVALID_TOKEN);
    await t.http().post('/api/password/remind').send({ email: user.email }).expect(200);
    await t.app.get(MailService).flush();
    const reset = await t.mail.waitFor((m) => m.to === user.email && m.subject === 'Reset your password');
    const resetToken = new URL(/https:\/\/\S+/.exec(reset.text)![0]).searchParams.get('token');
    await verify(resetToken).expect(400, INVALID_TOKEN);
    expect((await userRow(user.id)).status).toBe('Unconfirmed');
  });

  it('keeps only the SHA-256 of the token in the table', async () => {
    const user = await registerUser(t);
    const token = await latestToken(user.email);
    const rows = await t.db.query(`SELECT * FROM user_tokens WHERE user_id = $1`, [user.id]);
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(token);
    expect(rows[0].token_hash).toBe(createHash('sha256').update(token).digest('hex'));
  });
});

describe('email verification with the mail server down', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await bootTestAppWithMailDown();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('still registers the user and answers a resend normally', async () => {
    const user = await loggedInUser(t);
    await t.http().post('/api/email/resend').set(user.auth).expect(200, { success: true });
    await expect(t.app.get(MailService).flush()).resolves.toBeUndefined();
  });
});

describe('email verification resend rate limit', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await bootTestApp({ RATE_LIMIT_REMIND_PER_HOUR: '2' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers 429 with Retry-After per user', async () => {
    const user = await loggedInUser(t);
    for (let i = 0; i < 2; i++) await t.http().post('/api/email/resend').set(user.auth).expect(200);
    const res = await t.http().post('/api/email/resend').set(user.auth).expect(429, { message: 'Too Many Attempts.' });
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    // Another user is not limited.
    const other = await loggedInUser(t);
    await t.http().post('/api/email/resend').set(other.auth).expect(200);
  });
});
