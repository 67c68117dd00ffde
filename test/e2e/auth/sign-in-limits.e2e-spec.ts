/**
 * Issue 28, attack 7: successful sign-ins are bounded on every path (password, two-factor, passkey), per address and
 * per account, and an account keeps at most MAX_SESSIONS_PER_USER sessions. The "attack" failed on the code before
 * the issue (the report quotes what it got then).
 */
import { bootTestApp, type TestApp } from '../../support/app.js';
import { bearer, loggedInUser, markEmailVerified, registerUser, type LoggedInUser, type TestUser } from '../../support/factories.js';
import { activityOf } from '../../support/admin-helpers.js';
import { SoftwareAuthenticator } from '../../support/software-authenticator.js';
import { enableTotp, totpCode } from '../../support/two-factor-helpers.js';

const ORIGIN = 'https://app.example.test';
const TOO_MANY = { message: 'Too Many Attempts.' };

const octet = (): number => 1 + Math.floor(Math.random() * 250);
const randomIp = (): string => `10.${octet()}.${octet()}.${octet()}`;
/** The session id of an access token (its `sid` claim). */
const sessionIdOf = (token: string): string => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).sid as string;

describe('successful sign-ins at the documented defaults', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await bootTestApp({ RATE_LIMIT_LOGIN_PER_IP: '300', RATE_LIMIT_LOGIN_PER_ACCOUNT: '30', TRUST_PROXY: 'loopback' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('attack: 120 successful logins of one account from one address: 30 pass, the rest get 429 with Retry-After', async () => {
    const user = await registerUser(t);
    const ip = randomIp();
    const statuses: number[] = [];
    let retryAfter = 0;
    for (let i = 0; i < 120; i++) {
      const res = await t.http().post('/api/login').set('X-Forwarded-For', ip).send({ username: user.username, password: user.password });
      statuses.push(res.status);
      if (res.status === 429) {
        expect(res.body).toEqual(TOO_MANY);
        retryAfter = Number(res.headers['retry-after']);
      }
    }
    const [{ active }] = await t.db.query(`SELECT count(*)::int AS active FROM sessions WHERE user_id = $1 AND revoked_at IS NULL`, [user.id]);
    expect({ passed: statuses.filter((s) => s === 200).length, limited: statuses.filter((s) => s === 429).length, active }).toEqual({
      passed: 30,
      limited: 90,
      active: 30,
    });
    expect(statuses.slice(0, 30)).toEqual(Array(30).fill(200));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(3600);
  });
});

describe('successful sign-ins bounded on every path', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await bootTestApp({
      RATE_LIMIT_LOGIN_PER_IP: '12',
      RATE_LIMIT_LOGIN_PER_ACCOUNT: '5',
      MAX_SESSIONS_PER_USER: '3',
      TRUST_PROXY: 'loopback',
      FRONTEND_URL: ORIGIN,
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  const login = (user: Pick<TestUser, 'username' | 'password'>, ip = randomIp()) =>
    t.http().post('/api/login').set('X-Forwarded-For', ip).send({ username: user.username, password: user.password });

  it('counts successes per address across accounts: the 13th from one address is 429, another address still signs in', async () => {
    const ip = randomIp();
    const users = await Promise.all([registerUser(t), registerUser(t), registerUser(t), registerUser(t)]);
    const statuses: number[] = [];
    for (const user of users.slice(0, 3)) for (let i = 0; i < 4; i++) statuses.push((await login(user, ip)).status);
    expect(statuses).toEqual(Array(12).fill(200));
    const refused = await login(users[3]!, ip).expect(429);
    expect(refused.body).toEqual(TOO_MANY);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(600);
    await login(users[3]!).expect(200);
  });

  it('refuses the wrong password too once the budget is spent, before any password check', async () => {
    const user = await registerUser(t);
    for (let i = 0; i < 5; i++) await login(user).expect(200);
    await login({ username: user.username, password: 'wrong password' }).expect(429, TOO_MANY);
    const [{ failed }] = await t.db.query(`SELECT count(*)::int AS failed FROM activity_logs WHERE user_id = $1 AND event = 'auth:login-failed'`, [user.id]);
    expect(failed).toBe(0);
  });

  it('counts a two-factor sign-in once, at its password step', async () => {
    const user = await loggedInUser(t);
    await markEmailVerified(t, user.id);
    const { secret } = await enableTotp(t, user);
    const challenges: string[] = [];
    for (let i = 0; i < 4; i++) challenges.push((await login(user).expect(200)).body.challenge_token as string);
    await login(user).expect(429, TOO_MANY);
    const completed = await t.http().post('/api/login/two-factor').send({ challenge_token: challenges[0], code: totpCode(secret, 1) }).expect(200);
    expect(completed.body.token).toEqual(expect.any(String));
  });

  it('counts passkey sign-ins with the password ones', async () => {
    const user = await loggedInUser(t);
    await markEmailVerified(t, user.id);
    const authenticator = new SoftwareAuthenticator(ORIGIN);
    const options = await t.http().post('/api/me/passkeys/options').set(user.auth).send({}).expect(200);
    await t.http().post('/api/me/passkeys').set(user.auth).send({ name: 'Laptop', response: authenticator.create(options.body.data) }).expect(201);
    const passkeySignIn = async () => {
      const ceremony = await t.http().post('/api/login/passkey/options').send({}).expect(200);
      return t.http().post('/api/login/passkey').send({ challenge_token: ceremony.body.challenge_token, response: authenticator.get(ceremony.body.options) });
    };
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await passkeySignIn()).status);
    // The first sign-in of the account was its password login.
    expect(statuses).toEqual([200, 200, 200, 200, 429]);
    await login(user).expect(429);
  });

  it('keeps at most MAX_SESSIONS_PER_USER sessions: a new one revokes the least recently used', async () => {
    const user: LoggedInUser = await loggedInUser(t);
    const second = (await login(user).expect(200)).body.token as string;
    const third = (await login(user).expect(200)).body.token as string;
    // The second session was used longest ago.
    await t.db.query(`UPDATE sessions SET last_activity = now() - interval '1 hour' WHERE id = $1`, [sessionIdOf(second)]);
    const fourth = (await login(user).expect(200)).body.token as string;

    const statusOf = async (token: string) => (await t.http().get('/api/me').set(bearer(token))).status;
    expect({ first: await statusOf(user.tokens.token), second: await statusOf(second), third: await statusOf(third), fourth: await statusOf(fourth) }).toEqual({
      first: 200,
      second: 401,
      third: 200,
      fourth: 200,
    });
    const revoked = await activityOf(t, user.id, 'user:session.revoked');
    expect(revoked.map((entry) => entry.properties)).toEqual([{ session_id_prefix: sessionIdOf(second).slice(0, 8), reason: 'session-limit' }]);
  });
});
