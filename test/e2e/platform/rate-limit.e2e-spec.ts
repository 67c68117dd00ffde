import { bootTestApp, type TestApp } from '../../support/app.js';
import { loggedInUser, registerUser, uniqueName } from '../../support/factories.js';

// Login throttling (failures per account, address and pair) is tested in login-throttle.e2e-spec.ts.
describe('per-user API limit', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await bootTestApp({ RATE_LIMIT_API_PER_MINUTE: '3' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers 429 in the family shape once a user has spent the budget, whoever else calls', async () => {
    const user = await loggedInUser(t);
    const other = await loggedInUser(t);
    for (let i = 0; i < 3; i++) await t.http().get('/api/me').set(user.auth).expect(200);
    const limited = await t.http().get('/api/me').set(user.auth).expect(429);
    expect(limited.body).toEqual({ message: 'Too Many Attempts.' });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    const client = await t.http().get('/api/client/account').set(user.auth).expect(429);
    expect(client.body.errors[0]).toMatchObject({ code: 'TooManyRequestsHttpException', status: '429' });
    await t.http().get('/api/me').set(other.auth).expect(200);
  });
});

describe('registrations per client address', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await bootTestApp({ RATE_LIMIT_REGISTER_PER_HOUR: '3', TRUST_PROXY: 'loopback' });
  });
  afterAll(async () => {
    await t.close();
  });

  const register = (ip: string, username = uniqueName()) =>
    t.http().post('/api/register').set('X-Forwarded-For', ip).send({ username, email: `${username}@example.com`, password: 'pw-long-enough-1', password_confirmation: 'pw-long-enough-1' });

  it('answers 429 with Retry-After past RATE_LIMIT_REGISTER_PER_HOUR from one address, creating nothing; others still sign up', async () => {
    const ip = `10.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;
    for (let i = 0; i < 3; i++) await register(ip).expect(201);
    const username = uniqueName();
    const refused = await register(ip, username).expect(429);
    expect(refused.body).toEqual({ message: 'Too Many Attempts.' });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(await t.db.query(`SELECT id FROM users WHERE username = $1`, [username])).toEqual([]);
    await register('10.251.0.1').expect(201);
  });
});

describe('rate limits while Redis does not answer', () => {
  let t: TestApp;
  beforeAll(async () => {
    // A port nothing listens on: every step in Redis fails, so the instance counts alone.
    t = await bootTestApp({ REDIS_URL: 'redis://127.0.0.1:1', RATE_LIMIT_API_PER_MINUTE: '3', RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT_IP: '5' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('serves registration, sign-in, reset requests and authenticated requests, with the limits counted in process', async () => {
    const user = await loggedInUser(t);
    await t.http().post('/api/password/remind').send({ email: user.email }).expect(200);
    for (let i = 0; i < 3; i++) await t.http().get('/api/me').set(user.auth).expect(200);
    const limited = await t.http().get('/api/me').set(user.auth).expect(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('still locks an account out: the sixth wrong password is refused with 429, and so is the right one', async () => {
    const user = await registerUser(t);
    for (let i = 0; i < 5; i++) await t.http().post('/api/login').send({ username: user.username, password: 'wrong password' }).expect(422);
    const refused = await t.http().post('/api/login').send({ username: user.username, password: 'wrong password' }).expect(429);
    expect(refused.body).toEqual({ message: 'Too Many Attempts.' });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    await t.http().post('/api/login').send({ username: user.username, password: user.password }).expect(429);
  });

  it('stays ready, reporting Redis down', async () => {
    const res = await t.http().get('/health/ready').expect(200);
    expect(res.body).toEqual({ status: 'degraded', details: { database: { status: 'up' }, redis: { status: 'down' }, mail_outbox: expect.any(Object) } });
  });
});
