import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { createHash } from 'node:crypto';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { AppConfig } from '../config/app-config.js';
import { InjectConfig } from '../config/config.module.js';
import { DomainError } from '../errors/domain-error.js';
import { PLATFORM_ERRORS } from '../errors/errors.js';
import { RedisLink, type SharedStoreStatus } from './redis-link.js';

export interface RateLimitRule {
  /** Namespace of the counter (`login-ip`, `login-account`, …). */
  name: string;
  points: number;
  durationSeconds: number;
}

const REDIS_READY_WAIT_MS = 3_000;
/**
 * A counter step is one small Lua script: a Redis that has not answered it within a second hangs or is overloaded, and
 * the request goes on with the instance's counters rather than waiting for it.
 */
const REDIS_COMMAND_TIMEOUT_MS = 1_000;
const REDIS_PROBE_INTERVAL_MS = 1_000;

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

/** A rule's counters: in Redis when REDIS_URL is set, and this instance's own, used while Redis does not answer. */
interface RuleStores {
  shared?: RateLimiterRedis;
  local: RateLimiterMemory;
}

/**
 * Fixed-window counters shared through Redis when REDIS_URL is set (so every instance counts the same attempts),
 * in process otherwise. Exceeding a rule throws TOO_MANY_ATTEMPTS with Retry-After.
 *
 * Redis away never fails a request and never lifts a limit: each rule falls back to counters in this instance
 * (rate-limiter-flexible's insurance pattern, done here so the move is seen: it is logged once and readiness reports
 * it), and moves back as soon as Redis takes writes again. Lock-out flags and markers (block(), set()) are kept in
 * process too while Redis is up, so the instance still enforces the lock-outs it set or read once Redis is gone; the
 * ones it set while Redis was away are written to Redis before the counters are shared again, so no lock-out ends
 * with the outage.
 */
@Injectable()
export class RateLimiterService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(RateLimiterService.name);
  private redis?: Redis;
  private link?: RedisLink;
  private readonly stores = new Map<string, RuleStores>();
  /** Flags and markers written while Redis was away, by rule and key: handed over when it answers again. */
  private readonly keptAlone = new Map<string, RateLimitCounter>();
  private readonly keyPrefix: string;

  constructor(@InjectConfig() private readonly config: AppConfig) {
    this.keyPrefix = `tessera:rl:${databaseNamespace(config.databaseUrl)}`;
  }

  /** Nest awaits this before the app listens, so the client exists before the first consume(). */
  async onModuleInit(): Promise<void> {
    if (!this.config.redisUrl) return;
    // Imported only when REDIS_URL is set: ioredis adds resident memory an in-process limiter never needs.
    const { Redis } = await import('ioredis');
    // No offline queue and no resent commands: while the connection is away a command fails at once (the instance's
    // counters answer), and a step that may have reached Redis is never counted there twice.
    const redis = new Redis(this.config.redisUrl, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
      lazyConnect: false,
    });
    this.redis = redis;
    this.link = new RedisLink(redis, {
      probe: () => redis.set(`${this.keyPrefix}:probe`, '1', 'PX', 10_000),
      handOver: () => this.handOver(),
      logger: this.logger,
      probeIntervalMs: REDIS_PROBE_INTERVAL_MS,
    });
    // Wait a moment for the connection, so the first requests after start-up count in Redis; a Redis that is down
    // does not hold the start-up longer (the instance counts alone until it answers).
    if (!(await this.link.waitUntilUp(REDIS_READY_WAIT_MS))) this.link.announceStartWithout();
  }

  /**
   * Whether the counters are shared through Redis (`down`: each instance counts alone), after trying Redis now: for
   * readiness, so a Redis that hangs is found without a request failing on it. Null without REDIS_URL.
   */
  async checkSharedStore(): Promise<SharedStoreStatus | null> {
    return this.link ? this.link.check() : null;
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
      const res = await this.counted(rule, (limiter) => limiter.consume(key, points));
      return { allowed: true, consumed: res.consumedPoints, msBeforeNext: res.msBeforeNext };
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) return { allowed: false, consumed: rejection.consumedPoints, msBeforeNext: rejection.msBeforeNext };
      throw rejection;
    }
  }

  /** Gives back points taken for a request that turned out not to count (the counter keeps its expiry). */
  async refund(rule: RateLimitRule, key: string, points = 1): Promise<void> {
    await this.counted(rule, (limiter) => limiter.reward(key, points));
  }

  /**
   * Marks the counter exceeded for `seconds`, overwriting what it held: for a flag (a lock-out), never for a counter
   * that requests are adding to and refunding at the same time.
   */
  async block(rule: RateLimitRule, key: string, seconds: number): Promise<void> {
    await this.keep(rule, key, (limiter) => limiter.block(key, seconds));
  }

  /**
   * Sets the counter to `points` for the rule's window, overwriting what it held: for a marker (a value read back
   * with pointsOf()), never for a counter that requests are adding to.
   */
  async set(rule: RateLimitRule, key: string, points: number): Promise<void> {
    await this.keep(rule, key, (limiter) => limiter.set(key, points, rule.durationSeconds));
  }

  /** Milliseconds until the counter is within its rule again; 0 when it is now. A read: for flags set by block(). */
  async blockedFor(rule: RateLimitRule, key: string): Promise<number> {
    const res = await this.readKept(rule, key);
    return res && res.consumedPoints > rule.points ? Math.max(1, res.msBeforeNext) : 0;
  }

  /**
   * Milliseconds until the counter has room for another point; 0 when it has now. A read, for a budget that is
   * checked before costly work and counted only once the work succeeded.
   */
  async spentFor(rule: RateLimitRule, key: string): Promise<number> {
    const res = await this.counted(rule, (limiter) => limiter.get(key));
    return res && res.consumedPoints >= rule.points ? Math.max(1, res.msBeforeNext) : 0;
  }

  /** The points the counter holds now; 0 when it holds none (or its window ended). A read: for markers set by set(). */
  async pointsOf(rule: RateLimitRule, key: string): Promise<number> {
    const res = await this.readKept(rule, key);
    return res?.consumedPoints ?? 0;
  }

  /** Forgets the attempts of `key` (after a successful login, say), in Redis and in this instance alike. */
  async reset(rule: RateLimitRule, key: string): Promise<void> {
    const { shared, local } = this.storesOf(rule);
    this.keptAlone.delete(this.keptId(rule, key));
    await local.delete(key);
    if (shared && this.link!.up) await this.onShared(() => shared.delete(key));
  }

  /**
   * A counter step: on Redis while it answers, else on this instance's counters. A failed step moves every rule to
   * the instance's counters and is taken there, so the request goes on; an exceeded rule (a RateLimiterRes) passes.
   */
  private async counted<T>(rule: RateLimitRule, step: (limiter: RateLimiterAbstract) => Promise<T>): Promise<T> {
    const { shared, local } = this.storesOf(rule);
    if (shared && this.link!.up) {
      const answer = await this.onShared(() => step(shared));
      if (answer.done) return answer.value;
    }
    return step(local);
  }

  /** A flag or marker write: in this instance always, in Redis while it answers (else handed over later). */
  private async keep(rule: RateLimitRule, key: string, write: (limiter: RateLimiterAbstract) => Promise<unknown>): Promise<void> {
    const { shared, local } = this.storesOf(rule);
    await write(local);
    if (!shared) return;
    if (this.link!.up && (await this.onShared(() => write(shared))).done) return;
    this.keptAlone.set(this.keptId(rule, key), { rule, key });
  }

  /** A flag or marker read: Redis's answer while it answers (copied into this instance), else this instance's. */
  private async readKept(rule: RateLimitRule, key: string): Promise<RateLimiterRes | null> {
    const { shared, local } = this.storesOf(rule);
    if (shared && this.link!.up) {
      const answer = await this.onShared(() => shared.get(key));
      if (answer.done) {
        await copyInto(local, key, answer.value);
        return answer.value;
      }
    }
    return local.get(key);
  }

  /** Runs a step on Redis; a failure other than an exceeded rule marks Redis down and is answered by `done: false`. */
  private async onShared<T>(step: () => Promise<T>): Promise<{ done: true; value: T } | { done: false }> {
    try {
      return { done: true, value: await step() };
    } catch (error) {
      if (error instanceof RateLimiterRes) throw error;
      this.link!.failed(error);
      return { done: false };
    }
  }

  /**
   * Before the counters are shared again: each flag or marker this instance wrote alone goes to Redis unless Redis
   * holds a stronger one (a higher value, or the same for longer). A failure leaves the rest for the next attempt.
   */
  private async handOver(): Promise<void> {
    for (const [id, { rule, key }] of this.keptAlone) {
      const { shared, local } = this.storesOf(rule);
      const mine = await local.get(key);
      if (mine && mine.msBeforeNext > 0) {
        const theirs = await shared!.get(key);
        const stronger =
          !theirs || theirs.consumedPoints < mine.consumedPoints || (theirs.consumedPoints === mine.consumedPoints && theirs.msBeforeNext < mine.msBeforeNext);
        if (stronger) await shared!.set(key, mine.consumedPoints, Math.ceil(mine.msBeforeNext / 1000));
      }
      this.keptAlone.delete(id);
    }
  }

  private keptId(rule: RateLimitRule, key: string): string {
    return `${this.ruleId(rule)}\0${key}`;
  }

  private ruleId(rule: RateLimitRule): string {
    return `${rule.name}:${rule.points}:${rule.durationSeconds}`;
  }

  private storesOf(rule: RateLimitRule): RuleStores {
    const id = this.ruleId(rule);
    let stores = this.stores.get(id);
    if (!stores) {
      const options = { keyPrefix: `${this.keyPrefix}:${rule.name}`, points: rule.points, duration: rule.durationSeconds };
      stores = {
        local: new RateLimiterMemory(options),
        ...(this.redis ? { shared: new RateLimiterRedis({ ...options, storeClient: this.redis, rejectIfRedisNotReady: true }) } : {}),
      };
      this.stores.set(id, stores);
    }
    return stores;
  }

  /** After the HTTP server drained (onModuleDestroy runs before it): requests still in flight keep counting. */
  onApplicationShutdown(): void {
    this.link?.close();
    this.redis?.disconnect();
  }
}

/** Makes this instance's copy of a flag or marker what Redis answered (nothing when Redis holds nothing). */
async function copyInto(local: RateLimiterMemory, key: string, res: RateLimiterRes | null): Promise<void> {
  if (!res || res.msBeforeNext <= 0) {
    await local.delete(key);
    return;
  }
  const mine = await local.get(key);
  // Already the same (within a second): no new timer for every read of a lock-out being hammered.
  if (mine && mine.consumedPoints === res.consumedPoints && Math.abs(mine.msBeforeNext - res.msBeforeNext) < 1000) return;
  await local.set(key, res.consumedPoints, Math.ceil(res.msBeforeNext / 1000));
}
