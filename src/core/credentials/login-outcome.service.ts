import { Injectable } from '@nestjs/common';
import type { ActivityProperties } from '../activity/activity-log.entity.js';
import { ActivityService } from '../activity/activity.service.js';
import type { ClientInfo } from '../users/auth-context.js';
import type { User } from '../users/user.entity.js';
import { UsersService } from '../users/users.service.js';
import { DomainError, type ErrorEntry } from '../../platform/errors/domain-error.js';
import type { AppConfig } from '../../platform/config/app-config.js';
import { InjectConfig } from '../../platform/config/config.module.js';
import { DeviceTokensService } from './devices/device-tokens.service.js';
import { CREDENTIAL_ERRORS } from './errors.js';
import { LoginThrottleService, type LoginAttempt } from './login-throttle.service.js';
import { SessionsService, type TokenPair } from './sessions/sessions.service.js';
import type { SessionMode } from './sessions/session-cookie.js';

/** What a sign-in answers: the session's tokens, and the device token to send back on later sign-ins. */
export interface SignedIn extends TokenPair {
  device_token: string;
}

/** Where a browser sign-in's answer carries the cookie value to set. */
export const SESSION_COOKIE: unique symbol = Symbol('tessera session cookie');

/**
 * What a browser sign-in (`session: "cookie"`) answers: no token, the session's idle lifetime and the device token.
 * The cookie's value travels beside the body, under SESSION_COOKIE (a symbol, so no serialiser ever writes it), for
 * the response to set (SessionCookieInterceptor).
 */
export interface BrowserSignedIn {
  authenticated: true;
  expires_in: number;
  device_token: string;
  [SESSION_COOKIE]: string;
}

/** How a login proved who the user is, recorded on its `auth:login` entry. */
export interface LoginMethod {
  method: 'password' | 'passkey' | 'identity';
  /** The identity provider of an identity sign-in. */
  provider?: string;
  /** The second factor that completed a password login, when two-factor is on. */
  second_factor?: 'totp' | 'sms' | 'recovery_code' | 'passkey';
  /** `cookie` for a browser session; absent for a token pair. */
  session?: 'cookie';
}

/**
 * How every login ends, whichever way the user proved who they are: the password login (auth), a passkey sign-in
 * (passkeys) and a login's second step (two-factor) share it.
 */
@Injectable()
export class LoginOutcomeService {
  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly activity: ActivityService,
    private readonly throttle: LoginThrottleService,
    private readonly devices: DeviceTokensService,
  ) {}

  /**
   * Counts a failed login (password or passkey) against its attempt, records it, and returns the 422 every failure
   * answers alike, for the caller to throw.
   */
  async fail(attempt: LoginAttempt, user: User | null, client: ClientInfo, properties: ActivityProperties): Promise<DomainError> {
    await this.throttle.recordFailure(attempt, user ? { id: user.id, email: user.email, name: user.firstName ?? '' } : undefined);
    await this.activity.record({ event: 'auth:login-failed', userId: user?.id ?? null, actorId: null, client, properties });
    return new DomainError(CREDENTIAL_ERRORS.INVALID_CREDENTIALS);
  }

  /**
   * The last step of every successful login: a session (the least recently used past MAX_SESSIONS_PER_USER ends),
   * tokens, the device token (the one the device sent, when it is the account's), `last_login`, the activity entry.
   * `user` is the row as read with the proof: when the account's credentials ended since (a reset, a password change
   * … committed while the proof was checked), no session opens, the attempt is recorded as a failed login (not
   * counted: nobody guessed) and `superseded` is thrown: what the sign-in answers when its proof turns out wrong.
   */
  async complete(
    user: User,
    client: ClientInfo,
    deviceName: string | null,
    method: LoginMethod,
    deviceToken?: string,
    superseded: ErrorEntry = CREDENTIAL_ERRORS.INVALID_CREDENTIALS,
  ): Promise<SignedIn> {
    const tokens = await this.sessions.open(user, client, deviceName);
    const device_token = await this.afterOpening(tokens !== null, user, client, method, deviceToken, superseded);
    return { ...tokens!, device_token };
  }

  /**
   * complete() for a browser (`session: "cookie"`): the same steps, but the session is reached through its cookie,
   * and the answer carries no token. Every sign-in path with a cookie mode ends here (password, two-factor, passkey,
   * identity provider), after checking the request with SameSiteRequests before it changed anything.
   */
  async completeInBrowser(
    user: User,
    client: ClientInfo,
    deviceName: string | null,
    method: LoginMethod,
    deviceToken?: string,
    superseded: ErrorEntry = CREDENTIAL_ERRORS.INVALID_CREDENTIALS,
  ): Promise<BrowserSignedIn> {
    const session = await this.sessions.openBrowser(user, client, deviceName);
    // The activity entry says which kind of session opened.
    const device_token = await this.afterOpening(session !== null, user, client, { ...method, session: 'cookie' }, deviceToken, superseded);
    return { authenticated: true, expires_in: session!.expires_in, device_token, [SESSION_COOKIE]: session!.cookie };
  }

  /** complete() or completeInBrowser(), as the sign-in asked. */
  completeAs(
    mode: SessionMode,
    user: User,
    client: ClientInfo,
    deviceName: string | null,
    method: LoginMethod,
    deviceToken?: string,
    superseded?: ErrorEntry,
  ): Promise<SignedIn | BrowserSignedIn> {
    return mode === 'cookie'
      ? this.completeInBrowser(user, client, deviceName, method, deviceToken, superseded)
      : this.complete(user, client, deviceName, method, deviceToken, superseded);
  }

  /** What follows a session's opening (or its refusal: `superseded` is thrown); the device token. */
  private async afterOpening(
    opened: boolean,
    user: User,
    client: ClientInfo,
    method: LoginMethod,
    deviceToken: string | undefined,
    superseded: ErrorEntry,
  ): Promise<string> {
    if (!opened) {
      await this.activity.record({ event: 'auth:login-failed', userId: user.id, actorId: null, client, properties: { ...method, reason: 'credentials-changed' } });
      throw new DomainError(superseded);
    }
    await this.sessions.revokeLeastRecentlyUsed(user.id, this.config.maxSessionsPerUser);
    const device_token = await this.devices.issue(user.id, deviceToken);
    await this.users.recordLogin(user.id);
    await this.activity.record({ event: 'auth:login', userId: user.id, actorId: user.id, client, properties: { ...method } });
    return device_token;
  }
}
