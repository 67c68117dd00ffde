import { bootTestApp, type TestApp } from '../../support/app.js';
import { loggedInUser, verifiedUser, type LoggedInUser } from '../../support/factories.js';
import { startSmsSink, type SmsSink } from '../../support/sms-sink.js';
import { lastSmsCode } from '../../support/two-factor-helpers.js';

const octet = (): number => 1 + Math.floor(Math.random() * 250);
const randomIp = (): string => `10.${octet()}.${octet()}.${octet()}`;
let phoneSeq = 0;
/** A national number no other test uses. */
const newPhone = (): string => `65${String(process.pid % 1000).padStart(3, '0')}${String(++phoneSeq).padStart(4, '0')}`;

describe('SMS budgets: calling codes, per account, destination, address, and overall', () => {
  let sink: SmsSink;
  let t: TestApp;
  beforeAll(async () => {
    sink = await startSmsSink();
    t = await bootTestApp({
      SMS_DRIVER: 'http',
      SMS_HTTP_URL: sink.url,
      TRUST_PROXY: 'loopback',
      SMS_PER_DESTINATION_PER_HOUR: '2',
      SMS_ENROLMENT_PER_ACCOUNT_PER_HOUR: '2',
      SMS_PER_IP_PER_HOUR: '3',
      SMS_ALLOWED_CALLING_CODES: '381,+44',
    });
  });
  afterAll(async () => {
    await t.close();
    await sink.close();
  });

  const enrol = (user: LoggedInUser, phone: string, ip = randomIp(), countryCode = 381) =>
    t.http().put('/api/me/2fa').set(user.auth).set('X-Forwarded-For', ip).send({ country_code: countryCode, phone_number: phone });
  const textsTo = (e164: string): number => sink.messages.filter((sms) => sms.to === e164).length;
  const storedPhone = async (userId: number): Promise<string | null> =>
    (await t.db.query(`SELECT two_factor_phone FROM users WHERE id = $1`, [userId]))[0].two_factor_phone;

  /** A refused text: 429 Too Many Attempts with Retry-After, nothing sent, nothing stored. */
  async function expectRefused(user: LoggedInUser, phone: string, ip?: string): Promise<void> {
    const before = sink.messages.length;
    const res = await enrol(user, phone, ip).expect(429);
    expect(res.body).toEqual({ message: 'Too Many Attempts.' });
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect(sink.messages.length).toBe(before);
    expect(await storedPhone(user.id)).not.toBe(phone);
  }

  it('refuses a phone to an account whose email is not verified, and texts nothing', async () => {
    const user = await loggedInUser(t);
    const phone = newPhone();
    const res = await enrol(user, phone).expect(403);
    expect(res.body).toEqual({ message: 'Verify your email address first.' });
    expect(textsTo(`+381${phone}`)).toBe(0);
    expect(await storedPhone(user.id)).toBeNull();
  });

  it('texts only allowed calling codes (422 on country_code), and the refusal spends no budget', async () => {
    const user = await verifiedUser(t);
    const phone = newPhone();
    for (let i = 0; i < 3; i++) {
      const res = await enrol(user, phone, randomIp(), 1).expect(422);
      expect(res.body).toEqual({
        message: 'The given data was invalid.',
        errors: { country_code: ['Text messages cannot be sent to this country calling code.'] },
      });
    }
    expect(textsTo(`+1${phone}`)).toBe(0);
    await enrol(user, phone, randomIp(), 44).expect(200);
    expect(textsTo(`+44${phone}`)).toBe(1);
  });

  it('caps the texts to one destination number, whichever accounts ask', async () => {
    const phone = newPhone();
    for (let i = 0; i < 2; i++) await enrol(await verifiedUser(t), phone).expect(200);
    await expectRefused(await verifiedUser(t), phone);
    expect(textsTo(`+381${phone}`)).toBe(2);
  });

  it('caps the texts one account may have sent, whichever numbers it tries', async () => {
    const user = await verifiedUser(t);
    for (let i = 0; i < 2; i++) await enrol(user, newPhone()).expect(200);
    await expectRefused(user, newPhone());
  });

  it('caps the texts asked for from one client address', async () => {
    const ip = randomIp();
    for (let i = 0; i < 3; i++) await enrol(await verifiedUser(t), newPhone(), ip).expect(200);
    await expectRefused(await verifiedUser(t), newPhone(), ip);
    // A refused text gave its budget back: the other counters are untouched (this account and number still can).
    await enrol(await verifiedUser(t), newPhone(), randomIp()).expect(200);
  });

  it('budgets the login codes apart from the enrolment: past their cap the right password gets 429, no text and no challenge', async () => {
    const user = await verifiedUser(t);
    const phone = newPhone();
    await enrol(user, phone).expect(200);
    await t
      .http()
      .post('/api/me/2fa/verify')
      .set(user.auth)
      .send({ token: lastSmsCode(sink, `+381${phone}`) })
      .expect(200);
    // The enrolment text counts against the number's enrolment budget; its 2 login texts are untouched.
    const login = () => t.http().post('/api/login').set('X-Forwarded-For', randomIp()).send({ username: user.username, password: user.password });
    for (let i = 0; i < 2; i++) expect((await login().expect(200)).body.two_factor_required).toBe(true);
    const challengesBefore = (await t.db.query(`SELECT count(*)::int AS n FROM two_factor_challenges WHERE user_id = $1`, [user.id]))[0].n;
    const refused = await login().expect(429);
    expect(refused.body).toEqual({ message: 'Too Many Attempts.' });
    expect(textsTo(`+381${phone}`)).toBe(3);
    expect((await t.db.query(`SELECT count(*)::int AS n FROM two_factor_challenges WHERE user_id = $1`, [user.id]))[0].n).toBe(challengesBefore);
  });
});

describe('SMS budgets: the overall hourly cap', () => {
  let sink: SmsSink;
  let t: TestApp;
  beforeAll(async () => {
    sink = await startSmsSink();
    t = await bootTestApp({ SMS_DRIVER: 'http', SMS_HTTP_URL: sink.url, TRUST_PROXY: 'loopback', SMS_MAX_PER_HOUR: '2' });
  });
  afterAll(async () => {
    await t.close();
    await sink.close();
  });

  it('refuses every text past SMS_MAX_PER_HOUR, from any account, address or number', async () => {
    const enrol = async (ip: string) =>
      t.http().put('/api/me/2fa').set((await verifiedUser(t)).auth).set('X-Forwarded-For', ip).send({ country_code: 381, phone_number: newPhone() });
    for (let i = 0; i < 2; i++) expect((await enrol(randomIp())).status).toBe(200);
    const refused = await enrol(randomIp());
    expect(refused.status).toBe(429);
    expect(sink.messages).toHaveLength(2);
  });
});

/**
 * Issue 28, attack 6: texts someone else asks for (enrolling the owner's number on their own account) never use up
 * the owner's login codes: enrolment and login texts are budgeted apart, per number, per address and overall.
 */
describe('SMS budgets: enrolment texts never spend the login codes (attack 6)', () => {
  let sink: SmsSink;
  beforeAll(async () => {
    sink = await startSmsSink();
  });
  afterAll(async () => {
    await sink.close();
  });

  const boot = (env: Record<string, string> = {}) =>
    bootTestApp({
      SMS_DRIVER: 'http',
      SMS_HTTP_URL: sink.url,
      TRUST_PROXY: 'loopback',
      // The documented defaults, set explicitly: the shared test environment raises every limit.
      SMS_PER_DESTINATION_PER_HOUR: '5',
      SMS_PER_IP_PER_HOUR: '20',
      SMS_MAX_PER_HOUR: '500',
      SMS_ENROLMENT_PER_ACCOUNT_PER_HOUR: '3',
      ...env,
    });

  /** The victim turns SMS two-factor on for `phone` (one enrolment text). */
  async function victimWithSms(t: TestApp, phone: string): Promise<LoggedInUser> {
    const victim = await verifiedUser(t);
    await t.http().put('/api/me/2fa').set(victim.auth).set('X-Forwarded-For', randomIp()).send({ country_code: 381, phone_number: phone }).expect(200);
    await t.http().post('/api/me/2fa/verify').set(victim.auth).send({ token: lastSmsCode(sink, `+381${phone}`) }).expect(200);
    return victim;
  }
  const victimLogin = (t: TestApp, victim: LoggedInUser) =>
    t.http().post('/api/login').set('X-Forwarded-For', randomIp()).send({ username: victim.username, password: victim.password });

  it("attack: four enrolments of the victim's number from another account leave the victim's login codes alone", async () => {
    const t = await boot();
    try {
      const phone = newPhone();
      const victim = await victimWithSms(t, phone);
      const attacker = await verifiedUser(t);
      const attackerIp = randomIp();
      const enrolments: number[] = [];
      for (let i = 0; i < 4; i++) {
        enrolments.push((await t.http().put('/api/me/2fa').set(attacker.auth).set('X-Forwarded-For', attackerIp).send({ country_code: 381, phone_number: phone })).status);
      }
      const login = await victimLogin(t, victim);
      expect({ enrolments, login: login.status, challenged: login.body.two_factor_required }).toEqual({
        // The enrolling account's own budget: three texts an hour.
        enrolments: [200, 200, 200, 429],
        login: 200,
        challenged: true,
      });
    } finally {
      await t.close();
    }
  });

  it("attack: draining the overall hourly cap with enrolments leaves the login codes' cap alone", async () => {
    const t = await boot({ SMS_MAX_PER_HOUR: '3' });
    try {
      const victim = await victimWithSms(t, newPhone());
      const enrol = async () =>
        (await t.http().put('/api/me/2fa').set((await verifiedUser(t)).auth).set('X-Forwarded-For', randomIp()).send({ country_code: 381, phone_number: newPhone() })).status;
      const enrolments = [await enrol(), await enrol(), await enrol()];
      const login = (await victimLogin(t, victim)).status;
      expect({ enrolments, login }).toEqual({ enrolments: [200, 200, 429], login: 200 });
    } finally {
      await t.close();
    }
  });
});
