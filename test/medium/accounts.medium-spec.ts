import { randomBytes } from 'node:crypto';
import { accountChange, type AccountChanges } from '../../src/capabilities/accounts/account-change.js';
import { AccountCreation } from '../../src/capabilities/accounts/account-creation.service.js';
import { AccountUpdater, type AppliedChange, type EmailRule } from '../../src/capabilities/accounts/account-updater.service.js';
import { PasswordService } from '../../src/core/credentials/password.service.js';
import { SessionsService } from '../../src/core/credentials/sessions/sessions.service.js';
import type { AuthContext } from '../../src/core/users/auth-context.js';
import { ADMIN_ROLE_SLUG } from '../../src/core/users/role.entity.js';
import { UserStatus, type User } from '../../src/core/users/user.entity.js';
import { UsersService } from '../../src/core/users/users.service.js';
import { DomainError } from '../../src/platform/errors/domain-error.js';
import { uniqueName } from '../support/factories.js';
import { asProven, bootServices, type TestServices } from '../support/services.js';

/** The two callers of the updater: the owner on the profile routes, an admin on the admin routes. */
type Caller = 'owner' | 'admin';
const EMAIL_RULE: Record<Caller, EmailRule> = { owner: 'confirm-when-verified', admin: 'apply-at-once' };

interface Scene {
  target: User;
  /** The target's own session, the one the change is made from when the owner makes it. */
  keptSessionId: string;
  /** An account whose username and email are spelled in mixed case. */
  other: User;
  newEmail: string;
}

type Outcome = { refused: { field: string; rule: string } } | { check: (scene: Scene, applied: AppliedChange) => Promise<void> };

interface Case {
  name: string;
  /** Whether the target's address is verified before the change. */
  verified: boolean;
  changes: (scene: Scene) => AccountChanges;
  expect: Record<Caller, Outcome>;
}

const strongPassword = (): string => `pw-${randomBytes(8).toString('hex')}`;

let s: TestServices;
beforeAll(async () => {
  s = await bootServices();
});
afterAll(() => s.close());

describe('the account rules profile and admin share', () => {
  let admin: User;
  beforeAll(async () => {
    admin = await createAccount({ roleSlug: ADMIN_ROLE_SLUG });
  });

  async function createAccount(overrides: { verified?: boolean; roleSlug?: string; name?: string } = {}): Promise<User> {
    const username = overrides.name ?? uniqueName('medium');
    const { user } = await s.get(AccountCreation).create({
      username,
      email: `${username}@example.com`,
      password: { chosen: strongPassword() },
      status: UserStatus.Active,
      roleSlug: overrides.roleSlug,
      emailVerifiedAt: overrides.verified === false ? null : new Date(),
    });
    return user;
  }

  const authOf = (user: User, sessionId: string | null): AuthContext => ({
    user,
    client: { ip: '203.0.113.7', userAgent: 'medium' },
    session: sessionId ? { id: sessionId, loggedInAt: new Date() } : null,
    apiKey: null,
  });

  const row = async (userId: number) =>
    ((await s.db.query(`SELECT email, email_verified_at FROM users WHERE id = $1`, [userId])) as Array<{ email: string; email_verified_at: Date | null }>)[0]!;
  const pendingAddress = async (userId: number) =>
    ((await s.db.query(`SELECT new_email FROM email_changes WHERE user_id = $1 AND confirmed_at IS NULL`, [userId])) as Array<{ new_email: string }>)[0]?.new_email;
  const verificationTokens = async (userId: number) =>
    Number(((await s.db.query(`SELECT count(*) AS n FROM user_tokens WHERE user_id = $1 AND purpose = 'email_verification'`, [userId])) as Array<{ n: string }>)[0]!.n);
  const activeSessions = async (userId: number) => (await s.get(SessionsService).listActive(userId)).map((session) => session.id);

  const refusedBoth = (field: string, rule: string): Record<Caller, Outcome> => ({ owner: { refused: { field, rule } }, admin: { refused: { field, rule } } });

  /** The new address is the account's now, unverified, and no change waits for confirmation. */
  const changedAtOnce = ({ verificationLinks }: { verificationLinks: number }): Outcome => ({
    check: async ({ target, newEmail }, applied) => {
      expect(applied.address).toBe('changed');
      expect(await row(target.id)).toEqual({ email: newEmail, email_verified_at: null });
      expect(await pendingAddress(target.id)).toBeUndefined();
      expect(await verificationTokens(target.id)).toBe(verificationLinks);
    },
  });

  const cases: Case[] = [
    {
      name: 'a username taken in another case spelling',
      verified: true,
      changes: ({ other }) => ({ username: other.username.toLowerCase() }),
      expect: refusedBoth('username', 'unique'),
    },
    {
      name: 'an email taken in another case spelling',
      verified: true,
      changes: ({ other }) => ({ email: other.email.toLowerCase() }),
      expect: refusedBoth('email', 'unique'),
    },
    {
      name: 'an unknown country',
      verified: true,
      changes: () => ({ countryId: 999_999 }),
      expect: refusedBoth('country_id', 'exists'),
    },
    {
      name: 'a weak password',
      verified: true,
      changes: ({ target }) => ({ password: `${target.username}1` }),
      expect: refusedBoth('password', 'uncompromised'),
    },
    {
      name: 'an unverified address changing email',
      verified: false,
      changes: ({ newEmail }) => ({ email: newEmail }),
      // Nothing to protect: changed at once; the owner's new address gets its verification link.
      expect: { owner: changedAtOnce({ verificationLinks: 1 }), admin: changedAtOnce({ verificationLinks: 0 }) },
    },
    {
      name: 'a verified address changing email',
      verified: true,
      changes: ({ newEmail }) => ({ email: newEmail }),
      expect: {
        // The verified address stays until the new one confirms.
        owner: {
          check: async ({ target, newEmail }, applied) => {
            expect(applied.address).toBe('pending');
            expect((await row(target.id)).email).toBe(target.email);
            expect((await row(target.id)).email_verified_at).not.toBeNull();
            expect(await pendingAddress(target.id)).toBe(newEmail);
          },
        },
        // The admin's address applies at once, unverified (the admin did not say otherwise).
        admin: changedAtOnce({ verificationLinks: 0 }),
      },
    },
    {
      name: 'the same address in another case spelling',
      verified: true,
      changes: ({ target }) => ({ email: target.email.toUpperCase() }),
      expect: {
        owner: {
          check: async ({ target }, applied) => {
            expect(applied.address).toBe('respelled');
            expect((await row(target.id)).email).toBe(target.email.toUpperCase());
            expect((await row(target.id)).email_verified_at).not.toBeNull();
          },
        },
        admin: {
          check: async ({ target }, applied) => {
            expect(applied.address).toBe('respelled');
            expect((await row(target.id)).email_verified_at).not.toBeNull();
          },
        },
      },
    },
    {
      name: 'a password change',
      verified: true,
      changes: () => ({ password: 'a new and rather long passphrase 42' }),
      expect: {
        // The owner keeps the session they changed it from; every other one ends.
        owner: {
          check: async ({ target, keptSessionId }, applied) => {
            expect(applied.ending).toEqual({ reason: 'password-change', ended: { sessions: 1, apiKeys: 0, passkeys: 0, identities: 0, twoFactor: 0, challenges: 0, emailChanges: 0 } });
            expect(await activeSessions(target.id)).toEqual([keptSessionId]);
            expect(await s.get(PasswordService).verify((await s.get(UsersService).getPasswordHash(target.id))!, 'a new and rather long passphrase 42')).toBe(true);
          },
        },
        // An admin's change keeps none of the user's sessions.
        admin: {
          check: async ({ target }, applied) => {
            expect(applied.ending).toEqual({ reason: 'password-change', ended: { sessions: 2, apiKeys: 0, passkeys: 0, identities: 0, twoFactor: 0, challenges: 0, emailChanges: 0 } });
            expect(await activeSessions(target.id)).toEqual([]);
          },
        },
      },
    },
  ];

  const runs = cases.flatMap((c) => (['owner', 'admin'] as const).map((caller) => [c.name, caller, c] as const));

  it.each(runs)('%s, changed by the %s', async (_name, caller, { verified, changes, expect: outcomes }) => {
    const target = await createAccount({ verified });
    const other = await createAccount({ name: uniqueName('Other') });
    const sessions = s.get(SessionsService);
    const client = { ip: '203.0.113.7', userAgent: 'medium' };
    await sessions.open(await asProven(s, target), client, 'kept');
    await sessions.open(await asProven(s, target), client, 'other');
    const keptSessionId = (await sessions.listActive(target.id)).find((session) => session.deviceName === 'kept')!.id;
    const scene: Scene = { target, keptSessionId, other, newEmail: `${uniqueName('new')}@example.com` };

    const auth = caller === 'owner' ? authOf(target, keptSessionId) : authOf(admin, null);
    const applying = s.get(AccountUpdater).apply(accountChange(target, changes(scene)), { auth, emailRule: EMAIL_RULE[caller] });

    const outcome = outcomes[caller];
    if ('refused' in outcome) {
      const error = await applying.then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
      expect(error).toBeInstanceOf(DomainError);
      expect((error as DomainError).fields).toEqual([expect.objectContaining(outcome.refused)]);
      // Nothing was written, nothing ended.
      expect(await row(target.id)).toEqual({ email: target.email, email_verified_at: expect.any(Date) });
      expect(await activeSessions(target.id)).toHaveLength(2);
      return;
    }
    const applied = await applying;
    expect(applied).toBeDefined();
    await outcome.check(scene, applied!);
  });

  it('a change that alters nothing writes nothing', async () => {
    const target = await createAccount();
    const applied = await s.get(AccountUpdater).apply(accountChange(target, { username: target.username, email: target.email, countryId: null }), {
      auth: authOf(target, null),
      emailRule: 'confirm-when-verified',
    });
    expect(applied).toBeUndefined();
  });
});

describe('account creation', () => {
  it('writes the role, status, verification and details, and the follow-up on the same transaction', async () => {
    const username = uniqueName('created');
    const { user, followedUp } = await s.get(AccountCreation).create(
      {
        username,
        email: `${username}@example.com`,
        password: { chosen: strongPassword() },
        status: UserStatus.Banned,
        roleSlug: ADMIN_ROLE_SLUG,
        emailVerifiedAt: null,
        phone: '0601234567',
      },
      async (created, manager) => (await manager.query(`SELECT phone FROM users WHERE id = $1`, [created.id]))[0].phone as string,
    );
    expect(followedUp).toBe('0601234567');
    expect(user.role?.slug).toBe(ADMIN_ROLE_SLUG);
    expect(user.status).toBe(UserStatus.Banned);
    expect(user.emailVerifiedAt).toBeNull();
  });

  it('a failing follow-up leaves no account behind', async () => {
    const username = uniqueName('rolled');
    const creating = s.get(AccountCreation).create(
      { username, email: `${username}@example.com`, password: { chosen: strongPassword() }, status: UserStatus.Unconfirmed },
      async () => {
        throw new Error('follow-up failed');
      },
    );
    await expect(creating).rejects.toThrow('follow-up failed');
    expect(await s.db.query(`SELECT id FROM users WHERE username = $1`, [username])).toEqual([]);
  });

  it.each([
    ['a username taken in another case spelling', (taken: User) => ({ username: taken.username.toUpperCase() }), 'username', 'unique'],
    ['an email taken in another case spelling', (taken: User) => ({ email: taken.email.toUpperCase() }), 'email', 'unique'],
    ['an unknown country', () => ({ countryId: 999_999 }), 'country_id', 'exists'],
    ['a weak password', () => ({ password: { chosen: 'password1' } }), 'password', 'uncompromised'],
  ] as const)('refuses %s', async (_name, override, field, rule) => {
    const takenName = uniqueName('taken');
    const { user: taken } = await s
      .get(AccountCreation)
      .create({ username: takenName, email: `${takenName}@example.com`, password: { chosen: strongPassword() }, status: UserStatus.Active });
    const username = uniqueName('refused');
    const creating = s.get(AccountCreation).create({
      username,
      email: `${username}@example.com`,
      password: { chosen: strongPassword() },
      status: UserStatus.Active,
      ...override(taken),
    });
    await expect(creating).rejects.toMatchObject({ fields: [expect.objectContaining({ field, rule })] });
  });
});
