/**
 * Issue 28, attack 4: nobody can lock the owner out. Failures others send lock the account for everyone without a
 * device token of it; the owner's device (its `X-Device-Token`) and the owner's session are judged on their own
 * failures only, and a successful password reset clears the account's locks. Every `it` named "attack" failed on the
 * code before the issue (the report quotes the statuses it got then).
 */
import { randomBytes } from 'node:crypto';
import { MailService } from '../../../src/platform/mail/mail.service.js';
import { bootMailingTestApp, type MailingTestApp } from '../../support/app.js';
import { bearer, markEmailVerified, registerUser, type TestUser } from '../../support/factories.js';
import { describeWithRedis, TEST_REDIS_URL } from '../../support/redis.js';
import { activityOf } from '../../support/admin-helpers.js';
import { SoftwareAuthenticator } from '../../support/software-authenticator.js';

const ORIGIN = 'https://app.example.test';
/** The documented defaults, set explicitly: the shared test environment raises every limit. */
const DEFAULT_LIMITS = {
  RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT_IP: '5',
  RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT: '20',
  RATE_LIMIT_LOGIN_FAILURES_PER_IP: '100',
  RATE_LIMIT_LOGIN_PER_IP: '300',
  RATE_LIMIT_LOGIN_PER_ACCOUNT: '30',
  TRUST_PROXY: 'loopback',
  FRONTEND_URL: ORIGIN,
};

const octet = (): number => 1 + Math.floor(Math.random() * 250);
/** A client address of its own: the Redis is shared by other test runs, and each test needs fresh counters. */
const randomIp = (): string => `10.${octet()}.${octet()}.${octet()}`;
const hextet = (): string => randomBytes(2).toString('hex');
/** A random IPv6 /64 (documentation range); `host(n)` is one address in it. */
const randomNetwork64 = () => {
  const prefix = `2001:db8:${hextet()}:${hextet()}`;
  return { host: (n: number): string => `${prefix}:${hextet()}:${hextet()}:${hextet()}:${n.toString(16)}` };
};

const resists = (store: Record<string, string>) => (): void => {
  let t: MailingTestApp;
  beforeAll(async () => {
    t = await bootMailingTestApp({ ...DEFAULT_LIMITS, ...store });
  });
  afterAll(async () => {
    await t?.close();
  });

  const login = (ip: string, username: string, password: string, deviceToken?: string) => {
    const request = t.http().post('/api/login').set('X-Forwarded-For', ip);
    if (deviceToken !== undefined) request.set('X-Device-Token', deviceToken);
    return request.send({ username, password });
  };
  /** What an attacker without the password does: 5 wrong passwords from each of 4 addresses (20 in all). */
  const lockOutFromFourAddresses = async (user: TestUser): Promise<number[]> => {
    const statuses: number[] = [];
    for (let address = 0; address < 4; address++) {
      const ip = randomIp();
      for (let guess = 0; guess < 5; guess++) statuses.push((await login(ip, user.username, `guess ${address}.${guess}`)).status);
    }
    return statuses;
  };
  const verifiedOwner = async (): Promise<TestUser> => {
    const user = await registerUser(t);
    await markEmailVerified(t, user.id);
    return user;
  };

  async function resetPassword(user: TestUser, password: string): Promise<number> {
    await t.http().post('/api/password/remind').send({ email: user.email }).expect(200);
    await t.app.get(MailService).flush();
    const mail = await t.mail.waitFor((m) => m.to === user.email && m.subject === 'Reset your password');
    const token = new URL(/https:\/\/\S+reset-password\?\S+/.exec(mail.text)![0]).searchParams.get('token');
    return (await t.http().post('/api/password/reset').send({ token, email: user.email, password, password_confirmation: password })).status;
  }

  it('answers every sign-in with a device token, stored only as a hash', async () => {
    const owner = await verifiedOwner();
    const res = await login(randomIp(), owner.username, owner.password).expect(200);
    expect(res.body.device_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const rows: { token_hash: string; expires_at: Date }[] = await t.db.query(`SELECT token_hash, expires_at FROM device_tokens WHERE user_id = $1`, [owner.id]);
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(res.body.device_token);
    const days = (rows[0]!.expires_at.getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(89.9);
    expect(days).toBeLessThanOrEqual(90);
    // Sent back, the same device keeps its token (its 90 days start again); no second row.
    const again = await login(randomIp(), owner.username, owner.password, res.body.device_token).expect(200);
    expect(again.body.device_token).toBe(res.body.device_token);
    expect(await t.db.query(`SELECT 1 FROM device_tokens WHERE user_id = $1`, [owner.id])).toHaveLength(1);
  });

  it("attack: 20 wrong passwords from 4 addresses lock neither the owner's device nor the owner's session", async () => {
    const owner = await verifiedOwner();
    const home = randomIp();
    const signedIn = await login(home, owner.username, owner.password).expect(200);
    const session = bearer(signedIn.body.token);
    const attacker = await lockOutFromFourAddresses(owner);

    const deviceLogin = (await login(home, owner.username, owner.password, signedIn.body.device_token)).status;
    const passwordChange = (
      await t
        .http()
        .put('/api/client/account/password')
        .set(session)
        .set('X-Forwarded-For', home)
        .send({ current_password: owner.password, password: `${owner.password}-next`, password_confirmation: `${owner.password}-next` })
    ).status;
    const sessionAfter = (await t.http().get('/api/me').set(session).set('X-Forwarded-For', home)).status;
    const newDevice = await login(randomIp(), owner.username, `${owner.password}-next`);

    expect({ attacker, deviceLogin, passwordChange, sessionAfter, newDevice: newDevice.status }).toEqual({
      attacker: Array(20).fill(422),
      // The owner's device and session are judged on their own failures: none.
      deviceLogin: 200,
      passwordChange: 204,
      sessionAfter: 200,
      // A device that never signed in is still locked out: others' failures hold the account.
      newDevice: 429,
    });
    expect(Number(newDevice.headers['retry-after'])).toBeGreaterThan(0);
    expect(await activityOf(t, owner.id, 'user:session.revoked')).toEqual([]);
  });

  it('attack: a passkey sign-in from the owner\'s device passes the lock others set; without the device token it does not', async () => {
    const owner = await verifiedOwner();
    const home = randomIp();
    const signedIn = await login(home, owner.username, owner.password).expect(200);
    const authenticator = new SoftwareAuthenticator(ORIGIN);
    const options = await t.http().post('/api/me/passkeys/options').set(bearer(signedIn.body.token)).send({}).expect(200);
    await t.http().post('/api/me/passkeys').set(bearer(signedIn.body.token)).send({ name: 'Laptop', response: authenticator.create(options.body.data) }).expect(201);
    await lockOutFromFourAddresses(owner);

    const passkeySignIn = async (deviceToken?: string) => {
      const ceremony = await t.http().post('/api/login/passkey/options').set('X-Forwarded-For', home).send({}).expect(200);
      const request = t.http().post('/api/login/passkey').set('X-Forwarded-For', home);
      if (deviceToken !== undefined) request.set('X-Device-Token', deviceToken);
      return request.send({ challenge_token: ceremony.body.challenge_token, response: authenticator.get(ceremony.body.options) });
    };
    const withoutDevice = (await passkeySignIn()).status;
    const withDevice = await passkeySignIn(signedIn.body.device_token);
    expect({ withoutDevice, withDevice: withDevice.status }).toEqual({ withoutDevice: 429, withDevice: 200 });
    expect(withDevice.body.device_token).toBe(signedIn.body.device_token);
  });

  it("attack: a successful password reset clears the account's locks, the owner's own included", async () => {
    const owner = await verifiedOwner();
    const home = randomIp();
    // The owner forgot the password: five tries from home lock (account, home); others then lock the account.
    for (let guess = 0; guess < 5; guess++) await login(home, owner.username, `forgotten ${guess}`).expect(422);
    await lockOutFromFourAddresses(owner);
    await login(home, owner.username, owner.password).expect(429);
    await login(randomIp(), owner.username, owner.password).expect(429);

    const password = `Reset-${randomBytes(6).toString('hex')}-vault`;
    const reset = await resetPassword(owner, password);
    const fromHome = (await login(home, owner.username, password)).status;
    const fromElsewhere = (await login(randomIp(), owner.username, password)).status;
    expect({ reset, fromHome, fromElsewhere }).toEqual({ reset: 200, fromHome: 200, fromElsewhere: 200 });
  });

  it('gives the device its own failure limit: its 6th wrong password is refused, the right one then too', async () => {
    const owner = await verifiedOwner();
    const device = (await login(randomIp(), owner.username, owner.password).expect(200)).body.device_token as string;
    for (let guess = 0; guess < 5; guess++) await login(randomIp(), owner.username, `typo ${guess}`, device).expect(422);
    const refused = await login(randomIp(), owner.username, owner.password, device).expect(429);
    expect(refused.body).toEqual({ message: 'Too Many Attempts.' });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(900);
  });

  it("binds a device token to its account: another account's token exempts nothing", async () => {
    const owner = await verifiedOwner();
    const other = await verifiedOwner();
    const otherDevice = (await login(randomIp(), other.username, other.password).expect(200)).body.device_token as string;
    await lockOutFromFourAddresses(owner);
    await login(randomIp(), owner.username, owner.password, otherDevice).expect(429);
    await login(randomIp(), owner.username, owner.password, 'not-a-device-token').expect(429);
  });

  it("revokes a session only for its own wrong passwords, and a lock others set does not stop the session's proof", async () => {
    const owner = await verifiedOwner();
    const home = randomIp();
    const session = bearer((await login(home, owner.username, owner.password).expect(200)).body.token);
    await lockOutFromFourAddresses(owner);
    const changeEmail = (password: string) =>
      t.http().put('/api/client/account/email').set(session).set('X-Forwarded-For', home).send({ email: `moved-${owner.email}`, password });
    for (let guess = 1; guess <= 5; guess++) await changeEmail(`guess ${guess}`).expect(400);
    await changeEmail(owner.password).expect(429);
    await t.http().get('/api/me').set(session).expect(401);
    expect((await activityOf(t, owner.id, 'user:session.revoked'))[0]!.properties).toMatchObject({ reason: 'too-many-wrong-passwords' });
  });

  it('attack: counts IPv6 clients per /64: five addresses of one /64 share the (account, address) limit', async () => {
    const owner = await verifiedOwner();
    const network = randomNetwork64();
    for (let n = 1; n <= 5; n++) await login(network.host(n), owner.username, `guess ${n}`).expect(422);
    const sameNetwork = (await login(network.host(6), owner.username, owner.password)).status;
    const otherNetwork = (await login(randomNetwork64().host(1), owner.username, owner.password)).status;
    expect({ sameNetwork, otherNetwork }).toEqual({ sameNetwork: 429, otherNetwork: 200 });
  });
};

describe('lock-out resistance (in process)', resists({}));
describeWithRedis('lock-out resistance (through Redis)', resists({ REDIS_URL: TEST_REDIS_URL }));
describe('lock-out resistance (Redis not answering: in process)', resists({ REDIS_URL: 'redis://127.0.0.1:1' }));
