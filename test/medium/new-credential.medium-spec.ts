import { ApiKeysService } from '../../src/capabilities/api-keys/api-keys.service.js';
import { SessionsService } from '../../src/core/credentials/sessions/sessions.service.js';
import { AccountLifecycle } from '../../src/core/lifecycle/account-lifecycle.js';
import type { AuthContext } from '../../src/core/users/auth-context.js';
import { UserStatus } from '../../src/core/users/user.entity.js';
import { UsersService } from '../../src/core/users/users.service.js';
import { uniqueName } from '../support/factories.js';
import { asProven, bootServices, type TestServices } from '../support/services.js';

const client = { ip: '203.0.113.10', userAgent: 'medium' };

/**
 * A credential stored while a recovery commits (core/credentials/new-credential.ts): the store waits for the
 * recovery's lock on the account row, then finds its session ended and stores nothing.
 */
describe('storing a new credential against a recovery', () => {
  let s: TestServices;
  let sessions: SessionsService;

  beforeAll(async () => {
    s = await bootServices();
    sessions = s.get(SessionsService);
  });
  afterAll(async () => {
    await s.close();
  });

  /** A verified account, signed in as the bearer guard resolves it: a recent sign-in. */
  async function signedIn(): Promise<AuthContext> {
    const username = uniqueName('medium');
    const user = await s
      .get(UsersService)
      .create({ username, email: `${username}@example.com`, passwordHash: 'not-a-hash', status: UserStatus.Active, emailVerifiedAt: new Date() });
    await sessions.open(await asProven(s, user), client, 'medium');
    const [session] = await sessions.listActive(user.id);
    return sessions.authenticate({ sub: String(user.id), sid: session.id, gen: 1 }, client);
  }

  /** Until a statement of this database waits for a row lock (polled, never slept on). */
  async function someoneWaitsForALock(): Promise<void> {
    for (;;) {
      const [{ waiting }] = await s.db.query(
        `SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
      );
      if (waiting > 0) return;
    }
  }

  it('refuses an API key whose request began before a reset that committed first: 401, no key', async () => {
    const auth = await signedIn();
    const reset = s.db.createQueryRunner();
    await reset.connect();
    await reset.startTransaction();
    try {
      // What a reset does first: write the account row (holding its lock to the commit), then end the credentials.
      await reset.query(`UPDATE users SET password = 'reset-hash' WHERE id = $1`, [auth.user.id]);
      await s.get(AccountLifecycle).end(auth.user.id, 'password-reset', reset.manager);
      const creating = s.get(ApiKeysService).create(auth, { description: 'racing the reset' });
      const settled = creating.then(
        () => null,
        (error: unknown) => error,
      );
      await someoneWaitsForALock();
      await reset.commitTransaction();
      expect(await settled).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
    } finally {
      await reset.release();
    }
    expect(await s.get(ApiKeysService).list(auth.user.id)).toEqual([]);
  });

  it('lets the reset end a key stored just before it', async () => {
    const auth = await signedIn();
    await s.get(ApiKeysService).create(auth, { description: 'before the reset' });
    const ended = await s.db.transaction((manager) => s.get(AccountLifecycle).end(auth.user.id, 'password-reset', manager));
    expect(ended.apiKeys).toBe(1);
    expect(await s.get(ApiKeysService).list(auth.user.id)).toEqual([]);
  });
});
