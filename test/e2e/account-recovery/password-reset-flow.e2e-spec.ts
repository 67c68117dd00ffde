import { MailService } from '../../../src/platform/mail/mail.service.js';
import { bootMailingTestApp, type MailingTestApp, type TestApp } from '../../support/app.js';
import { login, uniqueName } from '../../support/factories.js';

/**
 * Issue 4's "done when": a new user registers, verifies, forgets and resets their password end to end over
 * HTTP, following only the links in mails captured from a real SMTP exchange.
 */
describe('register → verify → forget → reset → log in', () => {
  let t: MailingTestApp;

  beforeAll(async () => {
    t = await bootMailingTestApp({ MAIL_FROM: 'Tessera <accounts@example.test>', FRONTEND_URL: 'https://spa.example.test' });
  });
  afterAll(async () => {
    await t?.close();
  });

  /** The link of the mail with this subject sent to `to`, as the SPA would receive it. */
  async function linkFrom(to: string, subject: string): Promise<URL> {
    await t.app.get(MailService).flush();
    const mail = await t.mail.waitFor((m) => m.to === to && m.subject === subject);
    expect(mail.from).toBe('Tessera <accounts@example.test>');
    const href = /href="(https:\/\/spa\.example\.test\/[^"]+)"/.exec(mail.html)?.[1];
    const text = /https:\/\/spa\.example\.test\/\S+/.exec(mail.text)?.[0];
    expect(href?.replace(/&amp;/g, '&')).toBe(text);
    return new URL(text!);
  }

  it('completes the whole journey through the API', async () => {
    const username = uniqueName('journey');
    const email = `${username}@example.com`;
    const password = 'the first password';
    await t
      .http()
      .post('/api/register')
      .send({ username, email, password, password_confirmation: password, first_name: 'Jo' })
      .expect(201, { requires_email_confirmation: true });

    const verifyLink = await linkFrom(email, 'Verify your email address');
    expect(verifyLink.pathname).toBe('/verify-email');
    await t.http().post('/api/email/verify').send({ token: verifyLink.searchParams.get('token') }).expect(200, { success: true });
    const session = await login(t, { username, password });
    const me = await t.http().get('/api/me/sessions').set('Authorization', `Bearer ${session.token}`).expect(200);
    expect(me.body.data).toHaveLength(1);

    await t
      .http()
      .get('/api/v1/auth/request-password')
      .query({ email })
      .expect(200, { message: 'If the account exists, an email has been sent to the provided address.' });
    const resetLink = await linkFrom(email, 'Reset your password');
    expect(resetLink.pathname).toBe('/reset-password');
    expect(resetLink.searchParams.get('email')).toBe(email);

    const newPassword = 'the second password';
    await t
      .http()
      .post('/api/password/reset')
      .send({
        token: resetLink.searchParams.get('token'),
        email: resetLink.searchParams.get('email'),
        password: newPassword,
        password_confirmation: newPassword,
      })
      .expect(200, { success: true });
    await t.app.get(MailService).flush();
    await t.mail.waitFor((m) => m.to === email && m.subject === 'Your password was reset');

    await t.http().get('/api/me/sessions').set('Authorization', `Bearer ${session.token}`).expect(401);
    await t.http().post('/api/login').send({ username, password }).expect(422);
    const fresh = await login(t, { username: email, password: newPassword });
    await t.http().get('/api/me/sessions').set('Authorization', `Bearer ${fresh.token}`).expect(200);

    const [row] = await t.db.query(`SELECT status, email_verified_at FROM users WHERE username = $1`, [username]);
    expect(row.status).toBe('Active');
    expect(row.email_verified_at).not.toBeNull();
    const events = await t.db.query(
      `SELECT event FROM activity_logs WHERE user_id = (SELECT id FROM users WHERE username = $1) ORDER BY id`,
      [username],
    );
    expect(events.map((e: { event: string }) => e.event)).toEqual([
      'user:registered',
      'auth:email-verified',
      'auth:login',
      'auth:password-reset',
      'auth:login-failed',
      'auth:login',
    ]);
  });
});
