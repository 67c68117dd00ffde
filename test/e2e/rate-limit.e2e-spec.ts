import { bootTestApp, type TestApp } from '../support/app.js';
import { loggedInUser } from '../support/factories.js';

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
