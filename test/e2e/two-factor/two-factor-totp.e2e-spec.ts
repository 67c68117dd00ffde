import { MailService } from '../../../src/platform/mail/mail.service.js';
import { bootMailingTestApp, bootTestApp, type MailingTestApp, type TestApp } from '../../support/app.js';
import { bearer, verifiedUser, type LoggedInUser } from '../../support/factories.js';
import { enableTotp, startChallenge, totpCode, wrongTotpCode } from '../../support/two-factor-helpers.js';

const INVALID_PASSWORD = { errors: [{ code: 'BadRequestHttpException', status: '400', detail: 'The password provided was not valid.' }] };

describe('two-factor: TOTP (client family) and the login challenge', () => {
  let t: MailingTestApp;
  beforeAll(async () => {
    t = await bootMailingTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  const completeLogin = (body: object) => t.http().post('/api/login/two-factor').send(body);
  const eventCount = async (userId: number, event: string): Promise<number> =>
    (await t.db.query(`SELECT count(*)::int AS n FROM activity_logs WHERE user_id = $1 AND event = $2`, [userId, event]))[0].n;

  describe('set-up', () => {
    it('gives a new pending secret on every call, with its otpauth URL and an SVG QR code, and stores it encrypted', async () => {
      const user = await verifiedUser(t);
      const first = await t.http().get('/api/client/account/two-factor').set(user.auth).expect(200);
      const second = await t.http().get('/api/client/account/two-factor').set(user.auth).expect(200);
      expect(first.headers['cache-control']).toBe('no-store');
      const { secret, image_url_data, qr_code } = first.body.data;
      expect(secret).toMatch(/^[A-Z2-7]{32}$/);
      expect(second.body.data.secret).not.toBe(secret);
      expect(image_url_data.startsWith(`otpauth://totp/Tessera:${encodeURIComponent(user.email)}?`)).toBe(true);
      const url = new URL(image_url_data);
      expect(url.searchParams.get('secret')).toBe(secret);
      expect(url.searchParams.get('issuer')).toBe('Tessera');
      expect(qr_code).toMatch(/^data:image\/svg\+xml;base64,/);
      expect(Buffer.from(qr_code.split(',')[1], 'base64').toString()).toContain('<svg');

      const [row] = await t.db.query(`SELECT pending_totp_secret FROM two_factor_settings WHERE user_id = $1`, [user.id]);
      expect(row.pending_totp_secret).not.toContain(second.body.data.secret);
    });

    it('turns TOTP on with the code and password, returns 10 recovery codes once, and keeps the secret encrypted', async () => {
      const user = await verifiedUser(t);
      const setup = await t.http().get('/api/client/account/two-factor').set(user.auth).expect(200);
      const secret = setup.body.data.secret as string;
      const res = await t
        .http()
        .post('/api/client/account/two-factor')
        .set(user.auth)
        .send({ code: totpCode(secret), password: user.password })
        .expect(200);
      expect(res.body.object).toBe('recovery_tokens');
      const tokens = res.body.attributes.tokens as string[];
      expect(tokens).toHaveLength(10);
      expect(new Set(tokens).size).toBe(10);
      for (const token of tokens) expect(token).toMatch(/^[a-z2-7]{5}-[a-z2-7]{5}$/);

      const [settings] = await t.db.query(`SELECT totp_secret, pending_totp_secret FROM two_factor_settings WHERE user_id = $1`, [user.id]);
      expect(settings.pending_totp_secret).toBeNull();
      expect(settings.totp_secret).not.toBe(secret);
      expect(settings.totp_secret).not.toContain(secret);
      expect(settings.totp_secret).not.toContain(Buffer.from(secret).toString('base64'));
      const [row] = await t.db.query(`SELECT two_factor_method, two_factor_recovery_codes_left FROM users WHERE id = $1`, [user.id]);
      expect(row).toEqual({ two_factor_method: 'totp', two_factor_recovery_codes_left: 10 });
      const hashes = await t.db.query(`SELECT code_hash FROM two_factor_recovery_codes WHERE user_id = $1`, [user.id]);
      expect(hashes).toHaveLength(10);
      for (const { code_hash } of hashes) expect(tokens.map((token) => token.replace('-', ''))).not.toContain(code_hash);
      expect(await eventCount(user.id, 'user:two-factor.create')).toBe(1);

      // Never returned again: set-up is refused once two-factor is on.
      const again = await t.http().get('/api/client/account/two-factor').set(user.auth).expect(400);
      expect(again.body.errors[0]).toMatchObject({ code: 'BadRequestHttpException', status: '400' });
      expect(JSON.stringify(again.body)).not.toContain(secret);
    });

    it('checks the password before the code (400), then refuses a wrong code (422) and leaves two-factor off', async () => {
      const user = await verifiedUser(t);
      const setup = await t.http().get('/api/client/account/two-factor').set(user.auth).expect(200);
      const secret = setup.body.data.secret as string;
      const wrongPassword = await t
        .http()
        .post('/api/client/account/two-factor')
        .set(user.auth)
        .send({ code: 'nonsense', password: 'not the password' })
        .expect(400);
      expect(wrongPassword.body).toEqual(INVALID_PASSWORD);
      const wrongCode = await t
        .http()
        .post('/api/client/account/two-factor')
        .set(user.auth)
        .send({ code: wrongTotpCode(secret), password: user.password })
        .expect(422);
      expect(wrongCode.body.errors[0]).toMatchObject({ code: 'ValidationException', meta: { source_field: 'code', rule: 'totp' } });
      expect(wrongCode.body.errors[0].detail).toMatch(/not valid/);
      const [row] = await t.db.query(`SELECT two_factor_method FROM users WHERE id = $1`, [user.id]);
      expect(row.two_factor_method).toBeNull();
      const missing = await t.http().post('/api/client/account/two-factor').set(user.auth).send({ password: user.password }).expect(422);
      expect(missing.body.errors[0].meta).toEqual({ source_field: 'code', rule: 'required' });
    });
  });

  describe('login challenge', () => {
    let user: LoggedInUser;
    let secret: string;
    let recoveryCodes: string[];
    beforeAll(async () => {
      user = await verifiedUser(t);
      ({ secret, recoveryCodes } = await enableTotp(t, user));
    });

    it('answers the password with a challenge and completes it with the next code: a working token pair', async () => {
      const challenge = await startChallenge(t, user);
      expect(Object.keys(challenge).sort()).toEqual(['challenge_token', 'method', 'two_factor_required']);
      expect(challenge.method).toBe('totp');
      const [stored] = await t.db.query(`SELECT token_hash FROM two_factor_challenges WHERE user_id = $1 ORDER BY id DESC LIMIT 1`, [user.id]);
      expect(stored.token_hash).not.toBe(challenge.challenge_token);

      // The set-up code's time step is spent; the next step's code is within the ±1 window.
      const code = totpCode(secret, 1);
      const res = await completeLogin({ challenge_token: challenge.challenge_token, code }).expect(200);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.body).toMatchObject({ token_type: 'Bearer', expires_in: 900 });
      await t.http().get('/api/me/sessions').set(bearer(res.body.token)).expect(200);

      // The same code again, on a fresh challenge: refused.
      const replay = await startChallenge(t, user);
      const refused = await completeLogin({ challenge_token: replay.challenge_token, code }).expect(422);
      expect(refused.body).toEqual({ message: 'The given data was invalid.', errors: { code: ['Invalid 2FA token.'] } });
      // And the challenge itself cannot be used twice.
      const spent = await completeLogin({ challenge_token: challenge.challenge_token, code }).expect(422);
      expect(Object.keys(spent.body.errors)).toEqual(['challenge_token']);
    });

    it('refuses the code that turned two-factor on', async () => {
      const other = await verifiedUser(t);
      const { code } = await enableTotp(t, other);
      const challenge = await startChallenge(t, other);
      await completeLogin({ challenge_token: challenge.challenge_token, code }).expect(422);
    });

    it('kills the challenge after 5 wrong codes and records each failure', async () => {
      const before = await eventCount(user.id, 'auth:two-factor-failed');
      const challenge = await startChallenge(t, user);
      for (let i = 0; i < 5; i++) {
        const res = await completeLogin({ challenge_token: challenge.challenge_token, code: wrongTotpCode(secret) }).expect(422);
        expect(Object.keys(res.body.errors)).toEqual(['code']);
      }
      const dead = await completeLogin({ challenge_token: challenge.challenge_token, code: totpCode(secret, 1) }).expect(422);
      expect(dead.body.errors.challenge_token[0]).toMatch(/expired or has been used up/);
      expect(await eventCount(user.id, 'auth:two-factor-failed')).toBe(before + 5);
    });

    it('lets a challenge live 5 minutes', async () => {
      const challenge = await startChallenge(t, user);
      await t.db.query(`UPDATE two_factor_challenges SET expires_at = now() - interval '1 second' WHERE user_id = $1 AND consumed_at IS NULL`, [user.id]);
      const res = await completeLogin({ challenge_token: challenge.challenge_token, recovery_code: recoveryCodes[9] }).expect(422);
      expect(Object.keys(res.body.errors)).toEqual(['challenge_token']);
    });

    it('accepts a recovery code once, in any case and spacing, and counts what is left', async () => {
      const first = await startChallenge(t, user);
      const typed = ` ${recoveryCodes[0].toUpperCase().replace('-', ' ')} `;
      await completeLogin({ challenge_token: first.challenge_token, recovery_code: typed }).expect(200);
      const second = await startChallenge(t, user);
      const res = await completeLogin({ challenge_token: second.challenge_token, recovery_code: recoveryCodes[0] }).expect(422);
      expect(res.body.errors).toEqual({ recovery_code: ['Invalid 2FA token.'] });
      const [row] = await t.db.query(`SELECT two_factor_recovery_codes_left FROM users WHERE id = $1`, [user.id]);
      expect(row.two_factor_recovery_codes_left).toBe(9);
    });

    it('lets exactly one of two concurrent uses of one recovery code succeed', async () => {
      const [a, b] = await Promise.all([startChallenge(t, user), startChallenge(t, user)]);
      const results = await Promise.all([
        completeLogin({ challenge_token: a.challenge_token, recovery_code: recoveryCodes[1] }),
        completeLogin({ challenge_token: b.challenge_token, recovery_code: recoveryCodes[1] }),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual([200, 422]);
      const [row] = await t.db.query(`SELECT two_factor_recovery_codes_left FROM users WHERE id = $1`, [user.id]);
      expect(row.two_factor_recovery_codes_left).toBe(8);
    });

    it('is not bypassed by a password reset', async () => {
      const other = await verifiedUser(t);
      const { secret: otherSecret } = await enableTotp(t, other);
      await t.http().post('/api/password/remind').send({ email: other.email }).expect(200);
      await t.app.get(MailService).flush();
      const mail = t.mail.messages.filter((m) => m.to === other.email && m.subject === 'Reset your password').at(-1);
      const token = /[?&]token=([^&\s]+)/.exec(mail?.text ?? '')?.[1];
      expect(token).toBeDefined();
      const password = 'a brand new password';
      await t
        .http()
        .post('/api/password/reset')
        .send({ token: decodeURIComponent(token!), email: other.email, password, password_confirmation: password })
        .expect(200);
      const challenge = await startChallenge(t, { username: other.username, password });
      await completeLogin({ challenge_token: challenge.challenge_token, code: totpCode(otherSecret, 1) }).expect(200);
    });

    it('asks for a code or a recovery code, and not both', async () => {
      const challenge = await startChallenge(t, user);
      const none = await completeLogin({ challenge_token: challenge.challenge_token }).expect(422);
      expect(none.body.errors.code).toEqual(['The code field is required.']);
      const both = await completeLogin({ challenge_token: challenge.challenge_token, code: '123456', recovery_code: recoveryCodes[2] }).expect(422);
      expect(Object.keys(both.body.errors)).toEqual(['recovery_code']);
    });
  });

  describe('turning it off', () => {
    it('refuses without or with a wrong password and stays on; with the password: 204, and login needs no code', async () => {
      const user = await verifiedUser(t);
      await enableTotp(t, user);
      const missing = await t.http().post('/api/client/account/two-factor/disable').set(user.auth).send({}).expect(422);
      expect(missing.body.errors[0].meta).toEqual({ source_field: 'password', rule: 'required' });
      const wrong = await t.http().delete('/api/client/account/two-factor').set(user.auth).send({ password: 'not it' }).expect(400);
      expect(wrong.body).toEqual(INVALID_PASSWORD);
      await startChallenge(t, user);

      await t.http().post('/api/client/account/two-factor/disable').set(user.auth).send({ password: user.password }).expect(204);
      const res = await t.http().post('/api/login').send({ username: user.username, password: user.password }).expect(200);
      expect(res.body.token).toBeDefined();
      const [row] = await t.db.query(`SELECT two_factor_method, two_factor_recovery_codes_left FROM users WHERE id = $1`, [user.id]);
      expect(row).toEqual({ two_factor_method: null, two_factor_recovery_codes_left: 0 });
      expect(await t.db.query(`SELECT 1 FROM two_factor_settings WHERE user_id = $1`, [user.id])).toHaveLength(0);
      expect(await eventCount(user.id, 'user:two-factor.delete')).toBe(1);

      // Off already: DELETE says so; set-up can start again.
      await t.http().delete('/api/client/account/two-factor').set(user.auth).send({ password: user.password }).expect(400);
      await enableTotp(t, user);
      await t.http().delete('/api/client/account/two-factor').set(user.auth).send({ password: user.password }).expect(204);
    });
  });

  it('documents every route with its operation id, bearer scheme where needed, and error statuses', async () => {
    const doc = (await t.http().get('/docs-json').expect(200)).body;
    const operations = {
      getTotpSetup: doc.paths['/api/client/account/two-factor'].get,
      enableTotp: doc.paths['/api/client/account/two-factor'].post,
      deleteTotp: doc.paths['/api/client/account/two-factor'].delete,
      disableTotp: doc.paths['/api/client/account/two-factor/disable'].post,
      startSmsTwoFactor: doc.paths['/api/me/2fa'].put,
      disableSmsTwoFactor: doc.paths['/api/me/2fa'].delete,
      verifySmsTwoFactor: doc.paths['/api/me/2fa/verify'].post,
      regenerateRecoveryCodes: doc.paths['/api/me/2fa/recovery-codes'].post,
      completeTwoFactorLogin: doc.paths['/api/login/two-factor'].post,
    };
    for (const [name, operation] of Object.entries(operations)) {
      expect(operation.operationId).toBe(name);
      expect(operation.summary ?? operation.description).toBeTruthy();
      if (name !== 'completeTwoFactorLogin') expect(operation.security).toEqual([{ bearer: ['account.write'] }, { session_cookie: [] }]);
    }
    expect(Object.keys(operations.enableTotp.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '422']));
    expect(Object.keys(operations.startSmsTwoFactor.responses)).toEqual(expect.arrayContaining(['200', '422', '502']));
    // Public: an empty security requirement (Redocly's security-defined rule wants every operation to say).
    expect(operations.completeTwoFactorLogin.security).toEqual([]);
  });
});

describe('two-factor switched off (TWO_FACTOR_ENABLED=false)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await bootTestApp({ TWO_FACTOR_ENABLED: 'false' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers 404 in each family shape on the enrolment and management routes', async () => {
    const user = await verifiedUser(t);
    const client = await t.http().get('/api/client/account/two-factor').set(user.auth).expect(404);
    expect(client.body).toEqual({
      errors: [{ code: 'NotFoundHttpException', status: '404', detail: 'The requested resource could not be found on the server.' }],
    });
    const me = await t.http().put('/api/me/2fa').set(user.auth).send({ country_code: 381, phone_number: '641234567' }).expect(404);
    expect(me.body).toEqual({ message: 'Not Found.' });
  });

  it('fails closed: an account that has two-factor on is still challenged, and completes the challenge', async () => {
    // Two-factor was turned on while the switch was on (another instance of the same deployment, say).
    const on = await bootTestApp();
    let user: LoggedInUser;
    let secret: string;
    try {
      user = await verifiedUser(on);
      ({ secret } = await enableTotp(on, user));
    } finally {
      await on.close();
    }
    const answer = await t.http().post('/api/login').send({ username: user.username, password: user.password });
    expect({ status: answer.status, challenged: answer.body.two_factor_required, token: answer.body.token }).toEqual({
      status: 200,
      challenged: true,
      token: undefined,
    });
    const completed = await t.http().post('/api/login/two-factor').send({ challenge_token: answer.body.challenge_token, code: totpCode(secret, 1) }).expect(200);
    await t.http().get('/api/me').set(bearer(completed.body.token)).expect(200);
  });
});
