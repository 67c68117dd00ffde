import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { ActivityActor } from '../activity/activity.service.js';

/** Why an account's credentials end. Each holder decides what it ends for each reason. */
export type CredentialEndingReason =
  | 'password-reset'
  | 'password-change'
  | 'account-banned'
  | 'email-change-cancelled'
  | 'email-change-reverted';

/** The kinds of credential a holder reports in the count it returns (what the notices and activity entries name). */
export type CredentialKind = 'sessions' | 'apiKeys' | 'challenges';

export interface CredentialEnding {
  userId: number;
  reason: CredentialEndingReason;
  /** The caller's own session, kept when they changed their own password. */
  keepSessionId: string | null;
  /** Who ended them, for the activity entries the holders write. */
  by: ActivityActor;
  /** The caller's transaction: the change and the endings commit together. */
  manager: EntityManager;
}

/** A capability that holds a credential of the account: ends it, on the caller's transaction, when a reason asks. */
export interface CredentialHolder {
  readonly kind: CredentialKind;
  /** Ends what this reason ends of the user's credentials; returns how many ended (0 when the reason keeps them). */
  end(ending: CredentialEnding): Promise<number>;
}

export type EndedCredentials = Record<CredentialKind, number>;

/**
 * The one list of what holds a way into an account. Recovery, password change, ban and email-change revert iterate
 * it instead of naming credential kinds, so a capability that adds a credential joins them by registering here
 * (from its `onModuleInit`), never by editing the callers.
 */
@Injectable()
export class CredentialLifecycle {
  private readonly holders: CredentialHolder[] = [];

  register(holder: CredentialHolder): void {
    this.holders.push(holder);
  }

  /** Ends, on the caller's transaction, every credential the reason ends; the counts per kind. */
  async end(
    userId: number,
    reason: CredentialEndingReason,
    manager: EntityManager,
    options: { keepSessionId?: string | null; by?: ActivityActor } = {},
  ): Promise<EndedCredentials> {
    const ended: EndedCredentials = { sessions: 0, apiKeys: 0, challenges: 0 };
    const ending: CredentialEnding = { userId, reason, manager, keepSessionId: options.keepSessionId ?? null, by: options.by ?? {} };
    // One after another: they share the caller's connection.
    for (const holder of this.holders) ended[holder.kind] += await holder.end(ending);
    return ended;
  }
}
