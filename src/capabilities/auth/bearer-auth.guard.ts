import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import type { AuthContext } from '../../core/users/auth-context.js';
import type { ApiKeyScope } from '../../core/users/api-key-scopes.js';
import {
  API_KEY_REFUSAL,
  clientInfoOf,
  IS_PUBLIC,
  REQUIRED_ROLE,
  REQUIRED_SCOPE,
  type AuthenticatedRequest,
} from '../../core/credentials/auth.decorators.js';
import { SessionsService } from '../../core/credentials/sessions/sessions.service.js';
import { sessionCookieOf } from '../../core/credentials/sessions/session-cookie.js';
import { requestSiteOf, SameSiteRequests } from '../../core/credentials/same-site.js';
import { DomainError, type ErrorEntry } from '../../platform/errors/domain-error.js';
import { PLATFORM_ERRORS } from '../../platform/errors/errors.js';
import { CREDENTIAL_ERRORS } from '../../core/credentials/errors.js';
import { RateLimiterService, type RateLimitRule } from '../../platform/rate-limit/rate-limiter.service.js';
import type { AppConfig } from '../../platform/config/app-config.js';
import { InjectConfig } from '../../platform/config/config.module.js';
import { ADMIN_ROLE_SLUG } from '../../core/users/role.entity.js';
import { isApiKeyCredential } from '../api-keys/api-key-tokens.js';
import { ApiKeysService } from '../api-keys/api-keys.service.js';

/** `Authorization: Bearer <credential>` (RFC 6750: the scheme in any case, spaces around the credential). */
const BEARER_HEADER = /^Bearer +(\S+) *$/i;

/** The credential of an `Authorization: Bearer …` header, if the request has one of that form. */
export function bearerCredentialOf(request: Request): string | undefined {
  return BEARER_HEADER.exec(request.headers.authorization ?? '')?.[1];
}

/** Methods that change nothing: a request the session cookie authenticates with one of these is not checked for its site. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** A handler and its controller: where the route decorators (auth.decorators.ts) leave their rules. */
type RouteTargets = [handler: ReturnType<ExecutionContext['getHandler']>, controller: ReturnType<ExecutionContext['getClass']>];

/**
 * Global guard: every route needs a bearer credential (or a browser session's cookie) unless marked @Public(). In order:
 *  1. the credential of `Authorization: Bearer …`, else 401; without an `Authorization` header, the session cookie
 *     (SESSION_COOKIE_NAME), which stands for its session as an access token does, else 401. A request with both is
 *     judged by its `Authorization` alone. A cookie on an unsafe method (POST, PUT, PATCH, DELETE) must come from the
 *     site (SameSiteRequests: allowed `Origin`, `X-Requested-With`, no `Sec-Fetch-Site: cross-site`), else 403
 *     before any statement;
 *  2. its kind by its shape: `ptlc_…` is a personal API key, anything else an access token (a JWT);
 *  3. resolved to the caller in one statement (the key, or the verified token's live session, joined with the
 *     user; see ApiKeysService.authenticate and SessionsService.authenticate), which refuses with 401 or 403;
 *  4. the caller attached to the request as `request.auth` (an AuthContext) for @CurrentAuth() and the logs;
 *  5. the per-user request budget, shared by every credential of the user (429);
 *  6. the route's rules (403): @AdminOnly() needs the admin role; an API key needs the scope the route declares
 *     (@Authenticated(scope)), and a route that declares none is closed to keys (with the route's own reason under
 *     @AccessTokenOnly(reason)). The key's scopes came with its row, so that costs no query.
 */
@Injectable()
export class BearerAuthGuard implements CanActivate {
  private readonly perUser: RateLimitRule;
  private readonly cookieName: string;

  constructor(
    private readonly reflector: Reflector,
    private readonly rateLimiter: RateLimiterService,
    private readonly sessions: SessionsService,
    private readonly apiKeys: ApiKeysService,
    private readonly sameSite: SameSiteRequests,
    @InjectConfig() config: AppConfig,
  ) {
    this.perUser = { name: 'api-user', points: config.rateLimits.apiPerMinute, durationSeconds: 60 };
    this.cookieName = config.sessionCookie.name;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets: RouteTargets = [context.getHandler(), context.getClass()];
    if (this.rule<boolean>(IS_PUBLIC, targets)) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const auth = request.headers.authorization === undefined ? await this.authenticateCookie(request) : await this.authenticateBearer(request);
    request.auth = auth;
    await this.rateLimiter.consume(this.perUser, String(auth.user.id));
    this.assertRouteAllows(auth, targets);
    return true;
  }

  /** The caller the bearer credential stands for: an API key or an access token, resolved in one statement. */
  private async authenticateBearer(request: AuthenticatedRequest): Promise<AuthContext> {
    const credential = bearerCredentialOf(request);
    if (credential === undefined) throw new DomainError(PLATFORM_ERRORS.UNAUTHENTICATED);
    const client = clientInfoOf(request);
    if (isApiKeyCredential(credential)) return this.apiKeys.authenticate(credential, client);
    const claims = this.sessions.tokens.verifyAccessToken(credential);
    if (!claims) throw new DomainError(PLATFORM_ERRORS.UNAUTHENTICATED);
    return this.sessions.authenticate(claims, client);
  }

  /** The caller the session cookie stands for, resolved in one statement; an unsafe request only from the site. */
  private async authenticateCookie(request: AuthenticatedRequest): Promise<AuthContext> {
    const cookie = sessionCookieOf(request.headers.cookie, this.cookieName);
    if (cookie === undefined) throw new DomainError(PLATFORM_ERRORS.UNAUTHENTICATED);
    if (!SAFE_METHODS.has(request.method)) this.sameSite.assert(requestSiteOf(request));
    return this.sessions.authenticateCookie(cookie, clientInfoOf(request));
  }

  /** 403 unless the route's rules let this caller in. */
  private assertRouteAllows(auth: AuthContext, targets: RouteTargets): void {
    if (this.rule<string>(REQUIRED_ROLE, targets) === ADMIN_ROLE_SLUG && auth.user.role?.slug !== ADMIN_ROLE_SLUG) {
      throw new DomainError(CREDENTIAL_ERRORS.NOT_ADMIN);
    }
    if (!auth.apiKey) return;
    const scope = this.rule<ApiKeyScope>(REQUIRED_SCOPE, targets);
    if (scope === undefined) {
      // A route that declares no scope is closed to API keys.
      throw new DomainError(this.rule<ErrorEntry>(API_KEY_REFUSAL, targets) ?? CREDENTIAL_ERRORS.API_KEY_ROUTE_CLOSED);
    }
    if (!auth.apiKey.scopes.includes(scope)) throw new DomainError(CREDENTIAL_ERRORS.API_KEY_SCOPE_MISSING, { params: { scope } });
  }

  /** A rule of the route: the handler's, else its controller's. */
  private rule<T>(key: string, targets: RouteTargets): T | undefined {
    return this.reflector.getAllAndOverride<T | undefined>(key, targets);
  }
}
