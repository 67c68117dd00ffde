import { Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, Repository } from 'typeorm';
import { ActivityService } from '../activity/activity.service.js';
import type { AuthContext, ClientInfo } from '../common/auth/auth-context.js';
import { DomainError } from '../common/errors/domain-error.js';
import { RateLimiterService, type RateLimitRule } from '../common/rate-limit/rate-limiter.service.js';
import { BatchedTouch } from '../database/batched-touch.js';
import { EntityRowMapper, PreparedQuery } from '../database/entity-rows.js';
import { Role } from '../users/entities/role.entity.js';
import { User, UserStatus } from '../users/entities/user.entity.js';
import { isIpAllowed, normalizeAllowedIps } from './allowed-ips.js';
import { generateApiKey, hashApiKeySecret, isApiKeyIdentifier, parseApiKey, secretMatches } from './api-key-tokens.js';
import { ApiKey } from './entities/api-key.entity.js';

/** Keys one user may hold (CONTRACT §6). */
export const API_KEYS_PER_USER = 25;
export const API_KEY_LIMIT_MESSAGE = 'You have reached the account limit for number of API keys.';
export const IP_NOT_ALLOWED_MESSAGE = 'This API key may not be used from your IP address.';
/** `auth:ip-blocked` is written at most once a minute per key (every instance counting together). */
const IP_BLOCKED_RECORDS: RateLimitRule = { name: 'ip-blocked-activity', points: 1, durationSeconds: 60 };
/** `last_used_at` is written at most this often per key. */
const LAST_USED_WRITE_INTERVAL_MS = 60_000;

export interface NewApiKey {
  description: string;
  allowedIps?: unknown[];
}

/** A key just created, with the full bearer key: the only time it exists outside the caller's hands. */
export interface CreatedApiKey {
  key: ApiKey;
  token: string;
}

interface AuthenticationQuery {
  query: PreparedQuery;
  /** The once-a-minute `last_used_at` write. */
  touch: PreparedQuery;
  keys: EntityRowMapper<ApiKey>;
  users: EntityRowMapper<User>;
  roles: EntityRowMapper<Role>;
}

@Injectable()
export class ApiKeysService implements BeforeApplicationShutdown {
  private authentication?: AuthenticationQuery;
  private readonly logger = new Logger(ApiKeysService.name);
  /** `last_used_at` writes, batched (see BatchedTouch); a listing writes the pending batch first. */
  private readonly lastUsedWrites = new BatchedTouch<number>(
    (keyIds) => this.authenticationQuery().touch.rows([keyIds]),
    (error, count) => this.logger.warn({ err: error, keys: count }, 'could not record API key use'),
  );

  constructor(
    @InjectRepository(ApiKey) private readonly keys: Repository<ApiKey>,
    private readonly activity: ActivityService,
    private readonly rateLimiter: RateLimiterService,
  ) {}

  /** The user's keys, oldest first; uses just made through this instance show in `last_used_at`. */
  async list(userId: number): Promise<ApiKey[]> {
    await this.lastUsedWrites.flush();
    return this.keys.find({ where: { userId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  /**
   * Creates a key. The count and the insert run under a lock on the user's row, so concurrent requests cannot
   * take a user past the limit.
   */
  async create(auth: AuthContext, input: NewApiKey): Promise<CreatedApiKey> {
    const { rules, errors } = normalizeAllowedIps(input.allowedIps ?? []);
    if (errors.length > 0) throw new DomainError('VALIDATION_FAILED', undefined, { fields: errors });
    const { identifier, secret, token } = generateApiKey();
    const key = await this.keys.manager.transaction(async (manager) => {
      // NO KEY UPDATE: serialises key creation per user without blocking inserts that only reference the user.
      await manager.query(`SELECT 1 FROM users WHERE id = $1 FOR NO KEY UPDATE`, [auth.user.id]);
      const repository = manager.getRepository(ApiKey);
      if ((await repository.countBy({ userId: auth.user.id })) >= API_KEYS_PER_USER) {
        throw new DomainError('LIMIT_REACHED', API_KEY_LIMIT_MESSAGE);
      }
      const created = await repository.save(
        repository.create({
          userId: auth.user.id,
          identifier,
          secretHash: hashApiKeySecret(secret),
          description: input.description,
          allowedIps: rules,
          lastUsedAt: null,
        }),
      );
      await this.activity.record({ event: 'user:api-key.create', userId: auth.user.id, auth, properties: { identifier } }, manager);
      return created;
    });
    return { key, token };
  }

  /** Deletes one of the caller's keys; an unknown or foreign identifier is NOT_FOUND. */
  async delete(auth: AuthContext, identifier: string): Promise<void> {
    if (!isApiKeyIdentifier(identifier)) throw new DomainError('NOT_FOUND');
    const result = await this.keys.delete({ identifier, userId: auth.user.id });
    if (!result.affected) throw new DomainError('NOT_FOUND');
    await this.activity.record({ event: 'user:api-key.delete', userId: auth.user.id, auth, properties: { identifier } });
  }

  /** Deletes every key of a user (a ban); returns how many. Unbanning does not bring them back. */
  async deleteAllForUser(userId: number, manager?: EntityManager): Promise<number> {
    const result = await (manager ?? this.keys.manager).delete(ApiKey, { userId });
    return result.affected ?? 0;
  }

  /**
   * Resolves a bearer API key to the caller in one database round trip (key, owner and role joined); its
   * `last_used_at` is written at most once a minute, in a batch. Nothing is cached: a deleted key or a banned owner
   * is refused on the very next request.
   */
  async authenticate(credential: string, client: ClientInfo): Promise<AuthContext> {
    const parts = parseApiKey(credential);
    if (!parts) throw new DomainError('UNAUTHENTICATED');
    const { query, keys, users, roles } = this.authenticationQuery();
    const [row] = await query.rows([parts.identifier]);
    if (!row) throw new DomainError('UNAUTHENTICATED');
    const key = keys.map(row);
    if (!secretMatches(parts.secret, key.secretHash)) throw new DomainError('UNAUTHENTICATED');
    const user = users.map(row);
    if (user.status === UserStatus.Banned) throw new DomainError('ACCOUNT_BANNED');
    user.role = roles.map(row);
    const auth: AuthContext = { user, client, session: null, apiKey: { id: key.id, identifier: key.identifier } };
    if (!isIpAllowed(client.ip, key.allowedIps)) {
      // Refused before any per-user limit applies: a flood from a blocked address writes one row a minute, not one each.
      if ((await this.rateLimiter.take(IP_BLOCKED_RECORDS, String(key.id))).allowed) {
        await this.activity.record({ event: 'auth:ip-blocked', userId: key.userId, auth, properties: { identifier: key.identifier } });
      }
      throw new DomainError('IP_NOT_ALLOWED', IP_NOT_ALLOWED_MESSAGE);
    }
    if (!key.lastUsedAt || Date.now() - key.lastUsedAt.getTime() > LAST_USED_WRITE_INTERVAL_MS) this.lastUsedWrites.add(key.id);
    return auth;
  }

  /**
   * The statements behind authenticate(), built on first use: prepared on the pool's connections rather than built
   * by the query builder per request, with key, owner and role read back as TypeORM would hydrate them.
   */
  private authenticationQuery(): AuthenticationQuery {
    if (!this.authentication) {
      const dataSource = this.keys.manager.connection;
      const keys = new EntityRowMapper(dataSource, ApiKey, 'k', ['secretHash']);
      const users = new EntityRowMapper(dataSource, User, 'u');
      const roles = new EntityRowMapper(dataSource, Role, 'r');
      const query = new PreparedQuery(
        dataSource,
        'tessera_api_key_authenticate',
        `SELECT ${keys.selectList}, ${users.selectList}, ${roles.selectList}
           FROM "api_keys" "k" JOIN "users" "u" ON "u"."id" = "k"."user_id" JOIN "roles" "r" ON "r"."id" = "u"."role_id"
          WHERE "k"."identifier" = $1`,
      );
      const touch = new PreparedQuery(
        dataSource,
        'tessera_api_key_touch',
        `UPDATE "api_keys" SET "last_used_at" = now() WHERE "id" = ANY($1::int[]) AND ("last_used_at" IS NULL OR "last_used_at" < now() - interval '60 seconds')`,
      );
      this.authentication = { query, touch, keys, users, roles };
    }
    return this.authentication;
  }

  /** Writes the pending `last_used_at` batch now (tests; shutdown). */
  flushLastUsed(): Promise<void> {
    return this.lastUsedWrites.flush();
  }

  /** On shutdown, before the pool closes: write what is pending. */
  beforeApplicationShutdown(): Promise<void> {
    return this.lastUsedWrites.flush();
  }
}
