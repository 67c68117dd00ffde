import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { ActivityProperties } from '../../../core/activity/activity-log.entity.js';
import { presentApiKey } from '../../api-keys/api-key.presenter.js';
import { ApiKeysService } from '../../api-keys/api-keys.service.js';
import { PasskeysService } from '../../passkeys/passkeys.service.js';
import { describeUserAgent } from '../../sessions/session.presenter.js';
import { isoOrNull, type ExportSection, type ExportSubject } from './export-section.js';

/** Activity entries read per query: the most the export holds in memory at once. */
export const ACTIVITY_PAGE_SIZE = 1000;

/** Every profile field Tessera stores, in full (the password hash is never loaded). */
@Injectable()
export class ProfileExportSection implements ExportSection {
  readonly key = 'profile';

  async write({ profile: { user } }: ExportSubject) {
    return {
      id: user.id,
      uuid: user.uuid,
      username: user.username,
      email: user.email,
      email_verified_at: isoOrNull(user.emailVerifiedAt),
      first_name: user.firstName,
      last_name: user.lastName,
      phone: user.phone,
      address: user.address,
      country: user.country ? { id: user.country.id, name: user.country.name } : null,
      birthday: user.birthday,
      role: user.role ? { slug: user.role.slug, name: user.role.name } : null,
      status: user.status,
      language: user.language,
      terms_accepted_at: isoOrNull(user.termsAcceptedAt),
      last_login: isoOrNull(user.lastLogin),
      created_at: isoOrNull(user.createdAt),
      updated_at: isoOrNull(user.updatedAt),
    };
  }
}

@Injectable()
export class SettingsExportSection implements ExportSection {
  readonly key = 'settings';

  async write({ profile: { user } }: ExportSubject) {
    return { public_profile: user.publicProfile, public_badges: user.publicBadges, language: user.language };
  }
}

/** The picture's URLs, and where they come from (an upload, an external URL, or the default picture). */
@Injectable()
export class AvatarExportSection implements ExportSection {
  readonly key = 'avatar';

  async write({ profile: { user, avatar } }: ExportSubject) {
    const source = user.avatarUrl ? 'external' : user.avatarKey ? 'upload' : 'default';
    return { source, ...avatar };
  }
}

/** Method, phone and dates; never the TOTP secret, an SMS code or a recovery code (nor their hashes). */
@Injectable()
export class TwoFactorExportSection implements ExportSection {
  readonly key = 'two_factor';

  constructor(private readonly dataSource: DataSource) {}

  async write({ profile: { user, twoFactor } }: ExportSubject) {
    const [dates] = await this.dataSource.query(
      `SELECT (SELECT updated_at FROM two_factor_settings WHERE user_id = $1) AS settings_updated_at,
              (SELECT max(created_at) FROM two_factor_recovery_codes WHERE user_id = $1) AS recovery_codes_issued_at`,
      [user.id],
    );
    return {
      enabled: twoFactor?.enabled ?? false,
      method: twoFactor?.method ?? null,
      pending_method: twoFactor?.pending_method ?? null,
      phone: user.twoFactorPhone ? { country_code: user.twoFactorCountryCode, number: user.twoFactorPhone } : null,
      recovery_codes_left: user.twoFactorRecoveryCodesLeft,
      recovery_codes_issued_at: isoOrNull(dates.recovery_codes_issued_at),
      updated_at: isoOrNull(dates.settings_updated_at),
    };
  }
}

interface SessionRow {
  id: string;
  ip_address: string;
  user_agent: string;
  device_name: string | null;
  created_at: Date;
  logged_in_at: Date;
  last_activity: Date;
  expires_at: Date;
  revoked_at: Date | null;
}

/** Every session Tessera keeps, revoked ones too, with the parsed device; never a refresh-token hash. */
@Injectable()
export class SessionsExportSection implements ExportSection {
  readonly key = 'sessions';

  constructor(private readonly dataSource: DataSource) {}

  async write({ profile: { user } }: ExportSubject) {
    const rows: SessionRow[] = await this.dataSource.query(
      `SELECT id, ip_address, user_agent, device_name, created_at, logged_in_at, last_activity, expires_at, revoked_at
         FROM sessions WHERE user_id = $1 ORDER BY created_at, id`,
      [user.id],
    );
    return rows.map((row) => ({
      id: row.id,
      ip_address: row.ip_address,
      user_agent: row.user_agent,
      ...describeUserAgent(row.user_agent),
      device_name: row.device_name,
      created_at: isoOrNull(row.created_at),
      logged_in_at: isoOrNull(row.logged_in_at),
      last_activity: isoOrNull(row.last_activity),
      expires_at: isoOrNull(row.expires_at),
      revoked_at: isoOrNull(row.revoked_at),
    }));
  }
}

/** The keys as the client family lists them: metadata only (the secret's hash is never selected). */
@Injectable()
export class ApiKeysExportSection implements ExportSection {
  readonly key = 'api_keys';

  constructor(private readonly apiKeys: ApiKeysService) {}

  async write({ profile: { user } }: ExportSubject) {
    return (await this.apiKeys.list(user.id)).map((key) => presentApiKey(key).attributes);
  }
}

/** Mailed links (password reset, email verification): the address they went to and their dates, not the token. */
@Injectable()
export class OneTimeLinksExportSection implements ExportSection {
  readonly key = 'one_time_links';

  constructor(private readonly dataSource: DataSource) {}

  async write({ profile: { user } }: ExportSubject) {
    const rows: { purpose: string; email: string; created_at: Date; expires_at: Date; used_at: Date | null }[] = await this.dataSource.query(
      `SELECT purpose, email, created_at, expires_at, used_at FROM user_tokens WHERE user_id = $1 ORDER BY created_at, id`,
      [user.id],
    );
    return rows.map((row) => ({
      purpose: row.purpose,
      email: row.email,
      created_at: isoOrNull(row.created_at),
      expires_at: isoOrNull(row.expires_at),
      used_at: isoOrNull(row.used_at),
    }));
  }
}

interface ActivityRow {
  id: string;
  event: string;
  description: string;
  actor_id: number | null;
  ip: string | null;
  user_agent: string | null;
  is_api: boolean;
  api_key_identifier: string | null;
  properties: ActivityProperties;
  created_at: Date;
}

/**
 * The whole activity log about the account, oldest first, read ACTIVITY_PAGE_SIZE entries at a time by id
 * (keyset, on activity_logs_user_index): each page is one short query, so a download of any length and speed
 * holds no connection between pages. `actor` says who did it without naming anyone else.
 */
@Injectable()
export class ActivityExportSection implements ExportSection {
  readonly key = 'activity';

  constructor(private readonly dataSource: DataSource) {}

  async *write({ profile: { user } }: ExportSubject): AsyncGenerator<unknown[]> {
    let after = '0';
    for (;;) {
      const rows: ActivityRow[] = await this.dataSource.query(
        `SELECT id, event, description, actor_id, ip, user_agent, is_api, api_key_identifier, properties, created_at
           FROM activity_logs WHERE user_id = $1 AND id > $2 ORDER BY id LIMIT ${ACTIVITY_PAGE_SIZE}`,
        [user.id, after],
      );
      if (rows.length === 0) return;
      after = rows[rows.length - 1].id;
      yield rows.map((row) => ({
        id: row.id,
        event: row.event,
        description: row.description,
        actor: row.actor_id === null ? null : row.actor_id === user.id ? 'self' : 'other',
        ip: row.ip,
        user_agent: row.user_agent,
        is_api: row.is_api,
        api_key_identifier: row.api_key_identifier,
        properties: row.properties,
        timestamp: isoOrNull(row.created_at),
      }));
      if (rows.length < ACTIVITY_PAGE_SIZE) return;
    }
  }
}

/** In document order. A new kind of personal data (passkeys, say) is one more class here and in the module. */
/** Passkeys as `GET /api/me/passkeys` lists them: metadata only (not the credential ID, public key or counter). */
@Injectable()
export class PasskeysExportSection implements ExportSection {
  readonly key = 'passkeys';

  constructor(private readonly passkeys: PasskeysService) {}

  async write({ profile: { user } }: ExportSubject) {
    return (await this.passkeys.list(user.id)).map((passkey) => ({
      id: passkey.id,
      name: passkey.name,
      device_type: passkey.deviceType,
      backed_up: passkey.backedUp,
      transports: passkey.transports,
      created_at: isoOrNull(passkey.createdAt),
      last_used_at: isoOrNull(passkey.lastUsedAt),
    }));
  }
}

export const EXPORT_SECTION_TYPES = [
  ProfileExportSection,
  SettingsExportSection,
  AvatarExportSection,
  TwoFactorExportSection,
  SessionsExportSection,
  ApiKeysExportSection,
  PasskeysExportSection,
  OneTimeLinksExportSection,
  ActivityExportSection,
] as const;
