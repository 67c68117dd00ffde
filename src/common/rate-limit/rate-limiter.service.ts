import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { AppConfig } from '../../config/app-config.js';
import { InjectConfig } from '../../config/config.module.js';
import { DomainError } from '../errors/domain-error.js';

export interface RateLimitRule {
  /** Namespace of the counter (`login-ip`, `login-account`, …). */
  name: string;
  points: number;
  durationSeconds: number;
}

/**
 * Fixed-window counters shared through Redis when REDIS_URL is set (so every instance counts the same attempts),
 * in process otherwise. Exceeding a rule throws TOO_MANY_ATTEMPTS with Retry-After.
 */
@Injectable()
export class RateLimiterService implements OnModuleInit, OnApplicationShutdown {
  private redis?: Redis;
  private readonly limiters = new Map<string, RateLimiterAbstract>();

  constructor(@InjectConfig() private readonly config: AppConfig) {}

  /** Nest awaits this before the app listens, so the client exists before the first consume(). */
  async onModuleInit(): Promise<void> {
    if (!this.config.redisUrl) return;
    // Imported only when REDIS_URL is set: ioredis adds resident memory an in-process limiter never needs.
    const { Redis } = await import('ioredis');
    this.redis = new Redis(this.config.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false });
    // Connection errors surface on consume(); without a listener ioredis would log them as unhandled.
    this.redis.on('error', () => undefined);
  }

  /** Counts one attempt for `key` under `rule`; throws when the rule is exceeded. */
  async consume(rule: RateLimitRule, key: string, points = 1): Promise<void> {
    try {
      await this.limiter(rule).consume(key, points);
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) {
        throw new DomainError('TOO_MANY_ATTEMPTS', undefined, { retryAfter: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)) });
      }
      throw rejection;
    }
  }

  /** Forgets the attempts of `key` (after a successful login, say). */
  async reset(rule: RateLimitRule, key: string): Promise<void> {
    await this.limiter(rule).delete(key);
  }

  private limiter(rule: RateLimitRule): RateLimiterAbstract {
    const id = `${rule.name}:${rule.points}:${rule.durationSeconds}`;
    let limiter = this.limiters.get(id);
    if (!limiter) {
      const options = { keyPrefix: `tessera:rl:${rule.name}`, points: rule.points, duration: rule.durationSeconds };
      limiter = this.redis ? new RateLimiterRedis({ ...options, storeClient: this.redis }) : new RateLimiterMemory(options);
      this.limiters.set(id, limiter);
    }
    return limiter;
  }

  /** After the HTTP server drained (onModuleDestroy runs before it): requests still in flight keep counting. */
  onApplicationShutdown(): void {
    this.redis?.disconnect();
  }
}
