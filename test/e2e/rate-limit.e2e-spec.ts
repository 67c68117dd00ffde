import { bootTestApp, type TestApp } from '../support/app.js';
import { loggedInUser, registerUser, uniqueName } from '../support/factories.js';
import { describeWithRedis, TEST_REDIS_URL } from '../support/redis.js';

const loginRateLimit = (env: Record<string, string>) => (): void => {
  let t: TestApp;
  beforeAll(async () => {
    t = await bootTestApp({ ...env, RATE_LIMIT_LOGIN_PER_MINUTE: '3', TRUST_PROXY: 'loopback' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers 429 with Retry-After per account, whatever the password', async () => {
    const user = await registerUser(t);
    for (let i = 0; i < 3; i++) {
      await t.http().post('/api/login').set('X-Forwarded-For', `10.0.${Math.floor(Math.random() * 250)}.${i}`).send({ username: user.username, password: 'wrong password' }).expect(422);
    }
    const res = await t.http().post('/api/login').set('X-Forwarded-For', '10.0.0.9').send({ username: user.username, password: user.password }).expect(429);
    expect(res.body).toEqual({ message: 'Too Many Attempts.' });
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('answers 429 per IP across accounts', async () => {
    const ip = `10.9.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;
    for (let i = 0; i < 3; i++) {
      await t.http().post('/api/login').set('X-Forwarded-For', ip).send({ username: uniqueName(), password: 'whatever1' }).expect(422);
    }
    await t.http().post('/api/login').set('X-Forwarded-For', ip).send({ username: uniqueName(), password: 'whatever1' }).expect(429);
    // Another client address is not limited.
    await t.http().post('/api/login').set('X-Forwarded-For', '10.8.0.1').send({ username: uniqueName(), password: 'whatever1' }).expect(422);
  });
};

describe('login rate limit (in process)', loginRateLimit({}));
describeWithRedis('login rate limit (through Redis)', loginRateLimit({ REDIS_URL: TEST_REDIS_URL }));

describe('per-user API limit', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await bootTestApp({ RATE_LIMIT_API_PER_MINUTE: '3' });
  });
  afterAll(async () => {
    await t?.close();
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
