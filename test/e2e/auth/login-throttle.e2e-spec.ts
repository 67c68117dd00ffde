import { RateLimiterService } from '../../../src/platform/rate-limit/rate-limiter.service.js';
import { MailService } from '../../../src/platform/mail/mail.service.js';
import { bootMailingTestApp, bootTestApp, type MailingTestApp, type TestApp } from '../../support/app.js';
import { registerUser, uniqueName, verifiedUser, type TestUser } from '../../support/factories.js';
import { describeWithRedis, TEST_REDIS_URL } from '../../support/redis.js';
import { enableTotp, wrongTotpCode } from '../../support/two-factor-helpers.js';

const REDIS_URL = TEST_REDIS_URL;
/** docs/configuration.md#rate-limits's defaults, set explicitly: the shared test environment raises every limit. */
const DEFAULT_LIMITS = {
  RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT_IP: '5',
  RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT: '20',
  RATE_LIMIT_LOGIN_FAILURES_PER_IP: '100',
  RATE_LIMIT_LOGIN_PER_IP: '300',
  RATE_LIMIT_LOGIN_PER_ACCOUNT: '30',
  TRUST_PROXY: 'loopback',
};
const TOO_MANY = { message: 'Too Many Attempts.' };

const octet = (): number => 1 + Math.floor(Math.random() * 250);
/** A client address of its own: the Redis is shared by other test runs, and each test needs fresh counters. */
const randomIp = (): string => `10.${octet()}.${octet()}.${octet()}`;

const countsFailures = (store: Record<string, string>) => (): void => {
  let t: MailingTestApp;
  beforeAll(async () => {
    t = await bootMailingTestApp({ ...store, ...DEFAULT_LIMITS });
  });
  afterAll(async () => {
    await t?.close();
  });

  const attempt = (ip: string, username: string, password: string) =>
    t.http().post('/api/login').set('X-Forwarded-For', ip).send({ username, password });
  const failTimes = async (n: number, ip: string | (() => string), username: string): Promise<void> => {
    for (let i = 0; i < n; i++) await attempt(typeof ip === 'string' ? ip : ip(), username, 'wrong password').expect(422);
  };
  const expectLimited = async (ip: string, user: Pick<TestUser, 'username' | 'password'>): Promise<number> => {
    const res = await attempt(ip, user.username, user.password).expect(429);
    expect(res.body).toEqual(TOO_MANY);
    const retryAfter = Number(res.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    return retryAfter;
  };

  it('lets 50 colleagues behind one address sign in, each three times in a row (successes never count as failures)', async () => {
    const office = randomIp();
    const users: TestUser[] = [];
    for (let batch = 0; batch < 5; batch++) users.push(...(await Promise.all(Array.from({ length: 10 }, () => registerUser(t)))));
    for (let round = 0; round < 3; round++) {
      for (const user of users) await attempt(office, user.username, user.password).expect(200);
    }
  });

  it('locks one account at one address after 5 failures, even for the right password; another address still logs in', async () => {
    const user = await registerUser(t);
    const ip = randomIp();
    await failTimes(5, ip, user.username);
    const retryAfter = await expectLimited(ip, user);
    expect(retryAfter).toBeLessThanOrEqual(900);
    await attempt(randomIp(), user.username, user.password).expect(200);
  });

  it('locks the account everywhere after 20 failures from 20 addresses', async () => {
    const user = await registerUser(t);
    await failTimes(20, randomIp, user.username);
    await expectLimited(randomIp(), user);
  });

  it('locks an address after 100 failures across 100 accounts; other addresses are not affected', async () => {
    const ip = randomIp();
    for (let i = 0; i < 100; i++) await attempt(ip, uniqueName('nobody'), 'wrong password').expect(422);
    const user = await registerUser(t);
    await expectLimited(ip, user);
    await attempt(randomIp(), user.username, user.password).expect(200);
  });

  it('counts every spelling of one account together: username, email and alİce (U+0130)', async () => {
    const user = await registerUser(t, { username: uniqueName('li') });
    const turkishI = user.username.replace('li', 'lİ');
    const ip = randomIp();
    // PostgreSQL folds it as the unique index does: that spelling logs in as the user.
    await attempt(randomIp(), turkishI, user.password).expect(200);
    for (const spelling of [user.username, user.email.toUpperCase(), turkishI, user.username.toUpperCase(), user.email]) {
      await attempt(ip, spelling, 'wrong password').expect(422);
    }
    await expectLimited(ip, { username: turkishI, password: user.password });
    await expectLimited(ip, { username: user.email, password: user.password });
  });

  it('keys an unknown identifier by its folded form', async () => {
    const name = uniqueName('ghost');
    const ip = randomIp();
    for (const spelling of [name, name.toUpperCase(), name.replace('h', 'H'), `${name[0]!.toUpperCase()}${name.slice(1)}`, name]) {
      await attempt(ip, spelling, 'wrong password').expect(422);
    }
    const res = await attempt(ip, name.toUpperCase(), 'wrong password').expect(429);
    expect(res.body).toEqual(TOO_MANY);
  });

  it('resets the (account, address) counter on a success', async () => {
    const user = await registerUser(t);
    const ip = randomIp();
    // 12 failures in all, never 5 in a row: each success starts the pair's count again.
    for (let round = 0; round < 3; round++) {
      await failTimes(4, ip, user.username);
      await attempt(ip, user.username, user.password).expect(200);
    }
  });

  it('mails the owner once about the lock-outs of an hour, and makes the next lock-out longer', async () => {
    const user = await registerUser(t);
    const ip = randomIp();
    await failTimes(5, ip, user.username);
    const first = await expectLimited(ip, user);
    const mail = await t.mail.waitFor((m) => m.to.includes(user.email) && m.subject === 'Repeated failed logins to your account');
    expect(mail.text).toContain(ip);
    expect(mail.text).not.toContain('wrong password');

    // The first lock-out ends (its counter and flag go, as Redis would expire them); the history of lock-outs stays.
    const [row] = await t.db.query(`SELECT id FROM users WHERE username = $1`, [user.username]);
    const limiter = t.app.get(RateLimiterService);
    const pair = `user:${row.id}|${ip}`;
    await limiter.reset({ name: 'login-failures-account-ip', points: 5, durationSeconds: 900 }, pair);
    await limiter.reset({ name: 'login-lock-accountIp', points: 1, durationSeconds: 86_400 }, pair);
    await failTimes(5, ip, user.username);
    const second = await expectLimited(ip, user);
    expect(second).toBeGreaterThan(first);
    expect(second).toBeLessThanOrEqual(1800);

    // Another lock-out from another address within the hour: no second mail.
    await failTimes(5, randomIp(), user.username);
    await t.app.get(MailService).flush();
    expect(t.mail.messages.filter((m) => m.to.includes(user.email) && m.subject.startsWith('Repeated failed logins'))).toHaveLength(1);
  });

  it('counts wrong two-factor codes as failures of the account', async () => {
    const user = await verifiedUser(t);
    const { secret } = await enableTotp(t, user);
    const ip = randomIp();
    const challenge = await attempt(ip, user.username, user.password).expect(200);
    const wrong = wrongTotpCode(secret);
    for (let i = 0; i < 5; i++) {
      await t.http().post('/api/login/two-factor').set('X-Forwarded-For', ip).send({ challenge_token: challenge.body.challenge_token, code: wrong }).expect(422);
    }
    await expectLimited(ip, user);
  });

  it('lets no more than the limit through when 20 wrong attempts arrive at once', async () => {
    const user = await registerUser(t);
    const ip = randomIp();
    const answers = await Promise.all(Array.from({ length: 20 }, () => attempt(ip, user.username, 'wrong password')));
    const statuses = answers.map((res) => res.status).sort();
    expect(statuses.filter((status) => status === 422)).toHaveLength(5);
    expect(statuses.filter((status) => status === 429)).toHaveLength(15);
    await expectLimited(ip, user);
  });
};

describe('login throttling counts failures (in process)', countsFailures({}));
describeWithRedis('login throttling counts failures (through Redis)', countsFailures({ REDIS_URL }));
// REDIS_URL set, nothing listening: the instance counts alone, and every rule above holds as strictly.
describe('login throttling counts failures (Redis not answering: in process)', countsFailures({ REDIS_URL: 'redis://127.0.0.1:1' }));


describeWithRedis('login throttling on two instances sharing one Redis', () => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    [a, b] = await Promise.all([bootTestApp({ REDIS_URL, ...DEFAULT_LIMITS }), bootTestApp({ REDIS_URL, ...DEFAULT_LIMITS })]);
  });
  afterAll(async () => {
    await Promise.all([a.close(), b.close()]);
  });

  const attempt = (on: TestApp, ip: string, username: string, password: string) =>
    on.http().post('/api/login').set('X-Forwarded-For', ip).send({ username, password });

  it('holds a limit spent on A on B', async () => {
    const user = await registerUser(a);
    const ip = randomIp();
    for (let i = 0; i < 5; i++) await attempt(a, ip, user.username, 'wrong password').expect(422);
    const res = await attempt(b, ip, user.username, user.password).expect(429);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('lets no more than the limit through when 20 wrong attempts arrive at once on both', async () => {
    const user = await registerUser(a);
    const ip = randomIp();
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => attempt(i % 2 ? a : b, ip, user.username, 'wrong password')));
    expect(answers.filter((res) => res.status === 422)).toHaveLength(5);
    expect(answers.filter((res) => res.status === 429)).toHaveLength(15);
  });
});
