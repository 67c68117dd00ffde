import { Injectable } from '@nestjs/common';
import type { Readable } from 'node:stream';
import { ActivityService } from '../../../core/activity/activity.service.js';
import { ReauthenticationService } from '../../../core/credentials/reauthentication.service.js';
import { AccountLifecycle } from '../../../core/lifecycle/account-lifecycle.js';
import type { AuthContext } from '../../../core/users/auth-context.js';
import { DomainError } from '../../../platform/errors/domain-error.js';
import { CREDENTIAL_ERRORS } from '../../../core/credentials/errors.js';
import { ACCOUNT_DATA_ERRORS } from '../errors.js';
import { RateLimiterService, type RateLimitRule } from '../../../platform/rate-limit/rate-limiter.service.js';
import { UserProfileService } from '../../../core/users/user-profile.service.js';
import { exportDocumentStream } from './export-document.js';

/** Once a minute per account: an export reads everything the account has. */
export const EXPORT_RATE_LIMIT: RateLimitRule = { name: 'account-export', points: 1, durationSeconds: 60 };

export interface AccountExport {
  fileName: string;
  document: Readable;
}

/**
 * `GET /api/me/export` (docs/data.md#export, GDPR articles 15 and 20): everything Tessera holds about the caller as one
 * versioned JSON document, streamed section by section: the sections the lifecycle participants declare.
 *
 * The proof is a recent sign-in only. The route is a GET, which has no body for a `current_password`, and a
 * password does not belong in a header or a query string, which proxies and access logs keep. So an access token
 * whose session signed in within RECENT_AUTH_SECONDS is required; an API key never is enough (403).
 */
@Injectable()
export class AccountExportService {
  constructor(
    private readonly reauthentication: ReauthenticationService,
    private readonly rateLimiter: RateLimiterService,
    private readonly activity: ActivityService,
    private readonly profiles: UserProfileService,
    private readonly lifecycle: AccountLifecycle,
  ) {}

  async exportOwnData(auth: AuthContext, now = new Date()): Promise<AccountExport> {
    try {
      await this.reauthentication.requireRecentAuth(auth, undefined);
    } catch (error) {
      // The shared message asks for a current_password, which this route cannot take.
      if (error instanceof DomainError && error.is(CREDENTIAL_ERRORS.RECENT_AUTH_REQUIRED)) throw new DomainError(ACCOUNT_DATA_ERRORS.EXPORT_RECENT_AUTH_REQUIRED);
      throw error;
    }
    // Keyed by uuid: unique across every database sharing a Redis.
    await this.rateLimiter.consume(EXPORT_RATE_LIMIT, auth.user.uuid);
    await this.activity.record({ event: 'user:account.exported', userId: auth.user.id, auth });
    const profile = await this.profiles.load(auth.user.id, { country: true });
    return {
      fileName: `tessera-export-${profile.user.username}-${now.toISOString().slice(0, 10)}.json`,
      document: exportDocumentStream(this.lifecycle.exportSections(), { profile }, now),
    };
  }
}
