import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AccountLifecycle, type CredentialEndingReason, type EndedCredentials } from '../../core/lifecycle/account-lifecycle.js';
import type { AuthContext } from '../../core/users/auth-context.js';
import { UserProfileService, type ProfileIncludes } from '../../core/users/user-profile.service.js';
import type { UserProfile } from '../../core/users/user-profile.js';
import { UserStatus } from '../../core/users/user.entity.js';
import { UsersService, type UserPatch } from '../../core/users/users.service.js';
import { EmailVerificationService } from '../account-recovery/email-verification.service.js';
import { EmailChangeService } from '../account-recovery/email-change.service.js';
import { changesNothing, type AccountChange } from './account-change.js';
import { SessionsService } from '../../core/credentials/sessions/sessions.service.js';
import { renewSessionCookie } from '../../core/credentials/sessions/session-cookie.js';
import { AccountRules } from './account-rules.service.js';
import { userRef } from '../../core/events/event-catalogue.js';
import { EventsService } from '../../core/events/events.service.js';

/** How a new email address takes effect. */
export type EmailRule =
  /**
   * The owner's own change: a verified address stays until the new one confirms (a pending change, its links
   * mailed); an unverified one has nothing to protect and changes at once, and the new address gets a
   * verification mail. Either is refused while an earlier change is pending or can still be reverted.
   */
  | 'confirm-when-verified'
  /** An admin's: the address changes at once and replaces any change the user is still waiting to confirm. */
  | 'apply-at-once';

/**
 * What became of the email in the change:
 * `respelled`: the same address in another case, written at once, verification kept;
 * `pending`: waiting for the new address to confirm, the account keeps its address;
 * `changed`: a new address, written; unverified unless the caller said otherwise.
 */
export type AddressOutcome = 'respelled' | 'pending' | 'changed';

/** A change as the updater writes it. */
export interface WrittenChange extends AccountChange {
  /** Absent when the email did not change. */
  readonly address?: AddressOutcome;
}

/** The credentials a change ended: every one on a ban, the other sessions and open challenges on a new password. */
export interface EndedByChange {
  readonly reason: Extract<CredentialEndingReason, 'account-banned' | 'password-change'>;
  readonly ended: EndedCredentials;
}

export interface AppliedChange extends WrittenChange {
  readonly ending?: EndedByChange;
  /** The account after the commit. */
  readonly profile: UserProfile;
}

/** What differs between the callers: the rule for a new address, and their own writes around the shared ones. */
export interface UpdateOptions {
  /** Who changes the account: the actor of the entries; their own session survives their own new password. */
  auth: AuthContext;
  emailRule: EmailRule;
  /** What the returned profile loads. */
  includes?: ProfileIncludes;
  /** On the transaction, once the row is written: the caller's entries naming what changed. */
  afterWrite?: (change: WrittenChange, manager: EntityManager) => Promise<void>;
  /** On the transaction, last, once the change's credentials ended (if it ends any): the caller's entries about them. */
  afterEnding?: (ending: EndedByChange | undefined, manager: EntityManager) => Promise<void>;
}

/**
 * Writes a change to an account, for its owner (profile) and for admins alike: the rules they share live here once.
 * The country must exist; the username and email must be free in any case spelling; a new email follows the
 * caller's EmailRule; a new password is screened against the account's words as they will be after the change,
 * then hashed; the row, the address step, the ended credentials and the caller's entries commit together. Who must
 * prove what stays with the caller, before `apply`; so do the notices.
 */
@Injectable()
export class AccountUpdater {
  constructor(
    private readonly dataSource: DataSource,
    private readonly users: UsersService,
    private readonly profiles: UserProfileService,
    private readonly rules: AccountRules,
    private readonly lifecycle: AccountLifecycle,
    private readonly emailChanges: EmailChangeService,
    private readonly emailVerification: EmailVerificationService,
    private readonly sessions: SessionsService,
    private readonly events: EventsService,
  ) {}

  /** Checks and writes the change; undefined when it changes nothing (and nothing is written). */
  async apply(change: AccountChange, options: UpdateOptions): Promise<AppliedChange | undefined> {
    if (changesNothing(change)) return undefined;
    const { before, given, changed } = change;
    await this.rules.assertCountryExists(changed.countryId);
    await this.users.assertAvailable({ username: changed.username, email: changed.email }, before.id);

    const address = addressOutcome(change, options.emailRule);
    const { password, emailVerified, email, ...columns } = changed;
    const patch: UserPatch = { ...columns };
    if (email !== undefined && address !== 'pending') patch.email = email;
    if (emailVerified !== undefined) patch.emailVerifiedAt = emailVerified ? new Date() : null;
    else if (address === 'changed' && given.emailVerified === undefined) patch.emailVerifiedAt = null;
    if (password !== undefined) {
      patch.password = await this.rules.passwordHash(
        { chosen: password },
        {
          username: changed.username ?? before.username,
          // The pending address too: it is the one the account is about to have.
          email: email ?? before.email,
          firstName: changed.firstName !== undefined ? changed.firstName : before.firstName,
          lastName: changed.lastName !== undefined ? changed.lastName : before.lastName,
        },
      );
    }

    const written: WrittenChange = { ...change, address };
    const ending = await this.dataSource.transaction(async (manager) => {
      // The owner's new address waits while an earlier change is in progress; an admin's replaces it.
      if (options.emailRule === 'confirm-when-verified' && (address === 'pending' || address === 'changed')) {
        await this.emailChanges.assertNoneInProgress(before.id, manager);
      }
      if (Object.keys(patch).length > 0) await this.users.update(before.id, patch, manager);
      await options.afterWrite?.(written, manager);
      await this.emitEvents(written, manager);
      if (address === 'pending') await this.emailChanges.request(options.auth, email!, manager);
      // The owner's new unverified address: its verification link, on the same transaction.
      if (options.emailRule === 'confirm-when-verified' && address === 'changed') {
        const firstName = changed.firstName !== undefined ? changed.firstName : before.firstName;
        await this.emailVerification.issueFor({ id: before.id, email: email!, firstName }, manager);
      }
      if (options.emailRule === 'apply-at-once' && patch.email !== undefined) await this.emailChanges.dropPending(before.id, manager);
      const ended = await this.endCredentials(change, options.auth, manager);
      await options.afterEnding?.(ended, manager);
      return ended;
    });
    const profile = await this.profiles.load(before.id, options.includes);
    return { ...written, ending, profile };
  }

  /**
   * The change's webhook events, on its transaction: `user.updated` with the profile fields' new values, then
   * `user.email_changed` when the address changed now (a pending change is announced when it is confirmed),
   * `user.password_changed` (never the password) and `user.banned`.
   */
  private async emitEvents({ before, changed, address }: WrittenChange, manager: EntityManager): Promise<void> {
    const { password, email, status, ...fields } = changed;
    const ref = userRef(before);
    const changes = Object.fromEntries(Object.entries(fields).map(([field, value]) => [snakeCase(field), value]));
    if (status !== undefined && status !== UserStatus.Banned) changes.status = status;
    if (Object.keys(changes).length > 0) await this.events.emit(manager, 'user.updated', { ...ref, changes });
    if (email !== undefined && address !== 'pending') await this.events.emit(manager, 'user.email_changed', { ...ref, changes: { email } });
    if (password !== undefined) await this.events.emit(manager, 'user.password_changed', { ...ref, changes: { password: null } });
    if (status === UserStatus.Banned) await this.events.emit(manager, 'user.banned', ref);
  }

  /**
   * A ban ends every credential for good; a new password ends the other sessions (the changer keeps their own, and
   * a browser session's cookie gets a new value: whoever copied the old one is out too).
   */
  private async endCredentials({ before, changed }: AccountChange, auth: AuthContext, manager: EntityManager): Promise<EndedByChange | undefined> {
    if (changed.status === UserStatus.Banned) {
      return { reason: 'account-banned', ended: await this.lifecycle.end(before.id, 'account-banned', manager, { by: { auth } }) };
    }
    if (changed.password === undefined) return undefined;
    const keepSessionId = auth.user.id === before.id ? (auth.session?.id ?? null) : null;
    const ended = await this.lifecycle.end(before.id, 'password-change', manager, { keepSessionId });
    if (keepSessionId && auth.session?.cookie) {
      const renewed = await this.sessions.renewCookie(keepSessionId, manager);
      if (renewed) renewSessionCookie(auth, renewed);
    }
    return { reason: 'password-change', ended };
  }
}

function addressOutcome({ before, changed }: AccountChange, rule: EmailRule): AddressOutcome | undefined {
  if (changed.email === undefined) return undefined;
  // A new spelling of the same address keeps its verification.
  if (changed.email.toLowerCase() === before.email.toLowerCase()) return 'respelled';
  return rule === 'confirm-when-verified' && before.emailVerifiedAt !== null ? 'pending' : 'changed';
}

/** `firstName` → `first_name`: the wire's names of the account's fields. */
function snakeCase(field: string): string {
  return field.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}
