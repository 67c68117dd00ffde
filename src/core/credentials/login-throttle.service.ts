import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { RateLimiterService, tooManyAttempts, type RateLimitCounter, type RateLimitRule, type TakenPoints } from '../../platform/rate-limit/rate-limiter.service.js';
import { addressKey } from '../../platform/rate-limit/client-address.js';
import type { AppConfig } from '../../platform/config/app-config.js';
import { InjectConfig } from '../../platform/config/config.module.js';
import { MailService } from '../../platform/mail/mail.service.js';
import { DeviceTokensService } from './devices/device-tokens.service.js';
import { sha256Hex } from './sessions/session-tokens.js';
import type { User } from '../users/user.entity.js';
import { UsersService } from '../users/users.service.js';

/** What a failure attacks: an account (`accountKey…`) from a client address. */
export interface LoginAttempt {
  accountKey: string;
  ip: string;
  /**
   * The caller's own standing with the account, when it has one: a device token of the account (`device:<id>`), or
   * the session that gives a proof (`session:<id>`). Such an attempt is judged on its own failures alone, so no
   * lock-out that others' failures set stops it; its failures still count in every other counter.
   */
  own?: string;
  /** A sign-in (password or passkey): also within the budgets of successful sign-ins. */
  signIn?: boolean;
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

/** The failure counters: one account from its own device or session, from one address, from all; one address. */
type Scope = 'own' | 'accountIp' | 'account' | 'ip';
const SCOPES: readonly Scope[] = ['own', 'accountIp', 'account', 'ip'];
/** An attempt without standing is judged on these, and counts in them. */
const ANONYMOUS_SCOPES: readonly Scope[] = ['accountIp', 'account', 'ip'];
/** The lock-outs that mail the account's owner. */
const ACCOUNT_SCOPES: readonly Scope[] = ['own', 'accountIp', 'account'];

/** What assertAllowed() resolved and took for an attempt, until it is settled. */
interface Reservation {
  keys: Partial<Record<Scope, string>>;
  taken: Map<Scope, TakenPoints>;
}

/** Lock-outs of one key within a day make the next one longer: the window, then twice it, four times… */
const LOCKOUT_MEMORY_SECONDS = 86_400;
const MAX_LOCKOUT_SECONDS = 86_400;
/** The owner is mailed about the first lock-out of their account in an hour, not about each one. */
const LOCKOUT_MAIL_INTERVAL_SECONDS = 3_600;
/**
 * How long an account's clearing is remembered: longer than any key it shields lives (a day), so once it is
 * forgotten, the keys written before the first clearing are gone too. Its value is the time of the clearing, never
 * one used before.
 */
const CLEARING_MEMORY_SECONDS = 2 * 86_400;

/**
 * Login throttling. Failures are counted, keyed by what they attack: per (account, IP), per account across addresses
 * and per IP across accounts, and per (account, own device or session) for an attempt that has such standing. Such an
 * attempt is judged on its own counter only, so failures others send never lock the owner's device or session out.
 * Successful sign-ins are counted in budgets of their own (per IP, per account) that bound the work they cost; they
 * never count as failures, so an office behind one address is not locked out by its own colleagues. IPv6 clients are
 * counted per /64.
 *
 * Every step is an atomic counter operation (a Lua script on Redis when REDIS_URL is set, in process otherwise),
 * never a read followed by a write: assertAllowed() reserves the attempt in each counter it is judged on before the
 * password is checked, so concurrent wrong guesses cannot get past the limit; recordSuccess() gives the reservation
 * back. Call them on the same attempt object: assertAllowed(), then exactly one of recordFailure(), recordSuccess()
 * or release() (a reservation never settled counts as a failure until its window ends).
 */
@Injectable()
export class LoginThrottleService {
  private readonly rules: Record<Scope, RateLimitRule>;
  /** Lock-out flags, apart from the counters: overwriting a counter would lose the increments of requests in flight. */
  private readonly locks: Record<Scope, RateLimitRule>;
  /** How many lock-outs each key had within a day, for the backoff. */
  private readonly lockouts: Record<Scope, RateLimitRule>;
  private readonly lockoutMail: RateLimitRule = { name: 'login-lockout-mail', points: 1, durationSeconds: LOCKOUT_MAIL_INTERVAL_SECONDS };
  /** Successful sign-ins, checked before the password is and counted once it was right. */
  private readonly signInsPerIp: RateLimitRule;
  private readonly signInsPerAccount: RateLimitRule;
  /** When the account's locks were last cleared (a password reset): part of every key of the account's counters. */
  private readonly clearings: RateLimitRule = { name: 'login-clearing', points: 1, durationSeconds: CLEARING_MEMORY_SECONDS };
  private readonly reservations = new WeakMap<LoginAttempt, Reservation>();

  constructor(
    @InjectConfig() config: AppConfig,
    private readonly limiter: RateLimiterService,
    private readonly users: UsersService,
    private readonly mail: MailService,
    private readonly devices: DeviceTokensService,
    private readonly dataSource: DataSource,
  ) {
    const limits = config.rateLimits;
    this.rules = {
      // A device or session has the failures an address has.
      own: { name: 'login-failures-account-own', points: limits.loginFailuresPerAccountIp, durationSeconds: 900 },
      accountIp: { name: 'login-failures-account-ip', points: limits.loginFailuresPerAccountIp, durationSeconds: 900 },
      account: { name: 'login-failures-account', points: limits.loginFailuresPerAccount, durationSeconds: 3600 },
      ip: { name: 'login-failures-ip', points: limits.loginFailuresPerIp, durationSeconds: 3600 },
    };
    const perScope = (rule: (scope: Scope) => RateLimitRule): Record<Scope, RateLimitRule> =>
      Object.fromEntries(SCOPES.map((scope) => [scope, rule(scope)])) as Record<Scope, RateLimitRule>;
    this.locks = perScope((scope) => ({ name: `login-lock-${scope}`, points: 1, durationSeconds: MAX_LOCKOUT_SECONDS }));
    this.lockouts = perScope((scope) => ({ name: `login-lockouts-${scope}`, points: 1_000_000, durationSeconds: LOCKOUT_MEMORY_SECONDS }));
    this.signInsPerIp = { name: 'sign-ins-ip', points: limits.loginPerIp, durationSeconds: 600 };
    this.signInsPerAccount = { name: 'sign-ins-account', points: limits.loginPerAccount, durationSeconds: 3600 };
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

  /**
   * The attempt of a sign-in step on `accountKey` (of the user `userId`, null when it names no account). A live
   * device token of that account gives the attempt the device's own standing. `signIn`: the step that proves the
   * first factor (password or passkey), counted in the sign-in budgets; a login's second step is not counted again.
   */
  async signInAttempt(accountKey: string, userId: number | null, ip: string, deviceToken: string | undefined, signIn: boolean): Promise<LoginAttempt> {
    const device = await this.devices.recognise(userId, deviceToken);
    return { accountKey, ip, signIn, ...(device === null ? {} : { own: `device:${device}` }) };
  }

  /**
   * 429 TOO_MANY_ATTEMPTS (with Retry-After) while a counter the attempt is judged on is locked, or a sign-in budget
   * is spent; otherwise reserves the attempt.
   */
  async assertAllowed(attempt: LoginAttempt): Promise<void> {
    const keys = await this.keysOf(attempt);
    const judged = this.judgedScopes(attempt);
    const locked = await Promise.all(judged.map((scope) => this.limiter.blockedFor(this.locks[scope], keys[scope]!)));
    if (locked.some((ms) => ms > 0)) throw tooManyAttempts(locked.map((ms) => ({ msBeforeNext: ms })));
    if (attempt.signIn) {
      // Checked before the password, so a loop of right passwords costs no argon2 work once the budget is spent.
      const spent = await Promise.all(this.signInCounters(attempt).map(({ rule, key }) => this.limiter.spentFor(rule, key)));
      if (spent.some((ms) => ms > 0)) throw tooManyAttempts(spent.map((ms) => ({ msBeforeNext: ms })));
    }
    // A lock set between that read and these steps is no gap: the failure that set it had filled its counter.
    const taken = await Promise.all(judged.map((scope) => this.limiter.take(this.rules[scope], keys[scope]!)));
    if (taken.every((result) => result.allowed)) {
      this.reservations.set(attempt, { keys, taken: new Map(judged.map((scope, index) => [scope, taken[index]!])) });
      return;
    }
    // A refused attempt is not a failure: every counter goes back to what it was.
    await Promise.all(judged.map((scope) => this.limiter.refund(this.rules[scope], keys[scope]!)));
    throw tooManyAttempts(taken.filter((result) => !result.allowed));
  }

  /**
   * Counts one failure in every counter of the attempt (the reservation, where assertAllowed() made one). The
   * failure that fills a counter locks its key out for the counter's window, doubled for each earlier lock-out of
   * that key within a day; the first lock-out of the account in an hour mails its owner.
   */
  async recordFailure(attempt: LoginAttempt, owner?: LoginAttemptOwner): Promise<FailureOutcome> {
    const { keys, taken: reserved } = this.settle(attempt) ?? { keys: await this.keysOf(attempt), taken: new Map<Scope, TakenPoints>() };
    const scopes = this.countedScopes(attempt);
    const taken = await Promise.all(scopes.map((scope) => reserved.get(scope) ?? this.limiter.take(this.rules[scope], keys[scope]!)));
    const lockedFor: Partial<Record<Scope, number>> = {};
    await Promise.all(
      scopes.map(async (scope, index) => {
        if (taken[index]!.consumed === this.rules[scope].points) lockedFor[scope] = await this.lockOut(scope, keys[scope]!);
      }),
    );
    const seconds = Object.values(lockedFor);
    const accountLocked = ACCOUNT_SCOPES.some((scope) => lockedFor[scope] !== undefined);
    if (owner && accountLocked) await this.mailOwner(attempt, owner, Math.max(...seconds));
    const limited = seconds.length > 0 || taken.some((result, index) => result.consumed > this.rules[scopes[index]!].points);
    return seconds.length > 0 ? { limited, retryAfter: Math.max(...seconds) } : { limited };
  }

  /**
   * A success resets the (account, IP) counter, and the device's or session's own, with their lock-out histories;
   * it never counts against the others. A sign-in is then counted in the sign-in budgets: 429 when that was one too
   * many (a sign-in that raced others past the check).
   */
  async recordSuccess(attempt: LoginAttempt): Promise<void> {
    const reservation = this.settle(attempt);
    const keys = reservation?.keys ?? (await this.keysOf(attempt));
    const cleared: Scope[] = attempt.own ? ['own', 'accountIp'] : ['accountIp'];
    const returned = reservation ? [...reservation.taken.keys()].filter((scope) => !cleared.includes(scope)) : [];
    await Promise.all([
      ...cleared.flatMap((scope) => [this.locks, this.lockouts, this.rules].map((rules) => this.limiter.reset(rules[scope], keys[scope]!))),
      ...returned.map((scope) => this.limiter.refund(this.rules[scope], keys[scope]!)),
    ]);
    if (attempt.signIn) await this.limiter.consumeAll(this.signInCounters(attempt));
  }

  /** Gives a reservation back when the attempt was never judged (the password could not be checked: a 503). */
  async release(attempt: LoginAttempt): Promise<void> {
    const reservation = this.settle(attempt);
    if (!reservation) return;
    await Promise.all([...reservation.taken.keys()].map((scope) => this.limiter.refund(this.rules[scope], reservation.keys[scope]!)));
  }

  /**
   * Clears every lock-out and failure count of the user's account, from every address, device and session (a
   * password reset proved the owner). Its keys all carry the time of the last clearing: a new time starts them afresh.
   */
  async clearAccount(userId: number): Promise<void> {
    await this.limiter.set(this.clearings, this.accountKeyOfUser(userId), Date.now());
  }

  /** The keys of the attempt's failure counters. The clearing is read for every account key alike (no timing tells). */
  private async keysOf(attempt: LoginAttempt): Promise<Partial<Record<Scope, string>>> {
    const clearing = await this.limiter.pointsOf(this.clearings, attempt.accountKey);
    const account = clearing === 0 ? attempt.accountKey : `${attempt.accountKey}#${clearing}`;
    const address = addressKey(attempt.ip);
    const keys: Partial<Record<Scope, string>> = { accountIp: `${account}|${address}`, account, ip: address };
    if (attempt.own) keys.own = `${account}|${attempt.own}`;
    return keys;
  }

  /** What stops the attempt: its own counter when it has standing with the account, else the three others. */
  private judgedScopes(attempt: LoginAttempt): readonly Scope[] {
    return attempt.own ? ['own'] : ANONYMOUS_SCOPES;
  }

  /** Where its failure counts: everywhere, so standing never makes guessing cheaper for anyone else. */
  private countedScopes(attempt: LoginAttempt): readonly Scope[] {
    return attempt.own ? SCOPES : ANONYMOUS_SCOPES;
  }

  private signInCounters(attempt: LoginAttempt): RateLimitCounter[] {
    return [
      { rule: this.signInsPerIp, key: addressKey(attempt.ip) },
      { rule: this.signInsPerAccount, key: attempt.accountKey },
    ];
  }

  private settle(attempt: LoginAttempt): Reservation | undefined {
    const reserved = this.reservations.get(attempt);
    this.reservations.delete(attempt);
    return reserved;
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
    // The lock-out lives in Redis: the notice is the only row it writes.
    await this.mail.sendLoginLockoutNotice(this.dataSource.manager, owner.email, { name: owner.name, ip: attempt.ip, minutes: Math.ceil(seconds / 60) });
  }
}
