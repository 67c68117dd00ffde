import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, Repository } from 'typeorm';
import { ActivityService } from '../../core/activity/activity.service.js';
import { userRef } from '../../core/events/event-catalogue.js';
import { EventsService } from '../../core/events/events.service.js';
import { assertAddressProven, announceNewCredential, lockAccountForNewCredential } from '../../core/credentials/new-credential.js';
import { ReauthenticationService } from '../../core/credentials/reauthentication.service.js';
import { ADMIN_SCOPE, DEFAULT_API_KEY_SCOPES, type ApiKeyScope } from '../../core/users/api-key-scopes.js';
import type { Actor, AuthContext, ClientInfo } from '../../core/users/auth-context.js';
import { DomainError, type FieldError } from '../../platform/errors/domain-error.js';
import { PLATFORM_ERRORS } from '../../platform/errors/errors.js';
import { CREDENTIAL_ERRORS } from '../../core/credentials/errors.js';
import { fieldErrorOf } from '../../platform/errors/error-catalogue.js';
import { API_KEY_ERRORS } from './errors.js';
import { formatIsoOffset } from '../../platform/format/dates.js';
import { RateLimiterService, type RateLimitRule } from '../../platform/rate-limit/rate-limiter.service.js';
import { addressKey } from '../../platform/rate-limit/client-address.js';
import type { AppConfig } from '../../platform/config/app-config.js';
import { InjectConfig } from '../../platform/config/config.module.js';
import { BatchedTouch } from '../../platform/database/batched-touch.js';
import { jsonObject, PreparedQuery } from '../../platform/database/entity-rows.js';
import { MailService } from '../../platform/mail/mail.service.js';
import { accountUserObject, type AccountUser, type AccountUserRow } from '../../core/users/account-user.js';
import { ADMIN_ROLE_SLUG } from '../../core/users/role.entity.js';
import { UserStatus } from '../../core/users/user.entity.js';
import { RoleDirectory } from '../../core/users/role-directory.js';
import { isIpAllowed, normalizeAllowedIps } from './allowed-ips.js';
import {
  API_KEY_FORMAT,
  generateApiKey,
  hasValidChecksum,
  hashApiKeySecret,
  isApiKeyIdentifier,
  parseApiKey,
  secretMatches,
  type ApiKeyParts,
} from './api-key-tokens.js';
import { ApiKey } from './entities/api-key.entity.js';

/** Keys one user may hold (docs/guides/api-keys.md#creating-a-key). */
export const API_KEYS_PER_USER = 25;
/** `auth:ip-blocked` is written at most once a minute per key (every instance counting together). */
const IP_BLOCKED_RECORDS: RateLimitRule = { name: 'ip-blocked-activity', points: 1, durationSeconds: 60 };
/** `last_used_at` (and `last_used_ip`) are written at most this often per key. */
const LAST_USED_WRITE_INTERVAL_MS = 60_000;
const DAY_MS = 86_400_000;
/** Reports of leaked keys (POST …/api-keys/revoke, public) per client address. */
export const REVOKE_RATE_LIMIT: RateLimitRule = { name: 'api-key-revoke-ip', points: 10, durationSeconds: 60 };

/** Why every key of a user was deleted at once. */
export type ApiKeyRevocationReason = 'password-reset' | 'account-banned' | 'email-change-reverted';

export interface NewApiKey {
  description: string;
  allowedIps?: unknown[];
  /** Absent: every scope but `admin`. */
  scopes?: ApiKeyScope[];
  /** ISO 8601 with an offset (the DTO checked the form); absent: API_KEY_DEFAULT_LIFETIME_DAYS, else no expiry. */
  expiresAt?: string;
  currentPassword?: string;
}

/** A key just created, with the full bearer key: the only time it exists outside the caller's hands. */
export interface CreatedApiKey {
  key: ApiKey;
  token: string;
}

/** A presented key, split, and whether its checksum held. */
interface PresentedKey extends ApiKeyParts {
  checksummed: boolean;
}

/** What authenticate() reads of a key and its owner, by name (see authenticationQuery()). */
interface KeyAuthenticationRow {
  id: number;
  userId: number;
  secretHash: string;
  formatVersion: ApiKey['formatVersion'];
  scopes: ApiKeyScope[];
  allowedIps: string[];
  /** Decided by PostgreSQL's clock, as the expiry is stored. */
  expired: boolean;
  /** `last_used_at` is due a write (see LAST_USED_WRITE_INTERVAL_MS), by the clock the write itself uses. */
  useDue: boolean;
  user: AccountUserRow;
}

interface AuthenticationQuery {
  query: PreparedQuery;
  /** The once-a-minute `last_used_at` / `last_used_ip` write. */
  touch: PreparedQuery;
}

/** What accepting a presented key needs of the stored one. */
type StoredSecret = Pick<ApiKey, 'secretHash' | 'formatVersion'>;

/**
 * A stored key accepts a presented one when the secret matches its digest, and the presented key either carries
 * a valid checksum or belongs to a key made before checksums (format version 1).
 */
function accepts(key: StoredSecret, presented: PresentedKey): boolean {
  return (presented.checksummed || key.formatVersion === API_KEY_FORMAT.legacy) && secretMatches(presented.secret, key.secretHash);
}

@Injectable()
export class ApiKeysService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private authentication?: AuthenticationQuery;
  private readonly logger = new Logger(ApiKeysService.name);
  /** `last_used_at` / `last_used_ip` writes, batched (see BatchedTouch); a listing writes the pending batch first. */
  private readonly lastUsedWrites = new BatchedTouch<number, string>(
    (keyIds, ips) => this.authenticationQuery().touch.rows([keyIds, ips]),
    (error, count) => this.logger.warn({ err: error, keys: count }, 'could not record API key use'),
  );
  /**
   * Identifiers of the keys made before checksums, read once at start-up (no key of that format is made any more,
   * so the set only shrinks): a key without a valid checksum is looked up only when its identifier is here.
   */
  private legacyIdentifiers?: Set<string>;

  constructor(
    @InjectRepository(ApiKey) private readonly keys: Repository<ApiKey>,
    @InjectConfig() private readonly config: AppConfig,
    private readonly activity: ActivityService,
    private readonly reauthentication: ReauthenticationService,
    private readonly mail: MailService,
    private readonly rateLimiter: RateLimiterService,
    private readonly roles: RoleDirectory,
    private readonly events: EventsService,
  ) {}

  /** Reads the legacy identifiers before the first request; if the database is down now, the first need retries. */
  async onApplicationBootstrap(): Promise<void> {
    await this.loadLegacyIdentifiers().catch((error: unknown) =>
      this.logger.warn({ err: error }, 'could not read the API keys made before checksums; retrying on first use'),
    );
  }

  /** The user's keys, oldest first; uses just made through this instance show in `last_used_at`. */
  async list(userId: number, manager?: EntityManager): Promise<ApiKey[]> {
    await this.lastUsedWrites.flush();
    return (manager?.getRepository(ApiKey) ?? this.keys).find({ where: { userId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  /**
   * Creates a key: a credential change, so it needs an access token, proof and a proven address. The count and the
   * insert run under a lock on the user's row, so concurrent requests cannot take a user past the limit. The owner
   * is mailed (scopes, when, address and device).
   */
  async create(auth: AuthContext, input: NewApiKey): Promise<CreatedApiKey> {
    await this.reauthentication.requireRecentAuth(auth, input.currentPassword);
    assertAddressProven(auth);
    const { rules, errors } = normalizeAllowedIps(input.allowedIps ?? []);
    const scopes = this.grantableScopes(auth, input.scopes, errors);
    const expiresAt = this.expiryOf(input.expiresAt, errors);
    if (errors.length > 0) throw new DomainError(PLATFORM_ERRORS.VALIDATION_FAILED, { fields: errors });
    const { identifier, secret, token } = generateApiKey();
    const key = await this.keys.manager.transaction(async (manager) => {
      // Also serialises key creation per user.
      await lockAccountForNewCredential(auth, manager);
      const repository = manager.getRepository(ApiKey);
      if ((await repository.countBy({ userId: auth.user.id })) >= API_KEYS_PER_USER) {
        throw new DomainError(API_KEY_ERRORS.LIMIT_REACHED);
      }
      const created = await repository.save(
        repository.create({
          userId: auth.user.id,
          identifier,
          secretHash: hashApiKeySecret(secret),
          description: input.description,
          allowedIps: rules,
          scopes,
          expiresAt,
          formatVersion: API_KEY_FORMAT.checksummed,
          lastUsedAt: null,
          lastUsedIp: null,
        }),
      );
      const properties = { identifier, scopes: scopes.join(' '), expires_at: expiresAt ? formatIsoOffset(expiresAt) : null };
      await this.activity.record({ event: 'user:api-key.create', userId: auth.user.id, auth, properties }, manager);
      await this.events.emit(manager, 'api_key.created', { ...userRef(auth.user), api_key_identifier: identifier });
      await announceNewCredential(this.mail, auth, manager, {
        kind: 'api-key',
        identifier,
        description: created.description,
        scopes,
        expiresAt: expiresAt ? formatIsoOffset(expiresAt) : null,
      });
      return created;
    });
    return { key, token };
  }

  /** Deletes one of the caller's keys; an unknown or foreign identifier is NOT_FOUND. */
  async delete(auth: AuthContext, identifier: string): Promise<void> {
    if (!isApiKeyIdentifier(identifier)) throw new DomainError(PLATFORM_ERRORS.NOT_FOUND);
    const deleted = await this.keys.manager.transaction(async (manager) => {
      const result = await manager.delete(ApiKey, { identifier, userId: auth.user.id });
      if (result.affected) await this.events.emit(manager, 'api_key.revoked', { ...userRef(auth.user), api_key_identifier: identifier });
      return result.affected ?? 0;
    });
    if (!deleted) throw new DomainError(PLATFORM_ERRORS.NOT_FOUND);
    this.legacyIdentifiers?.delete(identifier);
    await this.activity.record({ event: 'user:api-key.delete', userId: auth.user.id, auth, properties: { identifier } });
  }

  /**
   * Deletes every key of a user (a password reset, a ban), each recorded as `user:api-key.revoked` with the reason;
   * returns how many. Nothing brings them back.
   */
  async revokeAllForUser(userId: number, reason: ApiKeyRevocationReason, by: Actor, manager?: EntityManager): Promise<number> {
    const em = manager ?? this.keys.manager;
    const result = await em.createQueryBuilder().delete().from(ApiKey).where('user_id = :userId', { userId }).returning(['identifier']).execute();
    const revoked = result.raw as Array<{ identifier: string }>;
    for (const { identifier } of revoked) {
      this.legacyIdentifiers?.delete(identifier);
      await this.activity.record({ event: 'user:api-key.revoked', userId, ...by, properties: { identifier, reason } }, em);
      await this.events.emitForUser(em, 'api_key.revoked', userId, { api_key_identifier: identifier });
    }
    return revoked.length;
  }

  /**
   * Revokes every valid key among `tokens` (full keys someone found leaked: a secret scanner, a colleague), records
   * `user:api-key.revoked` with the reason `reported` and mails each owner. Says nothing about what it found: the
   * caller gets the same answer for garbage, and a valid key it could test is dead by then. Rate-limited per
   * address; malformed keys and failed checksums cost no query.
   */
  async revokeReported(tokens: readonly string[], client: ClientInfo): Promise<void> {
    await this.rateLimiter.consume(REVOKE_RATE_LIMIT, addressKey(client.ip));
    const presented = new Map<string, PresentedKey[]>();
    for (const token of tokens) {
      const key = await this.presentedKey(token);
      if (key) presented.set(key.identifier, [...(presented.get(key.identifier) ?? []), key]);
    }
    if (presented.size === 0) return;
    const candidates = await this.keys
      .createQueryBuilder('k')
      .addSelect('k.secretHash')
      .innerJoinAndSelect('k.user', 'u')
      .where('k.identifier IN (:...identifiers)', { identifiers: [...presented.keys()] })
      .getMany();
    const matched = candidates.filter((key) => presented.get(key.identifier)!.some((candidate) => accepts(key, candidate)));
    if (matched.length === 0) return;
    const revoked = await this.keys.manager.transaction(async (manager) => {
      // RETURNING: a key deleted meanwhile (by its owner, or a concurrent report) is neither recorded nor mailed twice.
      const result = await manager
        .createQueryBuilder()
        .delete()
        .from(ApiKey)
        .where('id IN (:...ids)', { ids: matched.map((key) => key.id) })
        .returning(['id'])
        .execute();
      const deletedIds = new Set((result.raw as { id: number }[]).map((row) => row.id));
      const deleted = matched.filter((key) => deletedIds.has(key.id));
      for (const key of deleted) {
        await this.activity.record(
          { event: 'user:api-key.revoked', userId: key.userId, client, actorId: null, properties: { identifier: key.identifier, reason: 'reported' } },
          manager,
        );
        await this.events.emit(manager, 'api_key.revoked', { ...userRef(key.user!), api_key_identifier: key.identifier });
      }
      const byOwner = new Map<number, ApiKey[]>();
      for (const key of deleted) byOwner.set(key.userId, [...(byOwner.get(key.userId) ?? []), key]);
      for (const keys of byOwner.values()) {
        const owner = keys[0].user!;
        await this.mail.sendApiKeysRevokedNotice(manager, owner.email, { name: owner.firstName ?? '', identifiers: keys.map((key) => key.identifier) });
      }
      return deleted;
    });
    for (const key of revoked) this.legacyIdentifiers?.delete(key.identifier);
  }

  /**
   * Resolves a bearer API key to the caller in one database round trip (key and owner joined; the role from
   * memory), or none at all when the checksum fails; scopes and expiry come from the same row. Its `last_used_at` and `last_used_ip`
   * are written at most once a minute, in a batch. Nothing is cached: a deleted key or a banned owner is refused
   * on the very next request.
   */
  async authenticate(credential: string, client: ClientInfo): Promise<AuthContext> {
    const presented = await this.presentedKey(credential);
    if (!presented) throw new DomainError(PLATFORM_ERRORS.UNAUTHENTICATED);
    const row = await this.authenticationQuery().query.value<KeyAuthenticationRow>([presented.identifier]);
    if (!row) throw new DomainError(PLATFORM_ERRORS.UNAUTHENTICATED);
    const { id, userId, scopes, allowedIps, expired, useDue } = row;
    if (!accepts(row, presented)) throw new DomainError(PLATFORM_ERRORS.UNAUTHENTICATED);
    if (expired) throw new DomainError(PLATFORM_ERRORS.UNAUTHENTICATED);
    const user: AccountUser = row.user;
    if (user.status === UserStatus.Banned) throw new DomainError(CREDENTIAL_ERRORS.ACCOUNT_BANNED);
    user.role = await this.roles.get(user.roleId);
    if (!user.role) throw new DomainError(PLATFORM_ERRORS.UNAUTHENTICATED);
    const { identifier } = presented;
    const auth: AuthContext = { user, client, session: null, apiKey: { id, identifier, scopes } };
    if (!isIpAllowed(client.ip, allowedIps)) {
      // Refused before any per-user limit applies: a flood from a blocked address writes one row a minute, not one each.
      if ((await this.rateLimiter.take(IP_BLOCKED_RECORDS, String(id))).allowed) {
        await this.activity.record({ event: 'auth:ip-blocked', userId, auth, properties: { identifier } });
      }
      throw new DomainError(CREDENTIAL_ERRORS.IP_NOT_ALLOWED);
    }
    if (useDue) this.lastUsedWrites.add(id, client.ip.slice(0, 64));
    return auth;
  }

  /** Writes the pending `last_used_at` batch now (tests; shutdown). */
  flushLastUsed(): Promise<void> {
    return this.lastUsedWrites.flush();
  }

  /** On shutdown, before the pool closes: write what is pending. */
  beforeApplicationShutdown(): Promise<void> {
    return this.lastUsedWrites.flush();
  }

  /**
   * A well-formed key worth looking up, or null: one whose checksum fails is worth it only when its identifier
   * belongs to a key made before checksums. Costs no query (unless the start-up read of those identifiers failed).
   */
  private async presentedKey(token: string): Promise<PresentedKey | null> {
    const parts = parseApiKey(token);
    if (!parts) return null;
    const checksummed = hasValidChecksum(token);
    if (!checksummed && !(this.legacyIdentifiers ?? (await this.loadLegacyIdentifiers())).has(parts.identifier)) return null;
    return { ...parts, checksummed };
  }

  private async loadLegacyIdentifiers(): Promise<Set<string>> {
    const rows: { identifier: string }[] = await this.keys.query(`SELECT identifier FROM api_keys WHERE format_version = $1`, [
      API_KEY_FORMAT.legacy,
    ]);
    this.legacyIdentifiers = new Set(rows.map((row) => row.identifier));
    return this.legacyIdentifiers;
  }

  /** The scopes of a new key; `admin` only for an admin (else a validation error on `scopes`). */
  private grantableScopes(auth: AuthContext, requested: ApiKeyScope[] | undefined, errors: FieldError[]): ApiKeyScope[] {
    const scopes = requested ? [...new Set(requested)] : [...DEFAULT_API_KEY_SCOPES];
    if (scopes.includes(ADMIN_SCOPE) && auth.user.role?.slug !== ADMIN_ROLE_SLUG) {
      errors.push(fieldErrorOf(API_KEY_ERRORS.ADMIN_SCOPE_NOT_GRANTABLE));
    }
    return scopes;
  }

  /** `expires_at`: in the future and at most API_KEY_MAX_LIFETIME_DAYS ahead; absent: the default lifetime, if any. */
  private expiryOf(requested: string | undefined, errors: FieldError[]): Date | null {
    const now = Date.now();
    const { maxLifetimeDays, defaultLifetimeDays } = this.config.apiKeys;
    if (requested === undefined) return defaultLifetimeDays === undefined ? null : new Date(now + defaultLifetimeDays * DAY_MS);
    const expiresAt = new Date(requested);
    if (Number.isNaN(expiresAt.getTime())) {
      errors.push(fieldErrorOf(API_KEY_ERRORS.EXPIRY_MALFORMED));
    } else if (expiresAt.getTime() <= now) {
      errors.push(fieldErrorOf(API_KEY_ERRORS.EXPIRY_PAST));
    } else if (expiresAt.getTime() > now + maxLifetimeDays * DAY_MS) {
      errors.push(fieldErrorOf(API_KEY_ERRORS.EXPIRY_TOO_FAR, undefined, { days: maxLifetimeDays }));
    }
    return expiresAt;
  }

  /**
   * The statements behind authenticate(), built on first use: prepared on the pool's connections rather than built
   * by the query builder per request. The row is one JSON object read by name (KeyAuthenticationRow): the key's
   * columns, whether it expired and whether `last_used_at` is due a write (decided by PostgreSQL's clock, as the
   * write itself is), and the owner (accountUserObject); the role comes from memory (RoleDirectory).
   */
  private authenticationQuery(): AuthenticationQuery {
    if (!this.authentication) {
      const dataSource = this.keys.manager.connection;
      const query = new PreparedQuery(
        dataSource,
        'tessera_api_key_authenticate',
        `SELECT ${jsonObject({
          id: '"k"."id"',
          userId: '"k"."user_id"',
          secretHash: '"k"."secret_hash"',
          formatVersion: '"k"."format_version"',
          scopes: '"k"."scopes"',
          allowedIps: '"k"."allowed_ips"',
          expired: '"k"."expires_at" IS NOT NULL AND "k"."expires_at" <= now()',
          useDue: `"k"."last_used_at" IS NULL OR "k"."last_used_at" < now() - interval '${LAST_USED_WRITE_INTERVAL_MS / 1000} seconds'`,
          user: accountUserObject('u'),
        } satisfies Record<keyof KeyAuthenticationRow, string>)}
           FROM "api_keys" "k" JOIN "users" "u" ON "u"."id" = "k"."user_id"
          WHERE "k"."identifier" = $1`,
      );
      // Conditional on the stored time, so several instances (and late batches) still write once a minute at most.
      const touch = new PreparedQuery(
        dataSource,
        'tessera_api_key_touch',
        `UPDATE "api_keys" AS "k" SET "last_used_at" = now(), "last_used_ip" = "used"."ip"
           FROM unnest($1::int[], $2::varchar[]) AS "used" ("id", "ip")
          WHERE "k"."id" = "used"."id" AND ("k"."last_used_at" IS NULL OR "k"."last_used_at" < now() - interval '60 seconds')`,
      );
      this.authentication = { query, touch };
    }
    return this.authentication;
  }
}
