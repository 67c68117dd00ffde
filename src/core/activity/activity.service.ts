import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, Repository } from 'typeorm';
import type { Actor } from '../users/auth-context.js';
import { PreparedQuery } from '../../platform/database/entity-rows.js';
import { ActivityLog, type ActivityProperties } from './activity-log.entity.js';

/** Every account event Tessera records (docs/security.md#the-activity-log). */
export const ACTIVITY_EVENTS = {
  'auth:login': 'Logged in.',
  'auth:login-failed': 'Failed login attempt.',
  'auth:logout': 'Logged out.',
  'auth:two-factor-failed': 'Failed two-factor attempt.',
  'auth:proof-failed': 'Wrong password given to confirm a credential change.',
  'auth:ip-blocked': 'API key used from an address it does not allow.',
  'auth:password-reset': 'Password reset through an emailed link.',
  'auth:email-verified': 'Email address verified.',
  'auth:passkey-counter-regressed': 'Passkey sign-in refused: its signature counter went backwards (a cloned authenticator?).',
  'user:registered': 'Registered.',
  'user:profile.updated': 'Profile updated.',
  'user:account.email-changed': 'Email address changed.',
  'user:account.email-change-requested': 'Email address change requested; it waits for the new address to confirm it.',
  'user:account.email-change-cancelled': 'Pending email address change cancelled; every session was signed out.',
  'user:account.email-change-reverted': 'Email address change undone through the link sent to the previous address; every credential was ended.',
  'user:account.username-changed': 'Username changed.',
  'user:account.password-changed': 'Password changed.',
  'user:two-factor.create': 'Two-factor authentication enabled.',
  'user:two-factor.delete': 'Two-factor authentication disabled.',
  'user:two-factor.recovery-codes': 'Two-factor recovery codes regenerated.',
  'user:api-key.create': 'API key created.',
  'user:api-key.delete': 'API key deleted.',
  'user:api-key.revoked': 'API key revoked.',
  'user:passkey.create': 'Passkey added.',
  'user:passkey.delete': 'Passkey removed.',
  'user:passkey.revoked': 'Passkey removed by a recovery.',
  'user:identity.linked': 'Identity provider account linked.',
  'user:identity.unlinked': 'Identity provider account unlinked.',
  'user:identity.revoked': 'Identity provider account unlinked by a recovery.',
  'user:avatar.updated': 'Avatar updated.',
  'user:session.revoked': 'Session revoked.',
  'user:account.deleted': 'Account deleted by its owner.',
  'user:account.exported': 'Account data exported.',
  'organization:created': 'Organization created.',
  'organization:updated': 'Organization updated.',
  'organization:deleted': 'Organization deleted.',
  'organization:member.added': 'Member added to an organization.',
  'organization:member.role-changed': 'Member role changed in an organization.',
  'organization:member.removed': 'Member removed from an organization.',
  'organization:invitation.created': 'Invitation to an organization sent.',
  'organization:invitation.accepted': 'Invitation to an organization accepted.',
  'organization:invitation.revoked': 'Invitation to an organization revoked.',
  'organization:ownership.transferred': 'Ownership of an organization transferred.',
  'admin:user.created': 'User created by an administrator.',
  'admin:user.updated': 'User updated by an administrator.',
  'admin:user.deleted': 'User deleted by an administrator.',
  'admin:user.banned': 'User banned by an administrator.',
  'admin:user.unbanned': 'User unbanned by an administrator.',
  'admin:two-factor.reset': 'Two-factor reset by an administrator.',
  'admin:sessions.revoked': 'Sessions revoked by an administrator.',
  'admin:passkey.delete': 'Passkey removed by an administrator.',
  'admin:identity.unlinked': 'Identity provider account unlinked by an administrator.',
} as const;

export type ActivityEvent = keyof typeof ACTIVITY_EVENTS;

/** An event, and who did it (`auth`, or `client` and `actorId`). */
export interface ActivityEntry extends Actor {
  event: ActivityEvent;
  /** The user the event is about. */
  userId: number | null;
  properties?: ActivityProperties;
  description?: string;
}

@Injectable()
export class ActivityService {
  /** The INSERT, prepared on first use: every sign-in and most changes record an entry. */
  private insert?: PreparedQuery;

  constructor(@InjectRepository(ActivityLog) private readonly logs: Repository<ActivityLog>) {}

  /** Records an entry; pass the transaction's manager so the entry commits or rolls back with the change. */
  async record(entry: ActivityEntry, manager?: EntityManager): Promise<void> {
    const client = entry.auth?.client ?? entry.client;
    this.insert ??= new PreparedQuery(
      this.logs.manager.connection,
      'tessera_activity_record',
      // id and created_at take their defaults.
      `INSERT INTO "activity_logs" ("user_id", "actor_id", "event", "description", "ip", "user_agent", "is_api",
                                    "api_key_identifier", "properties")
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb)`,
    );
    await this.insert.rows(
      [
        entry.userId,
        entry.actorId !== undefined ? entry.actorId : (entry.auth?.user.id ?? null),
        entry.event,
        entry.description ?? ACTIVITY_EVENTS[entry.event],
        client?.ip ?? null,
        client?.userAgent ?? null,
        entry.auth?.apiKey != null,
        entry.auth?.apiKey?.identifier ?? null,
        JSON.stringify(entry.properties ?? {}),
      ],
      manager,
    );
  }
}
