import { DeviceTokensService } from '../../src/core/credentials/devices/device-tokens.service.js';
import { LoginThrottleService, type LoginAttempt } from '../../src/core/credentials/login-throttle.service.js';
import { AccountLifecycle } from '../../src/core/lifecycle/account-lifecycle.js';
import { UserStatus, type User } from '../../src/core/users/user.entity.js';
import { UsersService } from '../../src/core/users/users.service.js';
import { DomainError } from '../../src/platform/errors/domain-error.js';
import { uniqueName } from '../support/factories.js';
import { bootServices, type TestServices } from '../support/services.js';

/** Device tokens and the login throttle's account clearing, on a real database and the in-process counters. */
describe('sign-in limits: device tokens and clearing an account', () => {
  let s: TestServices;
  let devices: DeviceTokensService;
  let throttle: LoginThrottleService;

  beforeAll(async () => {
    s = await bootServices({
      MAX_SESSIONS_PER_USER: '3',
      RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT_IP: '2',
      RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT: '4',
      RATE_LIMIT_LOGIN_FAILURES_PER_IP: '1000',
    });
    devices = s.get(DeviceTokensService);
    throttle = s.get(LoginThrottleService);
  });
  afterAll(() => s.close());

  async function newUser(): Promise<User> {
    const username = uniqueName('medium');
    return s.get(UsersService).create({ username, email: `${username}@example.com`, passwordHash: 'not-a-hash', status: UserStatus.Active });
  }
  const rowsOf = async (userId: number): Promise<number> =>
    (await s.db.query(`SELECT count(*)::int AS n FROM device_tokens WHERE user_id = $1`, [userId]))[0].n as number;

  /** Whether the attempt is refused with 429 before any password check. */
  async function refused(attempt: LoginAttempt): Promise<boolean> {
    try {
      await throttle.assertAllowed(attempt);
    } catch (error) {
      if (error instanceof DomainError && error.status === 429) return true;
      throw error;
    }
    await throttle.release(attempt);
    return false;
  }
  async function fail(attempt: LoginAttempt): Promise<void> {
    await throttle.assertAllowed(attempt);
    await throttle.recordFailure(attempt);
  }

  it("recognises a live token of the account only: not another account's, not an expired one, not a made-up one", async () => {
    const [owner, other] = [await newUser(), await newUser()];
    const token = await devices.issue(owner.id, undefined);
    expect(await devices.recognise(owner.id, token)).toEqual(expect.any(Number));
    expect(await devices.recognise(other.id, token)).toBeNull();
    expect(await devices.recognise(null, token)).toBeNull();
    expect(await devices.recognise(owner.id, token.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')))).toBeNull();
    expect(await devices.recognise(owner.id, 'short')).toBeNull();
    await s.db.query(`UPDATE device_tokens SET expires_at = now() - interval '1 second' WHERE user_id = $1`, [owner.id]);
    expect(await devices.recognise(owner.id, token)).toBeNull();
    // An expired token sent back is not renewed: a new one is answered.
    expect(await devices.issue(owner.id, token)).not.toBe(token);
  });

  it('answers the token a device sent back, 90 days from now again, and keeps MAX_SESSIONS_PER_USER tokens per account', async () => {
    const owner = await newUser();
    const first = await devices.issue(owner.id, undefined);
    await s.db.query(`UPDATE device_tokens SET expires_at = now() + interval '1 day' WHERE user_id = $1`, [owner.id]);
    expect(await devices.issue(owner.id, first)).toBe(first);
    const [{ days }] = await s.db.query(`SELECT extract(epoch FROM expires_at - now()) / 86400 AS days FROM device_tokens WHERE user_id = $1`, [owner.id]);
    expect(Number(days)).toBeGreaterThan(89.9);
    for (let i = 0; i < 4; i++) await devices.issue(owner.id, undefined);
    expect(await rowsOf(owner.id)).toBe(3);
    // The first token was the least recently used: gone.
    expect(await devices.recognise(owner.id, first)).toBeNull();
  });

  it("judges a device on its own failures: the account's lock-out does not stop it, its own does", async () => {
    const owner = await newUser();
    const accountKey = throttle.accountKeyOfUser(owner.id);
    const token = await devices.issue(owner.id, undefined);
    const device = () => throttle.signInAttempt(accountKey, owner.id, '198.51.100.7', token, true);
    for (const ip of ['192.0.2.1', '192.0.2.1', '192.0.2.2', '192.0.2.2']) await fail({ accountKey, ip });
    expect(await refused({ accountKey, ip: '192.0.2.3' })).toBe(true);
    expect(await refused(await device())).toBe(false);
    await fail(await device());
    await fail(await device());
    expect(await refused(await device())).toBe(true);
  });

  it("clears every lock-out of the account when a reset ends its credentials, through the lifecycle registry; a password change does not", async () => {
    const owner = await newUser();
    const accountKey = throttle.accountKeyOfUser(owner.id);
    for (const ip of ['192.0.2.1', '192.0.2.1', '192.0.2.2', '192.0.2.2']) await fail({ accountKey, ip });
    const stopped = async () => [await refused({ accountKey, ip: '192.0.2.1' }), await refused({ accountKey, ip: '192.0.2.9' })];
    expect(await stopped()).toEqual([true, true]);

    const end = (reason: 'password-change' | 'password-reset') => s.db.transaction((manager) => s.get(AccountLifecycle).end(owner.id, reason, manager));
    await end('password-change');
    expect(await stopped()).toEqual([true, true]);
    await end('password-reset');
    expect(await stopped()).toEqual([false, false]);
    // Counting starts afresh: two more failures from one address lock that pair again.
    await fail({ accountKey, ip: '192.0.2.1' });
    await fail({ accountKey, ip: '192.0.2.1' });
    expect(await stopped()).toEqual([true, false]);
  });
});
