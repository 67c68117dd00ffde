import { Injectable } from '@nestjs/common';
import { RateLimiterService, tooManyAttempts, type RateLimitCounter, type RateLimitRule, type TakenPoints } from '../../platform/rate-limit/rate-limiter.service.js';
import type { AppConfig } from '../../platform/config/app-config.js';
import { InjectConfig } from '../../platform/config/config.module.js';
import { MailService } from '../../platform/mail/mail.service.js';
import { sha256Hex } from './sessions/session-tokens.js';
import type { User } from '../users/user.entity.js';
import { UsersService } from '../users/users.service.js';

/** What a failure attacks: an account (`accountKeyOf…`) from a client address. */
export interface LoginAttempt {
  accountKey: string;
  ip: string;
}

export interface LoginAttemptOwner {
  id: number;
  email: string;
  name: string;
}

export interface FailureOutcome {
  /** True when this failure (or an earlier one) put a counter of the attempt past its limit. */
  limited: boolean;
  /** Seconds until the longest lock-out this failure started ends. */
  retryAfter?: number;
}

type Scope = 'accountIp' | 'account' | 'ip';
const SCOPES: readonly Scope[] = ['accountIp', 'account', 'ip'];

/** Lock-outs of one key within a day make the next one longer: the window, then twice it, four times… */
const LOCKOUT_MEMORY_SECONDS = 86_400;
const MAX_LOCKOUT_SECONDS = 86_400;
/** The owner is mailed about the first lock-out of their account in an hour, not about each one. */
const LOCKOUT_MAIL_INTERVAL_SECONDS = 3_600;

/**
 * Login throttling that counts failures, keyed by what they attack (CONTRACT §10): per (account, IP), per account
 * across addresses and per IP across accounts. Successes never count, so an office behind one address is never
 * locked out by its own colleagues.
 *
 * Every step is an atomic counter operation (a Lua script on Redis when REDIS_URL is set, in process otherwise),
 * never a read followed by a write: assertAllowed() reserves the attempt in each counter before the password is
 * checked, so concurrent wrong guesses cannot get past the limit; recordSuccess() gives the reservation back.
 * Call them on the same attempt object: assertAllowed(), then exactly one of recordFailure(), recordSuccess() or
 * release() (a reservation never settled counts as a failure until its window ends).
 */
@Injectable()
export class LoginThrottleService {
  private readonly rules: Record<Scope, RateLimitRule>;
  /** Lock-out flags, apart from the counters: overwriting a counter would lose the increments of requests in flight. */
  private readonly locks: Record<Scope, RateLimitRule>;
  /** How many lock-outs each key had within a day, for the backoff. */
  private readonly lockouts: Record<Scope, RateLimitRule>;
  private readonly lockoutMail: RateLimitRule = { name: 'login-lockout-mail', points: 1, durationSeconds: LOCKOUT_MAIL_INTERVAL_SECONDS };
  /** The points assertAllowed() took for an attempt object, until it is settled. */
  private readonly reservations = new WeakMap<LoginAttempt, TakenPoints[]>();

  constructor(
    @InjectConfig() config: AppConfig,
    private readonly limiter: RateLimiterService,
    private readonly users: UsersService,
    private readonly mail: MailService,
  ) {
    const limits = config.rateLimits;
    this.rules = {
      accountIp: { name: 'login-failures-account-ip', points: limits.loginFailuresPerAccountIp, durationSeconds: 900 },
      account: { name: 'login-failures-account', points: limits.loginFailuresPerAccount, durationSeconds: 3600 },
      ip: { name: 'login-failures-ip', points: limits.loginFailuresPerIp, durationSeconds: 3600 },
    };
    const perScope = (rule: (scope: Scope) => RateLimitRule): Record<Scope, RateLimitRule> => ({ accountIp: rule('accountIp'), account: rule('account'), ip: rule('ip') });
    this.locks = perScope((scope) => ({ name: `login-lock-${scope}`, points: 1, durationSeconds: MAX_LOCKOUT_SECONDS }));
    this.lockouts = perScope((scope) => ({ name: `login-lockouts-${scope}`, points: 1_000_000, durationSeconds: LOCKOUT_MEMORY_SECONDS }));
  }

  /** The account key of a known user. */
  accountKeyOfUser(userId: number): string {
    return `user:${userId}`;
  }

  /**
   * Resolves a username or email as login does (the database's lower(), as its unique indexes compare), so every
   * spelling of one account shares its counters. An unknown identifier is keyed by its folded form, hashed (no
   * address sits in Redis in the clear). Both paths run the same one statement: no timing tells them apart.
   */
  async resolveAccountKey(identifier: string): Promise<{ accountKey: string; user: User | null }> {
    const { user, folded } = await this.users.lookUpLogin(identifier);
    return { accountKey: user ? this.accountKeyOfUser(user.id) : `name:${sha256Hex(folded)}`, user };
  }

  /** 429 TOO_MANY_ATTEMPTS (with Retry-After) while any counter of the attempt is limited; otherwise reserves it. */
  async assertAllowed(attempt: LoginAttempt): Promise<void> {
    const counters = this.countersOf(attempt);
    const locked = await Promise.all(SCOPES.map((scope, index) => this.limiter.blockedFor(this.locks[scope], counters[index]!.key)));
    if (locked.some((ms) => ms > 0)) throw tooManyAttempts(locked.map((ms) => ({ msBeforeNext: ms })));
    // A lock set between that read and these steps is no gap: the failure that set it had filled its counter.
    const taken = await Promise.all(counters.map(({ rule, key }) => this.limiter.take(rule, key)));
    if (taken.every((result) => result.allowed)) {
      this.reservations.set(attempt, taken);
      return;
    }
    // A refused attempt is not a failure: every counter goes back to what it was.
    await this.refundAll(counters);
    throw tooManyAttempts(taken.filter((result) => !result.allowed));
  }

  /**
   * Counts one failure (the reservation, when assertAllowed() made one). The failure that fills a counter locks
   * its key out for the counter's window, doubled for each earlier lock-out of that key within a day; the first
   * lock-out of the account in an hour mails its owner.
   */
  async recordFailure(attempt: LoginAttempt, owner?: LoginAttemptOwner): Promise<FailureOutcome> {
    const counters = this.countersOf(attempt);
    const taken = this.settle(attempt) ?? (await Promise.all(counters.map(({ rule, key }) => this.limiter.take(rule, key))));
    const lockedFor: Partial<Record<Scope, number>> = {};
    await Promise.all(
      SCOPES.map(async (scope, index) => {
        if (taken[index]!.consumed === this.rules[scope].points) lockedFor[scope] = await this.lockOut(scope, counters[index]!.key);
      }),
    );
    const seconds = Object.values(lockedFor);
    const accountLocked = lockedFor.accountIp !== undefined || lockedFor.account !== undefined;
    if (owner && accountLocked) await this.mailOwner(attempt, owner, Math.max(...seconds));
    const limited = seconds.length > 0 || taken.some((result, index) => result.consumed > this.rules[SCOPES[index]!].points);
    return seconds.length > 0 ? { limited, retryAfter: Math.max(...seconds) } : { limited };
  }

  /** A success resets the (account, IP) counter and its lock-out history; it never counts against the others. */
  async recordSuccess(attempt: LoginAttempt): Promise<void> {
    const reserved = this.settle(attempt);
    const [accountIp, account, ip] = this.countersOf(attempt);
    await Promise.all([
      this.limiter.reset(accountIp!.rule, accountIp!.key),
      this.limiter.reset(this.locks.accountIp, accountIp!.key),
      this.limiter.reset(this.lockouts.accountIp, accountIp!.key),
      ...(reserved ? [this.limiter.refund(account!.rule, account!.key), this.limiter.refund(ip!.rule, ip!.key)] : []),
    ]);
  }

  /** Gives a reservation back when the attempt was never judged (the password could not be checked: a 503). */
  async release(attempt: LoginAttempt): Promise<void> {
    if (this.settle(attempt)) await this.refundAll(this.countersOf(attempt));
  }

  private countersOf(attempt: LoginAttempt): RateLimitCounter[] {
    const keys: Record<Scope, string> = { accountIp: `${attempt.accountKey}|${attempt.ip}`, account: attempt.accountKey, ip: attempt.ip };
    return SCOPES.map((scope) => ({ rule: this.rules[scope], key: keys[scope] }));
  }

  private settle(attempt: LoginAttempt): TakenPoints[] | undefined {
    const reserved = this.reservations.get(attempt);
    this.reservations.delete(attempt);
    return reserved;
  }

  private async refundAll(counters: RateLimitCounter[]): Promise<void> {
    await Promise.all(counters.map(({ rule, key }) => this.limiter.refund(rule, key)));
  }

  /** Blocks the key for its window × 2^(earlier lock-outs today), at most a day; returns the seconds. */
  private async lockOut(scope: Scope, key: string): Promise<number> {
    const { consumed } = await this.limiter.take(this.lockouts[scope], key);
    const seconds = Math.min(this.rules[scope].durationSeconds * 2 ** Math.min(consumed - 1, 16), MAX_LOCKOUT_SECONDS);
    await this.limiter.block(this.locks[scope], key, seconds);
    return seconds;
  }

  private async mailOwner(attempt: LoginAttempt, owner: LoginAttemptOwner, seconds: number): Promise<void> {
    const first = await this.limiter.take(this.lockoutMail, this.accountKeyOfUser(owner.id));
    if (!first.allowed) return;
    this.mail.sendLoginLockoutNotice(owner.email, { name: owner.name, ip: attempt.ip, minutes: Math.ceil(seconds / 60) });
  }
}
