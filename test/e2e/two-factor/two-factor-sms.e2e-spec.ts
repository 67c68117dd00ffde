import { bootTestApp, type TestApp } from '../../support/app.js';
import { verifiedUser, type LoggedInUser } from '../../support/factories.js';
import { startSmsSink, type SmsSink } from '../../support/sms-sink.js';
import { enableTotp, lastSmsCode, startChallenge, totpCode } from '../../support/two-factor-helpers.js';

const GATEWAY_FAILED = { message: 'The SMS could not be sent. Please try again later.' };

describe('two-factor: SMS (/api/me family), recovery codes, and the SMS login challenge', () => {
  let sink: SmsSink;
  let t: TestApp;
  let phoneSeq = 0;
  beforeAll(async () => {
    sink = await startSmsSink();
    t = await bootTestApp({ SMS_DRIVER: 'http', SMS_HTTP_URL: sink.url });
  });
  afterAll(async () => {
    await t?.close();
    await sink?.close();
  });
  afterEach(() => sink.failWith(null));

  /** A national number no other test uses, so each test reads only its own texts. */
  const newPhone = (): string => `64${String(process.pid % 1000).padStart(3, '0')}${String(++phoneSeq).padStart(4, '0')}`;
  const completeLogin = (body: object) => t.http().post('/api/login/two-factor').send(body);
  const twoFactorRow = async (userId: number) =>
    (
      await t.db.query(
        `SELECT two_factor_method, two_factor_country_code, two_factor_phone, two_factor_recovery_codes_left FROM users WHERE id = $1`,
        [userId],
      )
    )[0];

  /** PUT the phone and verify the texted code: SMS two-factor on. */
  async function enableSms(user: LoggedInUser): Promise<{ phone: string; recoveryCodes: string[] }> {
    const phone = newPhone();
    await t.http().put('/api/me/2fa').set(user.auth).send({ country_code: 381, phone_number: phone }).expect(200);
    const res = await t
      .http()
      .post('/api/me/2fa/verify')
      .set(user.auth)
      .send({ token: lastSmsCode(sink, `+381${phone}`) })
      .expect(200);
    return { phone, recoveryCodes: res.body.meta.recovery_codes };
  }

  it('stores the pending phone, texts a code (kept hashed), and turns SMS two-factor on once verified', async () => {
    const user = await verifiedUser(t);
    const phone = newPhone();
    // The seed sends the number as a JSON number.
    const started = await t.http().put('/api/me/2fa').set(user.auth).send({ country_code: 381, phone_number: Number(phone) }).expect(200);
    expect(started.body.data).toMatchObject({
      two_factor_country_code: 381,
      two_factor_phone: phone,
      two_factor_options: { method: null, enabled: false, pending_method: 'sms', recovery_codes_left: 0 },
    });
    const text = sink.messages.at(-1)!;
    expect(text.body).toEqual({ to: `+381${phone}`, message: expect.stringMatching(/\b\d{6}\b/) });
    const code = lastSmsCode(sink, `+381${phone}`);
    const [settings] = await t.db.query(`SELECT sms_code_hash FROM two_factor_settings WHERE user_id = $1`, [user.id]);
    expect(settings.sms_code_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(settings.sms_code_hash).not.toContain(code);
    expect((await twoFactorRow(user.id)).two_factor_method).toBeNull();

    const wrong = await t.http().post('/api/me/2fa/verify').set(user.auth).send({ token: code === '000000' ? '000001' : '000000' }).expect(422);
    expect(wrong.body).toEqual({ message: 'Invalid 2FA token.' });

    const verified = await t.http().post('/api/me/2fa/verify').set(user.auth).send({ token: code }).expect(200);
    expect(verified.headers['cache-control']).toBe('no-store');
    expect(verified.body.data).toMatchObject({
      two_factor_country_code: 381,
      two_factor_phone: phone,
      two_factor_options: { method: 'sms', enabled: true, pending_method: null, recovery_codes_left: 10 },
    });
    expect(verified.body.meta.recovery_codes).toHaveLength(10);
    expect(await twoFactorRow(user.id)).toMatchObject({ two_factor_method: 'sms', two_factor_recovery_codes_left: 10 });

    const again = await t.http().put('/api/me/2fa').set(user.auth).send({ country_code: 381, phone_number: phone }).expect(422);
    expect(again.body).toEqual({ message: '2FA is already enabled for this user.' });
    const reverify = await t.http().post('/api/me/2fa/verify').set(user.auth).send({ token: code }).expect(422);
    expect(reverify.body).toEqual({ message: '2FA is already enabled for this user.' });
  });

  it('logs in with a texted code, once', async () => {
    const user = await verifiedUser(t);
    const { phone } = await enableSms(user);
    const challenge = await startChallenge(t, user);
    expect(challenge.method).toBe('sms');
    const code = lastSmsCode(sink, `+381${phone}`);
    expect(sink.messages.at(-1)?.message).toMatch(/login code/);
    const res = await completeLogin({ challenge_token: challenge.challenge_token, code }).expect(200);
    expect(res.body).toMatchObject({ token_type: 'Bearer' });

    // A new login texts a new code; the old one does not complete it.
    const next = await startChallenge(t, user);
    const newCode = lastSmsCode(sink, `+381${phone}`);
    if (newCode !== code) await completeLogin({ challenge_token: next.challenge_token, code }).expect(422);
    await completeLogin({ challenge_token: next.challenge_token, code: newCode }).expect(200);
  });

  it('refuses an expired code (10 minutes) and a code after 5 wrong attempts', async () => {
    const user = await verifiedUser(t);
    const phone = newPhone();
    await t.http().put('/api/me/2fa').set(user.auth).send({ country_code: 381, phone_number: phone }).expect(200);
    const code = lastSmsCode(sink, `+381${phone}`);
    await t.db.query(`UPDATE two_factor_settings SET sms_code_expires_at = now() - interval '1 second' WHERE user_id = $1`, [user.id]);
    const expired = await t.http().post('/api/me/2fa/verify').set(user.auth).send({ token: code }).expect(422);
    expect(expired.body).toEqual({ message: 'Invalid 2FA token.' });
    expect((await twoFactorRow(user.id)).two_factor_method).toBeNull();

    await t.http().put('/api/me/2fa').set(user.auth).send({ country_code: 381, phone_number: phone }).expect(200);
    const fresh = lastSmsCode(sink, `+381${phone}`);
    const wrong = fresh === '000000' ? '000001' : '000000';
    for (let i = 0; i < 5; i++) await t.http().post('/api/me/2fa/verify').set(user.auth).send({ token: wrong }).expect(422);
    await t.http().post('/api/me/2fa/verify').set(user.auth).send({ token: fresh }).expect(422);
    expect((await twoFactorRow(user.id)).two_factor_method).toBeNull();
  });

  it('answers 502 when the gateway refuses, and changes nothing', async () => {
    const user = await verifiedUser(t);
    sink.failWith(500);
    const res = await t.http().put('/api/me/2fa').set(user.auth).send({ country_code: 381, phone_number: newPhone() }).expect(502);
    expect(res.body).toEqual(GATEWAY_FAILED);
    expect(await twoFactorRow(user.id)).toEqual({
      two_factor_method: null,
      two_factor_country_code: null,
      two_factor_phone: null,
      two_factor_recovery_codes_left: 0,
    });
    expect(await t.db.query(`SELECT 1 FROM two_factor_settings WHERE user_id = $1`, [user.id])).toHaveLength(0);

    // An SMS user logging in while the gateway fails: 502, no challenge left behind.
    sink.failWith(null);
    const smsUser = await verifiedUser(t);
    await enableSms(smsUser);
    sink.failWith(503);
    const login = await t.http().post('/api/login').send({ username: smsUser.username, password: smsUser.password }).expect(502);
    expect(login.body).toEqual(GATEWAY_FAILED);
    expect(await t.db.query(`SELECT 1 FROM two_factor_challenges WHERE user_id = $1`, [smsUser.id])).toHaveLength(0);
  });

  it('keeps one method at a time', async () => {
    const smsUser = await verifiedUser(t);
    // A secret fetched before SMS was turned on cannot be confirmed afterwards.
    const setup = await t.http().get('/api/client/account/two-factor').set(smsUser.auth).expect(200);
    await enableSms(smsUser);
    await t.http().get('/api/client/account/two-factor').set(smsUser.auth).expect(400);
    const code = totpCode(setup.body.data.secret);
    await t.http().post('/api/client/account/two-factor').set(smsUser.auth).send({ code, password: smsUser.password }).expect(400);
    expect((await twoFactorRow(smsUser.id)).two_factor_method).toBe('sms');

    const totpUser = await verifiedUser(t);
    await enableTotp(t, totpUser);
    const res = await t.http().put('/api/me/2fa').set(totpUser.auth).send({ country_code: 381, phone_number: newPhone() }).expect(422);
    expect(res.body).toEqual({ message: '2FA is already enabled for this user.' });
    expect((await twoFactorRow(totpUser.id)).two_factor_method).toBe('totp');
  });

  it('turns off with recent authentication only: wrong password or an old session is refused and it stays on', async () => {
    const user = await verifiedUser(t);
    await enableSms(user);
    const wrong = await t.http().delete('/api/me/2fa').set(user.auth).send({ current_password: 'not it' }).expect(422);
    expect(Object.keys(wrong.body.errors)).toEqual(['current_password']);
    await t.db.query(`UPDATE sessions SET logged_in_at = now() - interval '20 minutes' WHERE user_id = $1`, [user.id]);
    await t.http().delete('/api/me/2fa').set(user.auth).expect(403);
    expect((await twoFactorRow(user.id)).two_factor_method).toBe('sms');
    await startChallenge(t, user);

    const res = await t.http().delete('/api/me/2fa').set(user.auth).send({ current_password: user.password }).expect(200);
    expect(res.body.data).toMatchObject({ two_factor_country_code: 0, two_factor_phone: '', two_factor_options: null });
    const login = await t.http().post('/api/login').send({ username: user.username, password: user.password }).expect(200);
    expect(login.body.token).toBeDefined();
    const notOn = await t.http().delete('/api/me/2fa').set(user.auth).send({ current_password: user.password }).expect(422);
    expect(notOn.body).toEqual({ message: '2FA is not enabled for this user.' });
  });

  it('regenerates recovery codes with the password: the old ones stop working', async () => {
    const user = await verifiedUser(t);
    const { recoveryCodes: old } = await enableSms(user);
    const wrong = await t.http().post('/api/me/2fa/recovery-codes').set(user.auth).send({ password: 'not it' }).expect(422);
    expect(Object.keys(wrong.body.errors)).toEqual(['password']);

    const challenge = await startChallenge(t, user);
    await completeLogin({ challenge_token: challenge.challenge_token, recovery_code: old[0] }).expect(200);
    expect((await twoFactorRow(user.id)).two_factor_recovery_codes_left).toBe(9);

    const res = await t.http().post('/api/me/2fa/recovery-codes').set(user.auth).send({ password: user.password }).expect(200);
    const fresh = res.body.meta.recovery_codes as string[];
    expect(fresh).toHaveLength(10);
    expect(res.body.data.two_factor_options.recovery_codes_left).toBe(10);
    const next = await startChallenge(t, user);
    await completeLogin({ challenge_token: next.challenge_token, recovery_code: old[1] }).expect(422);
    await completeLogin({ challenge_token: next.challenge_token, recovery_code: fresh[0] }).expect(200);

    const plain = await verifiedUser(t);
    const notOn = await t.http().post('/api/me/2fa/recovery-codes').set(plain.auth).send({ password: plain.password }).expect(422);
    expect(notOn.body).toEqual({ message: '2FA is not enabled for this user.' });
  });

  it('validates the phone', async () => {
    const user = await verifiedUser(t);
    const res = await t.http().put('/api/me/2fa').set(user.auth).send({ country_code: 'RS', phone_number: '+381 64' }).expect(422);
    expect(Object.keys(res.body.errors).sort()).toEqual(['country_code', 'phone_number']);
    await t.http().put('/api/me/2fa').set(user.auth).send({ country_code: '381', phone_number: newPhone() }).expect(200);
  });

  // Last: it takes the gateway down for good.
  it('answers 502 when the gateway is down altogether, and changes nothing', async () => {
    const user = await verifiedUser(t);
    await sink.close();
    const res = await t.http().put('/api/me/2fa').set(user.auth).send({ country_code: 381, phone_number: newPhone() }).expect(502);
    expect(res.body).toEqual(GATEWAY_FAILED);
    expect((await twoFactorRow(user.id)).two_factor_phone).toBeNull();
  });
});
