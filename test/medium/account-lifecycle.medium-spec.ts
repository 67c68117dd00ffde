import { text } from 'node:stream/consumers';
import type { EntityManager } from 'typeorm';
import { AccountDeletionService } from '../../src/capabilities/account-data/account-deletion.service.js';
import { AccountExportService } from '../../src/capabilities/account-data/export/account-export.service.js';
import { PasswordResetService } from '../../src/capabilities/account-recovery/password-reset.service.js';
import { UserTokensService } from '../../src/capabilities/account-recovery/user-tokens.service.js';
import { AdminUsersService } from '../../src/capabilities/admin/admin-users.service.js';
import { ApiKey } from '../../src/capabilities/api-keys/entities/api-key.entity.js';
import { ApiKeysService } from '../../src/capabilities/api-keys/api-keys.service.js';
import { SessionsService } from '../../src/core/credentials/sessions/sessions.service.js';
import { AccountLifecycle, type LifecycleParticipant } from '../../src/core/lifecycle/account-lifecycle.js';
import type { AuthContext } from '../../src/core/users/auth-context.js';
import { ADMIN_ROLE_SLUG } from '../../src/core/users/role.entity.js';
import { User, UserStatus } from '../../src/core/users/user.entity.js';
import { UsersService } from '../../src/core/users/users.service.js';
import { uniqueName } from '../support/factories.js';
import { asProven, bootServices, type TestServices } from '../support/services.js';

const client = { ip: '203.0.113.9', userAgent: 'medium' };

describe('the account lifecycle registry', () => {
  let s: TestServices;
  let lifecycle: AccountLifecycle;
  let sessions: SessionsService;

  /**
   * A participant the application does not have: each step writes a row on the manager it is given, then fails
   * when asked to. Its rows (lifecycle_probe, no user column, so no participant of its own) show what committed.
   */
  const probe = { failing: false, inTransaction: [] as boolean[], afterCommit: [] as number[] };
  async function step(manager: EntityManager, userId: number, name: string): Promise<void> {
    probe.inTransaction.push(manager.queryRunner?.isTransactionActive ?? false);
    await manager.query(`INSERT INTO lifecycle_probe (account, step) VALUES ($1, $2)`, [userId, name]);
    if (probe.failing) throw new Error('the probe failed');
  }
  const fake: LifecycleParticipant = {
    name: 'medium-probe',
    tables: [],
    credentials: [
      {
        kind: 'challenges',
        end: async ({ userId, reason, manager }) => {
          await step(manager, userId, reason);
          return 0;
        },
      },
    ],
    exportSections: [{ key: 'medium_probe', order: 1000, write: async ({ profile }) => ({ user_id: profile.user.id }) }],
    erase: async ({ userId, manager }) => {
      await step(manager, userId, 'erase');
      return async () => void probe.afterCommit.push(userId);
    },
  };
  const accountExists = async (userId: number): Promise<boolean> => (await s.db.query(`SELECT 1 FROM users WHERE id = $1`, [userId])).length === 1;
  const probed = async (userId: number): Promise<string[]> =>
    (await s.db.query(`SELECT step FROM lifecycle_probe WHERE account = $1 ORDER BY id`, [userId])).map((row: { step: string }) => row.step);

  beforeAll(async () => {
    s = await bootServices();
    lifecycle = s.get(AccountLifecycle);
    sessions = s.get(SessionsService);
    await s.db.query(`CREATE TABLE lifecycle_probe (id serial PRIMARY KEY, account integer NOT NULL, step text NOT NULL)`);
    lifecycle.register(fake);
  });
  afterAll(async () => {
    await s.db.query(`DROP TABLE lifecycle_probe`);
    await s.close();
  });
  beforeEach(() => {
    probe.failing = false;
    probe.inTransaction = [];
    probe.afterCommit = [];
  });

  async function newUser(roleSlug?: string): Promise<User> {
    const username = uniqueName('medium');
    return s.get(UsersService).create({ username, email: `${username}@example.com`, passwordHash: 'not-a-hash', status: UserStatus.Active, roleSlug });
  }

  /** Signs the user in and resolves the session as the bearer guard does: a recent sign-in. */
  async function signedIn(user: User): Promise<AuthContext> {
    await sessions.open(await asProven(s, user), client, 'medium');
    const [session] = await sessions.listActive(user.id);
    return sessions.authenticate({ sub: String(user.id), sid: session.id, gen: 1 }, client);
  }

  async function addApiKeys(user: User, count: number): Promise<void> {
    for (let n = 1; n <= count; n++) {
      await s.db.getRepository(ApiKey).insert({
        userId: user.id,
        identifier: `ptlc_${user.username.slice(-9)}${n}`.padEnd(16, 'x').slice(0, 16),
        secretHash: 'not-a-hash',
        description: `key ${n}`,
        allowedIps: [],
        scopes: [],
        formatVersion: 2,
      });
    }
  }

  it('a password change ends the other sessions and keeps the API keys; a reset ends both', async () => {
    const user = await newUser();
    await sessions.open(await asProven(s, user), client, 'kept');
    await sessions.open(await asProven(s, user), client, 'other');
    const [kept] = await sessions.listActive(user.id);
    await addApiKeys(user, 2);

    const changed = await s.db.transaction((manager) => lifecycle.end(user.id, 'password-change', manager, { keepSessionId: kept.id }));
    expect(changed).toEqual({ sessions: 1, apiKeys: 0, passkeys: 0, identities: 0, twoFactor: 0, challenges: 0, emailChanges: 0 });
    expect((await sessions.listActive(user.id)).map((session) => session.id)).toEqual([kept.id]);

    const reset = await s.db.transaction((manager) => lifecycle.end(user.id, 'password-reset', manager));
    expect(reset).toEqual({ sessions: 1, apiKeys: 2, passkeys: 0, identities: 0, twoFactor: 0, challenges: 0, emailChanges: 0 });
    expect(await sessions.listActive(user.id)).toEqual([]);
    expect(await s.get(ApiKeysService).list(user.id)).toEqual([]);
  });

  it('refuses a participant that claims a table or an export key another one declared', () => {
    expect(() => lifecycle.register({ name: 'twin', tables: ['api_keys'] })).toThrow('table api_keys is already declared by api-keys');
    expect(() => lifecycle.register({ name: 'twin', tables: [], exportSections: [{ key: 'sessions', order: 1001, write: async () => null }] })).toThrow(
      'export section sessions clashes with sessions',
    );
    expect(lifecycle.participants.map((participant) => participant.name)).not.toContain('twin');
  });

  it("a password reset ends every participant's credentials in its own transaction: a failing one rolls the reset back", async () => {
    const user = await newUser();
    await sessions.open(await asProven(s, user), client, 'medium');
    const { token } = (await s.get(UserTokensService).issueForEmail('password_reset', user.email, 600))!;
    const reset = () => s.get(PasswordResetService).reset({ token, email: user.email, password: 'a new and long passphrase 7Q' }, client);

    probe.failing = true;
    await expect(reset()).rejects.toThrow('the probe failed');
    expect(probe.inTransaction).toEqual([true]);
    expect(await probed(user.id)).toEqual([]);
    expect(await sessions.listActive(user.id)).toHaveLength(1);
    expect(await s.get(UsersService).getPasswordHash(user.id)).toBe('not-a-hash');

    // Rolled back whole: the token was not spent either.
    probe.failing = false;
    await reset();
    expect(await probed(user.id)).toEqual(['password-reset']);
    expect(await sessions.listActive(user.id)).toEqual([]);
  });

  it("a ban ends every participant's credentials in the admin's transaction: a failing one leaves the user unbanned", async () => {
    const admin = await signedIn(await newUser(ADMIN_ROLE_SLUG));
    const user = await newUser();
    await sessions.open(await asProven(s, user), client, 'medium');
    await addApiKeys(user, 1);
    const ban = () => s.get(AdminUsersService).updateUser(admin, user.id, { status: UserStatus.Banned });

    probe.failing = true;
    await expect(ban()).rejects.toThrow('the probe failed');
    expect(probe.inTransaction).toEqual([true]);
    expect(await probed(user.id)).toEqual([]);
    expect((await s.get(UsersService).getById(user.id)).status).toBe(UserStatus.Active);
    expect(await s.get(ApiKeysService).list(user.id)).toHaveLength(1);

    probe.failing = false;
    await ban();
    expect(await probed(user.id)).toEqual(['account-banned']);
    expect((await s.get(UsersService).getById(user.id)).status).toBe(UserStatus.Banned);
    expect(await sessions.listActive(user.id)).toEqual([]);
    expect(await s.get(ApiKeysService).list(user.id)).toEqual([]);
  });

  it("deletion runs every participant's step in its transaction and their after-commit work once it committed", async () => {
    const user = await newUser();
    await s.db.query(`INSERT INTO activity_logs (user_id, actor_id, event, description, ip) VALUES ($1, $1, 'auth:login', 'Logged in.', '203.0.113.9')`, [
      user.id,
    ]);
    const deletion = s.get(AccountDeletionService);

    probe.failing = true;
    await expect(deletion.erase(user.id, { kind: 'self' })).rejects.toThrow('the probe failed');
    expect(probe.inTransaction).toEqual([true]);
    expect(probe.afterCommit).toEqual([]);
    expect(await probed(user.id)).toEqual([]);
    expect(await accountExists(user.id)).toBe(true);
    // The activity log's own step ran before the probe's, and went back with it.
    const [{ ip }] = await s.db.query(`SELECT ip FROM activity_logs WHERE user_id = $1 AND event = 'auth:login'`, [user.id]);
    expect(ip).toBe('203.0.113.9');

    probe.failing = false;
    await deletion.erase(user.id, { kind: 'self' });
    expect(await probed(user.id)).toEqual(['erase']);
    expect(probe.afterCommit).toEqual([user.id]);
    expect(await accountExists(user.id)).toBe(false);
  });

  it("the export writes every participant's sections, in document order", async () => {
    const user = await newUser();
    const exported = await s.get(AccountExportService).exportOwnData(await signedIn(user));
    const document = JSON.parse(await text(exported.document));
    expect(Object.keys(document)).toEqual([
      'format',
      'version',
      'exported_at',
      'profile',
      'settings',
      'avatar',
      'two_factor',
      'sessions',
      'api_keys',
      'passkeys',
      'identities',
      'one_time_links',
      'organizations',
      'organization_invitations',
      'activity',
      'medium_probe',
    ]);
    expect(document.medium_probe).toEqual({ user_id: user.id });
  });
});
