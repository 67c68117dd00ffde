import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { createHash } from 'node:crypto';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { AppConfig } from '../config/app-config.js';
import { InjectConfig } from '../config/config.module.js';
import { DomainError } from '../errors/domain-error.js';
import { PLATFORM_ERRORS } from '../errors/errors.js';

export interface RateLimitRule {
  /** Namespace of the counter (`login-ip`, `login-account`, …). */
  name: string;
  points: number;
  durationSeconds: number;
}

const STORE_RETRY_AFTER_SECONDS = 5;
const REDIS_READY_WAIT_MS = 3_000;

/** One counter: a rule and the key it counts for (an IP, an account, …). */
export interface RateLimitCounter {
  rule: RateLimitRule;
  key: string;
}

export interface TakenPoints {
  /** False when the counter is past its rule (the points were added all the same). */
  allowed: boolean;
  /** Points in the counter after this step. */
  consumed: number;
  /** Until the counter's window (or block) ends. */
  msBeforeNext: number;
}

/**
 * Counters are keyed by user ids, which mean something only within one database: deployments (and test databases)
 * sharing a Redis each count under their own database's name. Instances of one deployment share it, and the count.
 */
function databaseNamespace(databaseUrl: string | undefined): string {
  if (!databaseUrl) return 'embedded';
  const url = new URL(databaseUrl);
  return createHash('sha256').update(`${url.hostname}:${url.port}${url.pathname}`).digest('hex').slice(0, 12);
}

/** TOO_MANY_ATTEMPTS whose Retry-After is the longest wait of the exceeded counters. */
export function tooManyAttempts(exceeded: readonly Pick<TakenPoints, 'msBeforeNext'>[]): DomainError {
  const ms = Math.max(0, ...exceeded.map((result) => result.msBeforeNext));
  return new DomainError(PLATFORM_ERRORS.TOO_MANY_ATTEMPTS, { retryAfter: Math.max(1, Math.ceil(ms / 1000)) });
}

/**
 * Fixed-window counters shared through Redis when REDIS_URL is set (so every instance counts the same attempts),
 * in process otherwise. Exceeding a rule throws TOO_MANY_ATTEMPTS with Retry-After.
 */
@Injectable()
export class RateLimiterService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(RateLimiterService.name);
  private redis?: Redis;
  private readonly limiters = new Map<string, RateLimiterAbstract>();
  private readonly keyPrefix: string;

  constructor(@InjectConfig() private readonly config: AppConfig) {
    this.keyPrefix = `tessera:rl:${databaseNamespace(config.databaseUrl)}`;
  }

  /** Nest awaits this before the app listens, so the client exists before the first consume(). */
  async onModuleInit(): Promise<void> {
    if (!this.config.redisUrl) return;
    // Imported only when REDIS_URL is set: ioredis adds resident memory an in-process limiter never needs.
    const { Redis } = await import('ioredis');
    this.redis = new Redis(this.config.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false });
    // Connection errors surface on consume(); without a listener ioredis would log them as unhandled.
    this.redis.on('error', () => undefined);
    // Without the offline queue, a command sent before the connection is ready fails (503): the first requests
    // after start-up would. Wait for it a moment; a Redis that is down does not hold the start-up longer.
    const redis = this.redis;
    await new Promise<void>((resolve) => {
      const ready = (): void => {
        clearTimeout(timer);
        redis.off('ready', ready);
        resolve();
      };
      const timer = setTimeout(ready, REDIS_READY_WAIT_MS);
      redis.once('ready', ready);
    });
  }

  /** Counts one attempt for `key` under `rule`; throws when the rule is exceeded. */
  async consume(rule: RateLimitRule, key: string, points = 1): Promise<void> {
    await this.consumeAll([{ rule, key }], points);
  }

  /**
   * Counts one attempt under every rule, or none: when any rule is exceeded, the points just taken are given back
   * (a refused request changes no counter) and TOO_MANY_ATTEMPTS carries the longest wait.
   */
  async consumeAll(counters: readonly RateLimitCounter[], points = 1): Promise<void> {
    const taken = await Promise.all(counters.map(({ rule, key }) => this.take(rule, key, points)));
    if (taken.every((result) => result.allowed)) return;
    await Promise.all(counters.map(({ rule, key }) => this.refund(rule, key, points)));
    throw tooManyAttempts(taken.filter((result) => !result.allowed));
  }

  /**
   * Adds `points` to the counter in one atomic step (a Lua script on Redis) and says whether it is still within
   * the rule. Unlike consume() it never throws for an exceeded rule: the caller decides.
   */
  async take(rule: RateLimitRule, key: string, points = 1): Promise<TakenPoints> {
    try {
      const res = await this.store(() => this.limiter(rule).consume(key, points));
      return { allowed: true, consumed: res.consumedPoints, msBeforeNext: res.msBeforeNext };
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) return { allowed: false, consumed: rejection.consumedPoints, msBeforeNext: rejection.msBeforeNext };
      throw rejection;
    }
  }

  /** Gives back points taken for a request that turned out not to count (the counter keeps its expiry). */
  async refund(rule: RateLimitRule, key: string, points = 1): Promise<void> {
    await this.store(() => this.limiter(rule).reward(key, points));
  }

  /**
   * Marks the counter exceeded for `seconds`, overwriting what it held: for a flag (a lock-out), never for a counter
   * that requests are adding to and refunding at the same time.
   */
  async block(rule: RateLimitRule, key: string, seconds: number): Promise<void> {
    await this.store(() => this.limiter(rule).block(key, seconds));
  }

  /**
   * Sets the counter to `points` for the rule's window, overwriting what it held: for a marker (a value read back
   * with pointsOf()), never for a counter that requests are adding to.
   */
  async set(rule: RateLimitRule, key: string, points: number): Promise<void> {
    await this.store(() => this.limiter(rule).set(key, points, rule.durationSeconds));
  }

  /** Milliseconds until the counter is within its rule again; 0 when it is now. A read: for flags set by block(). */
  async blockedFor(rule: RateLimitRule, key: string): Promise<number> {
    const res = await this.store(() => this.limiter(rule).get(key));
    return res && res.consumedPoints > rule.points ? Math.max(1, res.msBeforeNext) : 0;
  }

  /**
   * Milliseconds until the counter has room for another point; 0 when it has now. A read, for a budget that is
   * checked before costly work and counted only once the work succeeded.
   */
  async spentFor(rule: RateLimitRule, key: string): Promise<number> {
    const res = await this.store(() => this.limiter(rule).get(key));
    return res && res.consumedPoints >= rule.points ? Math.max(1, res.msBeforeNext) : 0;
  }

  /** The points the counter holds now; 0 when it holds none (or its window ended). */
  async pointsOf(rule: RateLimitRule, key: string): Promise<number> {
    const res = await this.store(() => this.limiter(rule).get(key));
    return res?.consumedPoints ?? 0;
  }

  /** Forgets the attempts of `key` (after a successful login, say). */
  async reset(rule: RateLimitRule, key: string): Promise<void> {
    await this.store(() => this.limiter(rule).delete(key));
  }

  /**
   * Redis unreachable: 503 with Retry-After, as for the database. Failing open would lift every limit during an
   * outage an attacker might cause; a rejection (RateLimiterRes) passes through for the caller to read.
   */
  private async store<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      if (error instanceof RateLimiterRes) throw error;
      this.logger.error({ err: error }, 'the rate-limit store (Redis) did not answer');
      throw new DomainError(PLATFORM_ERRORS.SERVICE_UNAVAILABLE, { retryAfter: STORE_RETRY_AFTER_SECONDS, cause: error });
    }
  }

  private limiter(rule: RateLimitRule): RateLimiterAbstract {
    const id = `${rule.name}:${rule.points}:${rule.durationSeconds}`;
    let limiter = this.limiters.get(id);
    if (!limiter) {
      const options = { keyPrefix: `${this.keyPrefix}:${rule.name}`, points: rule.points, duration: rule.durationSeconds };
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
