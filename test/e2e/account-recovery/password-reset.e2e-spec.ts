import { createHash } from 'node:crypto';
import { MailService } from '../../../src/platform/mail/mail.service.js';
import { bootMailingTestApp, bootTestApp, bootTestAppWithMailDown, type MailingTestApp, type TestApp } from '../../support/app.js';
import { bearer, loggedInUser, login, registerUser, uniqueName, type TestUser } from '../../support/factories.js';

const FRONTEND_URL = 'https://spa.example.test';
const REMIND_ANSWER = { message: 'If the account exists, an email has been sent to the provided address.' };
const INVALID_TOKEN = { message: 'This password reset token is invalid.' };
const NEW_PASSWORD = 'a brand new password';

interface ResetLink {
  token: string;
  email: string;
}

/** Every reset link mailed to `to` so far, oldest first, read from the real SMTP exchange. */
async function mailedResetLinks(t: MailingTestApp, to: string): Promise<ResetLink[]> {
  await t.app.get(MailService).flush();
  return t.mail.messages
    .filter((mail) => mail.to === to && mail.subject === 'Reset your password')
    .map((mail) => {
      const link = new RegExp(`${FRONTEND_URL.replace(/\./g, '\\.')}/reset-password\\?\\S+`).exec(mail.text)?.[0];
      if (!link) throw new Error(`no reset link in the mail to ${to}`);
      const params = new URL(link).searchParams;
      return { token: params.get('token') ?? '', email: params.get('email') ?? '' };
    });
}

describe('password reset through mailed links', () => {
  let t: MailingTestApp;

  const remind = (email: string) => t.http().post('/api/password/remind').send({ email });
  const reset = (link: ResetLink, password = NEW_PASSWORD, route = '/api/password/reset') =>
    t.http().post(route).send({ token: link.token, email: link.email, password, password_confirmation: password });

  /** Asks for a reset and returns the link the mail carried. */
  async function resetLinkFor(user: TestUser): Promise<ResetLink> {
    await remind(user.email).expect(200, REMIND_ANSWER);
    const links = await mailedResetLinks(t, user.email);
    return links[links.length - 1];
  }

  async function passwordHash(userId: number): Promise<string> {
    const [row] = await t.db.query(`SELECT password FROM users WHERE id = $1`, [userId]);
    return row.password as string;
  }

  beforeAll(async () => {
    t = await bootMailingTestApp({ FRONTEND_URL });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('resets the password once and only once, and mails a notice', async () => {
    const user = await registerUser(t);
    const link = await resetLinkFor(user);
    expect(link.email).toBe(user.email);
    expect(link.token).toMatch(/^[A-Za-z0-9_-]{43}$/);

    await reset(link).expect(200, { success: true });
    await login(t, { username: user.username, password: NEW_PASSWORD });
    await t.http().post('/api/login').send({ username: user.username, password: user.password }).expect(422);

    await reset(link, 'yet another password').expect(400, INVALID_TOKEN);
    await reset(link, 'yet another password', '/api/v1/auth/reset-password').expect(400, INVALID_TOKEN);
    await login(t, { username: user.username, password: NEW_PASSWORD });

    await t.app.get(MailService).flush();
    const notice = await t.mail.waitFor((mail) => mail.to === user.email && mail.subject === 'Your password was reset');
    expect(notice.text).not.toContain(link.token);
    const events = await t.db.query(`SELECT event, ip FROM activity_logs WHERE user_id = $1 AND event = 'auth:password-reset'`, [user.id]);
    expect(events).toHaveLength(1);
    expect(events[0].ip).toBeTruthy();
  });

  it('serves the Open Badge forms: GET request-password and POST reset-password', async () => {
    const user = await registerUser(t);
    const res = await t.http().get('/api/v1/auth/request-password').query({ email: user.email.toUpperCase() }).expect(200);
    expect(res.body).toEqual(REMIND_ANSWER);
    const [link] = await mailedResetLinks(t, user.email);
    // The link carries the address as stored, whatever case the request used.
    expect(link.email).toBe(user.email);
    await reset(link, NEW_PASSWORD, '/api/v1/auth/reset-password').expect(200, { success: true });
    await login(t, { username: user.username, password: NEW_PASSWORD });
  });

  it('refuses an expired token and changes nothing', async () => {
    const user = await registerUser(t);
    const link = await resetLinkFor(user);
    await t.db.query(
      `UPDATE user_tokens SET expires_at = now() - interval '1 second' WHERE user_id = $1 AND purpose = 'password_reset' AND used_at IS NULL`,
      [user.id],
    );
    const before = await passwordHash(user.id);
    await reset(link).expect(400, INVALID_TOKEN);
    expect(await passwordHash(user.id)).toBe(before);
    await login(t, user);
  });

  it('states a 60 minute life on the token row', async () => {
    const user = await registerUser(t);
    await resetLinkFor(user);
    const [row] = await t.db.query(
      `SELECT extract(epoch FROM expires_at - created_at)::int AS seconds FROM user_tokens WHERE user_id = $1 AND purpose = 'password_reset'`,
      [user.id],
    );
    expect(row.seconds).toBe(3600);
  });

  it('invalidates the older token when a newer one is requested', async () => {
    const user = await registerUser(t);
    await remind(user.email).expect(200);
    await remind(user.email).expect(200);
    const [older, newer] = await mailedResetLinks(t, user.email);
    expect(older.token).not.toBe(newer.token);
    await reset(older).expect(400, INVALID_TOKEN);
    await reset(newer).expect(200, { success: true });
  });

  it('spends a token once when two resets race', async () => {
    const user = await registerUser(t);
    const link = await resetLinkFor(user);
    const results = await Promise.all([reset(link, 'first racing password'), reset(link, 'second racing password')]);
    expect(results.map((res) => res.status).sort()).toEqual([200, 400]);
    const winner = results[0].status === 200 ? 'first racing password' : 'second racing password';
    await login(t, { username: user.username, password: winner });
  });

  it('keeps a single live token when two requests race', async () => {
    const user = await registerUser(t);
    await Promise.all([remind(user.email).expect(200), remind(user.email).expect(200)]);
    const links = await mailedResetLinks(t, user.email);
    expect(links).toHaveLength(2);
    const live = await t.db.query(`SELECT token_hash FROM user_tokens WHERE user_id = $1 AND purpose = 'password_reset' AND used_at IS NULL`, [user.id]);
    expect(live).toHaveLength(1);
    const statuses = [];
    for (const link of links) statuses.push((await reset(link)).status);
    expect(statuses.sort()).toEqual([200, 400]);
  });

  it('gives an unknown email the identical answer and sends nothing', async () => {
    const known = await registerUser(t);
    const unknown = `${uniqueName('nobody')}@example.com`;
    const tokensBefore = await t.db.query(`SELECT count(*)::int AS n FROM user_tokens`);

    const forUnknown = await remind(unknown).expect(200);
    const forKnown = await remind(known.email).expect(200);
    expect(forUnknown.body).toEqual(forKnown.body);
    expect(forUnknown.headers['content-type']).toBe(forKnown.headers['content-type']);
    await t.http().get('/api/v1/auth/request-password').query({ email: unknown }).expect(200, REMIND_ANSWER);

    await t.app.get(MailService).flush();
    await t.mail.waitFor((mail) => mail.to === known.email && mail.subject === 'Reset your password');
    expect(t.mail.messages.filter((mail) => mail.envelopeTo.includes(unknown))).toHaveLength(0);
    const [tokensAfter] = await t.db.query(`SELECT count(*)::int AS n FROM user_tokens`);
    expect(tokensAfter.n).toBe(tokensBefore[0].n + 1);
  });

  it('refuses a token presented with another address, and the token stays good', async () => {
    const user = await registerUser(t);
    const other = await registerUser(t);
    const link = await resetLinkFor(user);
    await reset({ token: link.token, email: other.email }).expect(400, INVALID_TOKEN);
    await reset({ token: link.token, email: `${uniqueName()}@example.com` }).expect(400, INVALID_TOKEN);
    await login(t, other);
    await reset({ token: link.token, email: user.email.toUpperCase() }).expect(200, { success: true });
  });

  it('refuses a token once the account moved to another address', async () => {
    const user = await registerUser(t);
    const link = await resetLinkFor(user);
    await t.db.query(`UPDATE users SET email = $1 WHERE id = $2`, [`${uniqueName()}@example.com`, user.id]);
    await reset(link).expect(400, INVALID_TOKEN);
  });

  it('revokes every session of the user', async () => {
    const user = await loggedInUser(t);
    const second = await login(t, user, 'second device');
    const link = await resetLinkFor(user);
    await reset(link).expect(200);

    await t.http().get('/api/me/sessions').set(user.auth).expect(401);
    await t.http().get('/api/me/sessions').set(bearer(second.token)).expect(401);
    await t.http().post('/api/token/refresh').send({ refresh_token: second.refresh_token }).expect(401);
    const [active] = await t.db.query(`SELECT count(*)::int AS n FROM sessions WHERE user_id = $1 AND revoked_at IS NULL`, [user.id]);
    expect(active.n).toBe(0);
  });

  it.each([
    ['missing fields', {}],
    ['a missing token', { token: undefined }],
    ['a mismatched confirmation', { password_confirmation: `${NEW_PASSWORD}!` }],
    ['a short password', { password: 'short', password_confirmation: 'short' }],
    ['an invalid email', { email: 'not-an-email' }],
    ['an unknown field', { status: 'Active' }],
    ['a wrong type', { token: 12345 }],
  ])('answers 422 for %s and changes nothing', async (_name, override: Record<string, unknown>) => {
    const user = await loggedInUser(t);
    const link = await resetLinkFor(user);
    const before = await passwordHash(user.id);
    const body = Object.keys(override).length === 0 ? {} : { token: link.token, email: link.email, password: NEW_PASSWORD, password_confirmation: NEW_PASSWORD, ...override };

    const res = await t.http().post('/api/password/reset').send(body).expect(422);
    expect(res.body.message).toBe('The given data was invalid.');
    expect(typeof res.body.errors).toBe('object');

    expect(await passwordHash(user.id)).toBe(before);
    await t.http().get('/api/me/sessions').set(user.auth).expect(200);
    const [row] = await t.db.query(`SELECT used_at FROM user_tokens WHERE user_id = $1 AND purpose = 'password_reset'`, [user.id]);
    expect(row.used_at).toBeNull();
  });

  it('names the failing fields', async () => {
    const res = await t.http().post('/api/password/reset').send({ token: 'x', email: 'a@example.com', password: NEW_PASSWORD, password_confirmation: 'other', role_id: 1 }).expect(422);
    expect(Object.keys(res.body.errors).sort()).toEqual(['password_confirmation', 'role_id']);
    expect(res.body.errors.role_id).toEqual(['The role_id field is not allowed.']);
  });

  it.each([
    ['a missing email', {}],
    ['an invalid email', { email: 'not-an-email' }],
    ['an unknown field', { email: 'a@example.com', username: 'x' }],
    ['a wrong type', { email: ['a@example.com'] }],
  ])('refuses a remind request with %s (422)', async (_name, body) => {
    const res = await t.http().post('/api/password/remind').send(body).expect(422);
    expect(res.body.message).toBe('The given data was invalid.');
  });

  it('refuses a bad request-password query (422)', async () => {
    await t.http().get('/api/v1/auth/request-password').expect(422);
    await t.http().get('/api/v1/auth/request-password').query({ email: 'not-an-email' }).expect(422);
    const res = await t.http().get('/api/v1/auth/request-password').query({ email: 'a@example.com', extra: '1' }).expect(422);
    expect(res.body.errors.extra).toEqual(['The extra field is not allowed.']);
  });

  it('refuses an unknown token (400)', async () => {
    const user = await registerUser(t);
    await reset({ token: 'A'.repeat(43), email: user.email }).expect(400, INVALID_TOKEN);
  });

  it('keeps only the SHA-256 of the token in the table', async () => {
    const user = await registerUser(t);
    const link = await resetLinkFor(user);
    const rows = await t.db.query(`SELECT * FROM user_tokens WHERE user_id = $1 AND purpose = 'password_reset'`, [user.id]);
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(link.token);
    expect(rows[0].token_hash).toBe(createHash('sha256').update(link.token).digest('hex'));
    expect(rows[0]).toMatchObject({ purpose: 'password_reset', email: user.email, used_at: null });
  });

  it('documents the routes under the password and email tag with their operation ids', async () => {
    const doc = (await t.http().get('/docs-json').expect(200)).body;
    const operations = {
      remindPassword: doc.paths['/api/password/remind'].post,
      requestPasswordReset: doc.paths['/api/v1/auth/request-password'].get,
      resetPassword: doc.paths['/api/password/reset'].post,
      resetPasswordV1: doc.paths['/api/v1/auth/reset-password'].post,
    };
    for (const [operationId, operation] of Object.entries(operations)) {
      expect(operation.operationId).toBe(operationId);
      expect(operation.tags).toEqual(['auth: password and email']);
      expect(operation.security).toEqual([]);
    }
    expect(Object.keys(operations.resetPassword.responses)).toEqual(expect.arrayContaining(['200', '400', '422']));
    expect(operations.requestPasswordReset.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'email', in: 'query' })]));
    expect(doc.components.schemas.ResetPasswordDto.required.sort()).toEqual(['email', 'password', 'password_confirmation', 'token']);
  });

  it('does not bypass two-factor of a verified address: the new password alone gives no tokens', async () => {
    const user = await registerUser(t);
    const link = await resetLinkFor(user);
    await t.db.query(`UPDATE users SET two_factor_method = 'totp', email_verified_at = now() WHERE id = $1`, [user.id]);
    await reset(link).expect(200);
    const res = await t.http().post('/api/login').send({ username: user.username, password: NEW_PASSWORD });
    expect(res.body).not.toHaveProperty('token');
    expect(res.body).not.toHaveProperty('refresh_token');
  });

  it('lets a banned user change the password but keeps them banned', async () => {
    const user = await registerUser(t);
    await t.db.query(`UPDATE users SET status = 'Banned' WHERE id = $1`, [user.id]);
    const link = await resetLinkFor(user);
    await reset(link).expect(200);
    const [row] = await t.db.query(`SELECT status FROM users WHERE id = $1`, [user.id]);
    expect(row.status).toBe('Banned');
    await t.http().post('/api/login').send({ username: user.username, password: NEW_PASSWORD }).expect(403, { message: 'Your account is banned by administrator.' });
  });
});

describe('password reset with the mail server down', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await bootTestAppWithMailDown();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('still answers the remind request normally', async () => {
    const user = await registerUser(t);
    await t.http().post('/api/password/remind').send({ email: user.email }).expect(200, REMIND_ANSWER);
    await t.http().post('/api/password/remind').send({ email: `${uniqueName()}@example.com` }).expect(200, REMIND_ANSWER);
    await expect(t.app.get(MailService).flush()).resolves.toBeUndefined();
  });
});

describe('password remind rate limits', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await bootTestApp({ RATE_LIMIT_REMIND_PER_HOUR: '2', RATE_LIMIT_REMIND_PER_IP_PER_HOUR: '3', TRUST_PROXY: 'loopback' });
  });
  afterAll(async () => {
    await t?.close();
  });

  const randomIp = () => `10.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;

  it('answers 429 with Retry-After per email, across addresses and both routes', async () => {
    const user = await registerUser(t);
    await t.http().post('/api/password/remind').set('X-Forwarded-For', randomIp()).send({ email: user.email }).expect(200);
    await t.http().get('/api/v1/auth/request-password').set('X-Forwarded-For', randomIp()).query({ email: user.email.toUpperCase() }).expect(200);
    const res = await t.http().post('/api/password/remind').set('X-Forwarded-For', randomIp()).send({ email: user.email }).expect(429);
    expect(res.body).toEqual({ message: 'Too Many Attempts.' });
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('limits an unknown email exactly like a known one', async () => {
    const email = `${uniqueName()}@example.com`;
    for (let i = 0; i < 2; i++) await t.http().post('/api/password/remind').set('X-Forwarded-For', randomIp()).send({ email }).expect(200);
    await t.http().post('/api/password/remind').set('X-Forwarded-For', randomIp()).send({ email }).expect(429);
  });

  it('counts every spelling of the address of record together (İ folds to i as the database compares)', async () => {
    const user = await registerUser(t, { email: `${uniqueName('li')}@example.com` });
    await t.http().post('/api/password/remind').set('X-Forwarded-For', randomIp()).send({ email: user.email.replace('li', 'lİ') }).expect(200);
    await t.http().post('/api/password/remind').set('X-Forwarded-For', randomIp()).send({ email: user.email.toUpperCase() }).expect(200);
    await t.http().post('/api/password/remind').set('X-Forwarded-For', randomIp()).send({ email: user.email }).expect(429);
  });

  it('answers 429 per IP across emails and both routes (RATE_LIMIT_REMIND_PER_IP_PER_HOUR); a refusal spends no budget', async () => {
    const ip = randomIp();
    for (let i = 0; i < 2; i++) {
      await t.http().post('/api/password/remind').set('X-Forwarded-For', ip).send({ email: `${uniqueName()}@example.com` }).expect(200);
    }
    await t.http().get('/api/v1/auth/request-password').set('X-Forwarded-For', ip).query({ email: `${uniqueName()}@example.com` }).expect(200);
    const refused = `${uniqueName()}@example.com`;
    await t.http().post('/api/password/remind').set('X-Forwarded-For', ip).send({ email: refused }).expect(429);
    await t.http().get('/api/v1/auth/request-password').set('X-Forwarded-For', ip).query({ email: refused }).expect(429);
    // The refused address kept its whole budget of 2.
    for (let i = 0; i < 2; i++) await t.http().post('/api/password/remind').set('X-Forwarded-For', randomIp()).send({ email: refused }).expect(200);
  });
});
