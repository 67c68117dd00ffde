import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { ActivityService } from '../activity/activity.service.js';
import type { AuthContext, ClientInfo } from '../common/auth/auth-context.js';
import { DomainError } from '../common/errors/domain-error.js';
import { UserStatus } from '../users/entities/user.entity.js';
import { isIpAllowed, normalizeAllowedIps } from './allowed-ips.js';
import { generateApiKey, hashApiKeySecret, isApiKeyIdentifier, parseApiKey, secretMatches } from './api-key-tokens.js';
import { ApiKey } from './entities/api-key.entity.js';

/** Keys one user may hold (CONTRACT §6). */
export const API_KEYS_PER_USER = 25;
export const API_KEY_LIMIT_MESSAGE = 'You have reached the account limit for number of API keys.';
export const IP_NOT_ALLOWED_MESSAGE = 'This API key may not be used from your IP address.';
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

@Injectable()
export class ApiKeysService {
  private readonly logger = new Logger(ApiKeysService.name);

  constructor(
    @InjectRepository(ApiKey) private readonly keys: Repository<ApiKey>,
    private readonly activity: ActivityService,
  ) {}

  /** The user's keys, oldest first. */
  list(userId: number): Promise<ApiKey[]> {
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

  /**
   * Resolves a bearer API key to the caller in one database round trip (key, owner and role joined), plus a
   * conditional `last_used_at` write at most once a minute. Nothing is cached: a deleted key or a banned owner
   * is refused on the very next request.
   */
  async authenticate(credential: string, client: ClientInfo): Promise<AuthContext> {
    const parts = parseApiKey(credential);
    if (!parts) throw new DomainError('UNAUTHENTICATED');
    const key = await this.keys
      .createQueryBuilder('k')
      .addSelect('k.secretHash')
      .innerJoinAndSelect('k.user', 'u')
      .innerJoinAndSelect('u.role', 'r')
      .where('k.identifier = :identifier', { identifier: parts.identifier })
      .getOne();
    if (!key?.user || !secretMatches(parts.secret, key.secretHash)) throw new DomainError('UNAUTHENTICATED');
    if (key.user.status === UserStatus.Banned) throw new DomainError('ACCOUNT_BANNED');
    const auth: AuthContext = { user: key.user, client, session: null, apiKey: { id: key.id, identifier: key.identifier } };
    if (!isIpAllowed(client.ip, key.allowedIps)) {
      await this.activity.record({ event: 'auth:ip-blocked', userId: key.userId, auth, properties: { identifier: key.identifier } });
      throw new DomainError('IP_NOT_ALLOWED', IP_NOT_ALLOWED_MESSAGE);
    }
    if (!key.lastUsedAt || Date.now() - key.lastUsedAt.getTime() > LAST_USED_WRITE_INTERVAL_MS) await this.touch(key.id);
    return auth;
  }

  /**
   * Conditional, so concurrent requests and other instances write at most once a minute. Awaited (it happens at
   * most once a minute) so that a listing right after a request shows the use; a failure only logs.
   */
  private async touch(keyId: number): Promise<void> {
    await this.keys
      .createQueryBuilder()
      .update(ApiKey)
      .set({ lastUsedAt: () => 'now()' })
      .where(`id = :keyId AND (last_used_at IS NULL OR last_used_at < now() - interval '60 seconds')`, { keyId })
      .execute()
      .catch((error: unknown) => this.logger.warn({ err: error }, 'could not record API key use'));
  }
}
