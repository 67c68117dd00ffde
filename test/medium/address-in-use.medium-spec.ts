/**
 * Issue 28: the rules about an address already in use, at the service level, where the interleavings can be forced.
 * Registration answers an address in use like a new one (AccountCreation.createUnlessAddressInUse), also when the
 * other registration commits between its check and its insert; an owner's new address waits while an earlier change
 * is in progress (EmailChangeService.assertNoneInProgress), also for a request that waited for the lock.
 */
import { randomBytes } from 'node:crypto';
import { EmailChangeService } from '../../src/capabilities/account-recovery/email-change.service.js';
import { AccountCreation } from '../../src/capabilities/accounts/account-creation.service.js';
import { UserStatus, type User } from '../../src/core/users/user.entity.js';
import { UsersService } from '../../src/core/users/users.service.js';
import { DomainError } from '../../src/platform/errors/domain-error.js';
import { uniqueName } from '../support/factories.js';
import { bootServices, type TestServices } from '../support/services.js';

let s: TestServices;
beforeAll(async () => {
  s = await bootServices();
});
afterAll(() => s.close());

const password = () => ({ chosen: `pw-${randomBytes(8).toString('hex')}` });

/** Resolves once some statement of this database waits for a lock another transaction holds. */
async function someoneWaitsForALock(): Promise<void> {
  for (let polls = 0; polls < 500; polls++) {
    const [{ n }] = await s.db.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`);
    if (n > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('no statement came to wait for the lock');
}

async function account(verified = true): Promise<User> {
  const username = uniqueName('addr');
  const { user } = await s.get(AccountCreation).create({
    username,
    email: `${username}@example.com`,
    password: password(),
    status: UserStatus.Active,
    emailVerifiedAt: verified ? new Date() : null,
  });
  return user;
}

describe('registration of an address in use', () => {
  it('answers with the account that has it when that account commits between the check and the insert', async () => {
    const email = `${uniqueName('raced')}@example.com`;
    const other = s.db.createQueryRunner();
    await other.connect();
    await other.startTransaction();
    try {
      const first = await s.get(UsersService).create({ username: uniqueName('first'), email, passwordHash: 'x', status: UserStatus.Unconfirmed }, other.manager);
      let followedUp = false;
      const registering = s.get(AccountCreation).createUnlessAddressInUse(
        { username: uniqueName('second'), email: email.toUpperCase(), password: password(), status: UserStatus.Unconfirmed },
        async () => {
          followedUp = true;
        },
      );
      // The second insert waits on the unique index for the first transaction, which then commits.
      await someoneWaitsForALock();
      await other.commitTransaction();
      const outcome = await registering;
      expect(outcome).toEqual({ addressOwner: expect.objectContaining({ id: first.id }) });
      expect(followedUp).toBe(false);
      expect(await s.db.query(`SELECT id FROM users WHERE lower(email) = lower($1)`, [email])).toEqual([{ id: first.id }]);
    } finally {
      if (other.isTransactionActive) await other.rollbackTransaction();
      await other.release();
    }
  });

  it('refuses a taken username on its own, whether or not the address is in use too', async () => {
    const owner = await account();
    for (const email of [owner.email, `${uniqueName('free')}@example.com`]) {
      const refusal = await s
        .get(AccountCreation)
        .createUnlessAddressInUse({ username: owner.username.toUpperCase(), email, password: password(), status: UserStatus.Unconfirmed }, async () => undefined)
        .catch((error: unknown) => error);
      expect(refusal).toBeInstanceOf(DomainError);
      expect((refusal as DomainError).fields.map((field) => field.field)).toEqual(['username']);
    }
  });
});

describe('one email change at a time', () => {
  const request = async (user: User, address: string) =>
    s.db.transaction(async (manager) => {
      await s.get(EmailChangeService).assertNoneInProgress(user.id, manager);
      await s.get(EmailChangeService).request({ user, client: { ip: '203.0.113.5', userAgent: 'medium' }, session: null, apiKey: null }, address, manager);
    });

  it('refuses a request that waited for the lock once the one holding it committed a change', async () => {
    const user = await account();
    const holder = s.db.createQueryRunner();
    await holder.connect();
    await holder.startTransaction();
    try {
      await s.get(EmailChangeService).assertNoneInProgress(user.id, holder.manager);
      const waiting = request(user, `${uniqueName('later')}@example.com`).catch((error: unknown) => error);
      await someoneWaitsForALock();
      await s.get(EmailChangeService).request({ user, client: { ip: '203.0.113.5', userAgent: 'medium' }, session: null, apiKey: null }, `${uniqueName('first')}@example.com`, holder.manager);
      await holder.commitTransaction();
      const refusal = await waiting;
      expect(refusal).toBeInstanceOf(DomainError);
      expect((refusal as DomainError).code).toBe('EMAIL_CHANGE_IN_PROGRESS');
      expect(await s.db.query(`SELECT new_email FROM email_changes WHERE user_id = $1`, [user.id])).toHaveLength(1);
    } finally {
      if (holder.isTransactionActive) await holder.rollbackTransaction();
      await holder.release();
    }
  });

  it('counts a pending change until its link expires, a confirmed one until its revert window closes', async () => {
    const user = await account();
    const inProgress = () => s.db.transaction((manager) => s.get(EmailChangeService).assertNoneInProgress(user.id, manager)).then(() => false, () => true);
    await request(user, `${uniqueName('one')}@example.com`);
    expect(await inProgress()).toBe(true);
    await s.db.query(`UPDATE email_changes SET expires_at = now() - interval '1 second' WHERE user_id = $1`, [user.id]);
    expect(await inProgress()).toBe(false);
    await s.db.query(`UPDATE email_changes SET confirmed_at = now(), expires_at = now() + interval '1 day' WHERE user_id = $1`, [user.id]);
    expect(await inProgress()).toBe(true);
    await s.db.query(`UPDATE email_changes SET revert_until = now() - interval '1 second' WHERE user_id = $1`, [user.id]);
    expect(await inProgress()).toBe(false);
  });
});
