import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { ActivityActor } from '../activity/activity.service.js';
import { ApiKeysService, type ApiKeyRevocationReason } from '../api-keys/api-keys.service.js';
import { SessionsService } from '../sessions/sessions.service.js';
import { TwoFactorChallenge } from '../two-factor/entities/two-factor-challenge.entity.js';

export interface EndedCredentials {
  sessions: number;
  apiKeys: number;
  challenges: number;
}

export interface CredentialsToEnd {
  /** The caller's own session, kept when they changed their own password. */
  keepSessionId?: string | null;
  /** Deletes every API key too, recorded with this reason. */
  apiKeys?: ApiKeyRevocationReason;
  /** Who ended them, for the activity entries of the keys. */
  by?: ActivityActor;
}

/**
 * What ends the ways into an account when its password is changed or reset, or the account is banned (CONTRACT
 * §2, "Recovery ends every credential"): its sessions, its open two-factor login challenges (a challenge opened with
 * the old password must not complete afterwards) and, for a reset or a ban, its API keys. Runs on the caller's
 * transaction, so the change and the revocation commit together.
 */
@Injectable()
export class CredentialRevocationService {
  constructor(
    private readonly sessions: SessionsService,
    private readonly apiKeys: ApiKeysService,
  ) {}

  async end(userId: number, what: CredentialsToEnd, manager: EntityManager): Promise<EndedCredentials> {
    const sessions = await this.sessions.revokeAllForUser(userId, what.keepSessionId ?? null, manager);
    const challenges = (await manager.delete(TwoFactorChallenge, { userId })).affected ?? 0;
    const apiKeys = what.apiKeys ? await this.apiKeys.revokeAllForUser(userId, what.apiKeys, what.by ?? {}, manager) : 0;
    return { sessions, apiKeys, challenges };
  }
}
