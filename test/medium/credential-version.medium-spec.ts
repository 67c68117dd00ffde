import type { EntityManager, QueryRunner } from 'typeorm';
import { TWO_FACTOR_ERRORS } from '../../src/capabilities/two-factor/errors.js';
import { TwoFactorChallengeService } from '../../src/capabilities/two-factor/two-factor-challenge.service.js';
import { TwoFactorStateService } from '../../src/capabilities/two-factor/two-factor-state.service.js';
import { LoginOutcomeService } from '../../src/core/credentials/login-outcome.service.js';
import { SessionsService, type TokenPair } from '../../src/core/credentials/sessions/sessions.service.js';
import { AccountLifecycle } from '../../src/core/lifecycle/account-lifecycle.js';
import { UserStatus, type User } from '../../src/core/users/user.entity.js';
import { UsersService } from '../../src/core/users/users.service.js';
import { uniqueName } from '../support/factories.js';
import { asProven, bootServices, type TestServices } from '../support/services.js';

const client = { ip: '203.0.113.28', userAgent: 'medium' };

/**
 * The credential version against every interleaving of a sign-in with an ending of the account's credentials (issue
 * 28, attack 3), each interleaving set up step by step: the e2e race test (test/e2e/auth/credential-races) throws
 * real requests at the window; this one takes each side of it on purpose.
 */
describe('the credential version', () => {
  let s: TestServices;
  let lifecycle: AccountLifecycle;
  let sessions: SessionsService;

  beforeAll(async () => {
    s = await bootServices();
    lifecycle = s.get(AccountLifecycle);
    sessions = s.get(SessionsService);
  });
  afterAll(() => s.close());

  /** A new user, as a sign-in reads it with the proof: with its credential version. */
  async function newUser(): Promise<User> {
    const username = uniqueName('version');
    return asProven(s, await s.get(UsersService).create({ username, email: `${username}@example.com`, passwordHash: 'not-a-hash', status: UserStatus.Active }));
  }

  const reread = (user: User): Promise<User> => asProven(s, user);
  const end = (user: User, reason: 'password-reset' | 'password-change', manager: EntityManager, keepSessionId?: string) =>
    lifecycle.end(user.id, reason, manager, { keepSessionId });
  const sessionIdOf = (pair: TokenPair): string => (JSON.parse(Buffer.from(pair.token.split('.')[1]!, 'base64url').toString()) as { sid: string }).sid;

  /** A transaction left open, for one side of an interleaving. */
  async function openTransaction(): Promise<QueryRunner> {
    const runner = s.db.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    return runner;
  }

  async function commit(runner: QueryRunner): Promise<void> {
    await runner.commitTransaction();
    await runner.release();
  }

  /** Resolves once a statement starting with `statement` waits for a lock (asked of the server, statement by statement). */
  async function waitingForLock(statement: string): Promise<void> {
    for (let asked = 0; asked < 5_000; asked++) {
      const [{ waiting }] = await s.db.query(
        `SELECT count(*)::int AS waiting FROM pg_stat_activity
          WHERE datname = current_database() AND wait_event_type = 'Lock' AND ltrim(query) LIKE $1 || '%'`,
        [statement],
      );
      if (waiting > 0) return;
    }
    throw new Error(`no statement "${statement}…" came to wait for a lock`);
  }

  it('raises the version at every ending; a session opens only at the version its proof read', async () => {
    const user = await newUser();
    expect(user.credentialVersion).toBe(0);
    await s.db.transaction((manager) => end(user, 'password-change', manager));
    await s.db.transaction((manager) => lifecycle.end(user.id, 'email-change-cancelled', manager));
    expect((await reread(user)).credentialVersion).toBe(2);

    // Proved at version 0 (read before the endings), arriving after them: refused, nothing written.
    expect(await sessions.open(user, client, 'stale')).toBeNull();
    expect(await sessions.listActive(user.id)).toEqual([]);
    expect(await sessions.open(await reread(user), client, 'fresh')).not.toBeNull();
  });

  it('is never read by default: a user loaded again after the proof cannot pass for the proven one', async () => {
    const user = await newUser();
    const loadedAgain = await s.get(UsersService).getById(user.id);
    expect(loadedAgain.credentialVersion).toBeUndefined();
    await expect(sessions.open(loadedAgain, client, 'reloaded')).rejects.toThrow('the credential version must be read with the proof');
  });

  it('a session opening while an ending is uncommitted waits for its commit, then is refused', async () => {
    const user = await newUser();
    const ending = await openTransaction();
    await end(user, 'password-reset', ending.manager);
    const opening = sessions.open(user, client, 'racing');
    await waitingForLock('INSERT INTO sessions');
    await commit(ending);
    expect(await opening).toBeNull();
    expect(await sessions.listActive(user.id)).toEqual([]);
  });

  it('an ending starting while a session is being opened waits for it, then ends it', async () => {
    const user = await newUser();
    const opening = await openTransaction();
    expect(await sessions.open(user, client, 'first', opening.manager)).not.toBeNull();
    const ending = s.db.transaction((manager) => end(user, 'password-reset', manager));
    await waitingForLock('UPDATE users SET credential_version');
    await commit(opening);
    expect(await ending).toMatchObject({ sessions: 1 });
    expect(await sessions.listActive(user.id)).toEqual([]);
  });

  it('refreshes only while the account has the version the session proved; the changer’s own session moves to the new one', async () => {
    const user = await newUser();
    const kept = (await sessions.open(user, client, 'kept'))!;
    const other = (await sessions.open(user, client, 'other'))!;
    await s.db.transaction((manager) => end(user, 'password-change', manager, sessionIdOf(kept)));
    await expect(sessions.refresh(other.refresh_token)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    const refreshed = await sessions.refresh(kept.refresh_token);

    // A session left unrevoked at a version the account left (none is: this stands for the check itself).
    await s.db.query(`UPDATE users SET credential_version = credential_version + 1 WHERE id = $1`, [user.id]);
    await expect(sessions.refresh(refreshed.refresh_token)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('a login that proved former credentials ends as a failed one, in the words of the path it took', async () => {
    const user = await newUser();
    await s.db.transaction((manager) => end(user, 'password-reset', manager));
    const logins = s.get(LoginOutcomeService);
    await expect(logins.complete(user, client, null, { method: 'passkey' })).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });
    await expect(logins.complete(user, client, null, { method: 'password', second_factor: 'totp' }, undefined, TWO_FACTOR_ERRORS.TWO_FACTOR_CHALLENGE_DEAD)).rejects.toMatchObject({
      code: 'TWO_FACTOR_CHALLENGE_DEAD',
    });
    const entries = await s.db.query(`SELECT properties FROM activity_logs WHERE user_id = $1 AND event = 'auth:login-failed' ORDER BY id`, [user.id]);
    expect(entries.map((entry: { properties: object }) => entry.properties)).toEqual([
      { method: 'passkey', reason: 'credentials-changed' },
      { method: 'password', second_factor: 'totp', reason: 'credentials-changed' },
    ]);
    expect(await sessions.listActive(user.id)).toEqual([]);
  });

  describe('two-factor challenges', () => {
    let challenges: TwoFactorChallengeService;
    beforeAll(() => {
      challenges = s.get(TwoFactorChallengeService);
    });

    async function totpUser(): Promise<User> {
      const user = await newUser();
      await s.db.query(`UPDATE users SET two_factor_method = 'totp' WHERE id = $1`, [user.id]);
      return asProven(s, await s.get(UsersService).getById(user.id));
    }

    const openChallenges = async (user: User): Promise<number> =>
      (await s.db.query(`SELECT count(*)::int AS count FROM two_factor_challenges WHERE user_id = $1`, [user.id]))[0].count as number;

    it('opens only at the version the password proved, waiting for an ending in progress', async () => {
      const user = await totpUser();
      const ending = await openTransaction();
      await end(user, 'password-reset', ending.manager);
      const starting = challenges.start(user, client, null);
      await waitingForLock('INSERT INTO two_factor_challenges');
      await commit(ending);
      await expect(starting).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });
      expect(await openChallenges(user)).toBe(0);
      await expect(challenges.start(await reread(user), client, null)).resolves.toMatchObject({ two_factor_required: true });
    });

    it('a completion and an ending never wait for each other at once: the completion waits, then finds its challenge dead', async () => {
      const user = await totpUser();
      const [recoveryCode] = await s.db.transaction((manager) => s.get(TwoFactorStateService).issueRecoveryCodes(manager, user.id));
      const { challenge_token } = await challenges.start(user, client, null);
      // A reset under way: it has written the user row (its new password) and not yet ended anything.
      const ending = await openTransaction();
      await ending.manager.query(`UPDATE users SET password = 'another-hash' WHERE id = $1`, [user.id]);
      const completing = challenges.pass({ challenge_token, recovery_code: recoveryCode! }, client);
      await waitingForLock('');
      await end(user, 'password-reset', ending.manager);
      await commit(ending);
      await expect(completing).rejects.toMatchObject({ code: 'TWO_FACTOR_CHALLENGE_DEAD' });
    });

    it('completes only while the account has the version the password proved', async () => {
      const user = await totpUser();
      const { challenge_token } = await challenges.start(user, client, null);
      // A challenge left open at a version the account left (the endings delete them: this stands for the check itself).
      await s.db.query(`UPDATE users SET credential_version = credential_version + 1 WHERE id = $1`, [user.id]);
      await expect(challenges.pass({ challenge_token, code: '000000' }, client)).rejects.toMatchObject({ code: 'TWO_FACTOR_CHALLENGE_DEAD' });
    });
  });
});
