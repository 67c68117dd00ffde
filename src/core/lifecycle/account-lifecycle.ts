import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { isoOf, type Instant } from '../../platform/format/dates.js';
import type { Actor } from '../users/auth-context.js';
import type { UserProfile } from '../users/user-profile.js';

/**
 * What a capability holds about a user, for the account's whole life, declared in one place: the tables it owns,
 * what it ends when the account's credentials must end, what the export shows of it, and what deleting the account
 * does to it. Its module provides it with `lifecycleParticipant()` (lifecycle.module.ts), which registers it here.
 * Recovery, password change, ban, email change, export and deletion iterate the participants instead of naming what
 * exists, so new data about users joins them by registering, never by editing those callers.
 */
export interface LifecycleParticipant {
  /** Names it in start-up errors and in the schema test's messages. */
  readonly name: string;
  /**
   * The tables it owns that refer to users: a foreign key to `users`, or a `user_id` / `…_user_id` column. Each such
   * table of the schema belongs to exactly one participant (test/medium/schema-coverage.medium-spec.ts).
   */
  readonly tables: readonly string[];
  /** The ways into the account it holds, if any (one holder per kind), and what each reason ends of them. */
  readonly credentials?: readonly CredentialHolder[];
  /** Its top-level keys of the export document. */
  readonly exportSections?: readonly ExportSection[];
  /**
   * What deleting the account does to its rows, on the deleting transaction, before the user row goes. Absent: they
   * go with the row (ON DELETE CASCADE). May return work for after the commit (files outside the database).
   */
  erase?(erasure: AccountErasure): Promise<AfterErasure | void>;
}

/** Why an account's credentials end. Each holder decides what it ends for each reason. */
export type CredentialEndingReason =
  | 'password-reset'
  | 'password-change'
  | 'account-banned'
  | 'email-change-cancelled'
  | 'email-change-reverted';

/**
 * The kinds of credential a holder reports in the count it returns (what the notices and activity entries name):
 * `challenges` are half-finished sign-ins and ceremonies (two-factor, WebAuthn); `twoFactor` is a method that was on,
 * with its recovery codes; `emailChanges` is a change waiting for its new address.
 */
export type CredentialKind = 'sessions' | 'apiKeys' | 'passkeys' | 'identities' | 'twoFactor' | 'challenges' | 'emailChanges';

export interface CredentialEnding {
  userId: number;
  reason: CredentialEndingReason;
  /** The caller's own session, kept when they changed their own password. */
  keepSessionId: string | null;
  /**
   * A reset whose link proves the address for the first time: whatever was set up before it, someone set up
   * without having proven the address (whoever registered first on it, perhaps), so it ends too.
   */
  addressFirstProven: boolean;
  /** Who ended them, for the activity entries the holders write. */
  by: Actor;
  /** The account's credential version from now on (raised by this ending): the kept session moves to it. */
  credentialVersion: number;
  /** The caller's transaction: the change and the endings commit together. */
  manager: EntityManager;
}

/** A credential of the account: ended, on the caller's transaction, when a reason asks. */
export interface CredentialHolder {
  /** What its count is reported as; absent for what no notice names (the login lock-outs a reset clears). */
  readonly kind?: CredentialKind;
  /** Ends what this reason ends of the user's credentials; returns how many ended (0 when the reason keeps them). */
  end(ending: CredentialEnding): Promise<number>;
  /**
   * Those of this kind the account holds, each named as the notices list what a change left working (`API key
   * ptlc_… (deploy)`); absent for kinds no notice lists one by one.
   */
  list?(userId: number, manager: EntityManager): Promise<string[]>;
}

export type EndedCredentials = Record<CredentialKind, number>;

/** The account being exported, loaded once (role and country included) and handed to every section. */
export interface ExportSubject {
  profile: UserProfile;
}

/**
 * One top-level key of the export document (`GET /api/me/export`). `write` gives the section's JSON value, or, for
 * lists that grow without bound (the activity log), its items page by page: the document streams them as one array,
 * so memory stays bounded by a page. A section selects columns by name: a secret, hash or code never reaches it.
 */
export interface ExportSection {
  readonly key: string;
  /** Where the key stands in the document: sections are written in ascending `order`, which is part of the format. */
  readonly order: number;
  write(subject: ExportSubject): Promise<unknown> | AsyncIterable<unknown[]>;
}

/** Timestamps of the export: ISO 8601 in UTC, or null. */
export const isoOrNull = (instant: Instant | null | undefined): string | null => (instant ? isoOf(instant) : null);

/** The account being deleted: its row is locked by the deleting transaction, and goes after every participant's step. */
export interface AccountErasure {
  userId: number;
  /** The deleting transaction: the steps and the deletion commit together. */
  manager: EntityManager;
}

/** Work a deletion step leaves for after the commit; it must not throw (the account is gone by then). */
export type AfterErasure = () => Promise<void>;

/** The one list of what Tessera holds about a user, which every part of an account's life iterates. */
@Injectable()
export class AccountLifecycle {
  private readonly registered: LifecycleParticipant[] = [];

  /** Adds a participant. Two claiming one table, export key or export position is a programming error: start-up stops. */
  register(participant: LifecycleParticipant): void {
    const sections = this.exportSections();
    for (const other of this.registered) {
      const table = participant.tables.find((name) => other.tables.includes(name));
      if (table) throw new Error(`lifecycle participant ${participant.name}: table ${table} is already declared by ${other.name}`);
    }
    for (const section of participant.exportSections ?? []) {
      const clash = sections.find((other) => other.key === section.key || other.order === section.order);
      if (clash) throw new Error(`lifecycle participant ${participant.name}: export section ${section.key} clashes with ${clash.key}`);
    }
    this.registered.push(participant);
  }

  /** Every participant, in the order they registered. */
  get participants(): readonly LifecycleParticipant[] {
    return this.registered;
  }

  /**
   * Ends, on the caller's transaction, every credential the reason ends; the counts per kind. First it raises the
   * account's credential version: from then on no sign-in that proved the former credentials opens a session or a
   * two-factor challenge, refreshes or completes one (they check the version where they write, and the row lock this
   * takes makes one wait for the commit), and the holders then end what was opened before.
   */
  async end(
    userId: number,
    reason: CredentialEndingReason,
    manager: EntityManager,
    options: { keepSessionId?: string | null; by?: Actor; addressFirstProven?: boolean } = {},
  ): Promise<EndedCredentials> {
    const ended: EndedCredentials = { sessions: 0, apiKeys: 0, passkeys: 0, identities: 0, twoFactor: 0, challenges: 0, emailChanges: 0 };
    const credentialVersion = await this.raiseCredentialVersion(userId, manager);
    const ending: CredentialEnding = {
      userId,
      reason,
      manager,
      keepSessionId: options.keepSessionId ?? null,
      by: options.by ?? {},
      addressFirstProven: options.addressFirstProven ?? false,
      credentialVersion,
    };
    // One after another: they share the caller's connection.
    for (const holder of this.holders()) {
      const count = await holder.end(ending);
      if (holder.kind) ended[holder.kind] += count;
    }
    return ended;
  }

  /** On the caller's transaction: the credentials the account still holds, named for a notice (see CredentialHolder.list). */
  async remaining(userId: number, manager: EntityManager): Promise<string[]> {
    const names: string[] = [];
    for (const holder of this.holders()) names.push(...((await holder.list?.(userId, manager)) ?? []));
    return names;
  }

  private holders(): CredentialHolder[] {
    return this.registered.flatMap((participant) => participant.credentials ?? []);
  }

  /** Raises the user's credential version on the caller's transaction (not `updated_at`: the profile did not change); the new version. */
  private async raiseCredentialVersion(userId: number, manager: EntityManager): Promise<number> {
    // TypeORM answers an UPDATE … RETURNING with [rows, affected].
    const [rows] = (await manager.query(`UPDATE users SET credential_version = credential_version + 1 WHERE id = $1 RETURNING credential_version`, [
      userId,
    ])) as [Array<{ credential_version: number }>, number];
    if (!rows[0]) throw new Error(`credential version of user ${userId}: no such user`);
    return rows[0].credential_version;
  }

  /** The sections of the export document, in document order. */
  exportSections(): ExportSection[] {
    return this.registered.flatMap((participant) => participant.exportSections ?? []).sort((a, b) => a.order - b.order);
  }

  /** Runs every participant's deletion step on the deleting transaction; returns what is left for after its commit. */
  async erase(userId: number, manager: EntityManager): Promise<AfterErasure> {
    const afterCommit: AfterErasure[] = [];
    for (const participant of this.registered) {
      const after = await participant.erase?.({ userId, manager });
      if (after) afterCommit.push(after);
    }
    return async () => {
      for (const after of afterCommit) await after();
    };
  }
}
