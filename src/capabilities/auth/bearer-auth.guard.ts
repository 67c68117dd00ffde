import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import type { Strategy } from 'passport';
import type { AuthContext } from '../../core/users/auth-context.js';
import type { ApiKeyScope } from '../../core/users/api-key-scopes.js';
import { API_KEY_REFUSAL, IS_PUBLIC, REQUIRED_ROLE, REQUIRED_SCOPE, type AuthenticatedRequest } from '../../core/credentials/auth.decorators.js';
import { DomainError, type ErrorEntry } from '../../platform/errors/domain-error.js';
import { PLATFORM_ERRORS } from '../../platform/errors/errors.js';
import { CREDENTIAL_ERRORS } from '../../core/credentials/errors.js';
import { RateLimiterService, type RateLimitRule } from '../../platform/rate-limit/rate-limiter.service.js';
import type { AppConfig } from '../../platform/config/app-config.js';
import { InjectConfig } from '../../platform/config/config.module.js';
import { ADMIN_ROLE_SLUG } from '../../core/users/role.entity.js';
import { ApiKeyStrategy, bearerCredentialOf } from '../api-keys/api-key.strategy.js';
import { isApiKeyCredential } from '../api-keys/api-key-tokens.js';
import { JwtStrategy, UnauthenticatedMarker } from './jwt.strategy.js';

/** A strategy for one authentication attempt: passport strategies report their outcome through these. */
interface StrategyAttempt {
  authenticate(request: Request, options: { session: false }): void;
  success(auth: AuthContext): void;
  fail(): void;
  error(error: unknown): void;
  pass(): void;
  redirect(): void;
}

/**
 * Runs one passport strategy for one request the way passport.authenticate() does (a per-attempt object over the
 * strategy, whose `success`/`fail`/`error` settle the outcome), without what this API never uses: sessions,
 * redirects, flash messages, strategy chains, and the seven helpers passport.authenticate() attaches to every
 * request. Those allocations were the largest item of a request's garbage in the benchmark's profile.
 */
function authenticateWith(strategy: Strategy, request: Request): Promise<AuthContext> {
  return new Promise((resolve, reject) => {
    const attempt = Object.create(strategy) as StrategyAttempt;
    attempt.success = resolve;
    attempt.error = (error) => reject(error instanceof UnauthenticatedMarker ? new DomainError(PLATFORM_ERRORS.UNAUTHENTICATED) : error);
    attempt.fail = attempt.pass = attempt.redirect = () => reject(new DomainError(PLATFORM_ERRORS.UNAUTHENTICATED));
    attempt.authenticate(request, { session: false });
  });
}

/**
 * Global guard: every route needs a bearer credential unless marked @Public(); @AdminOnly() also needs the admin
 * role. `Authorization: Bearer ptlc_…` is a personal API key (the `api-key` strategy), anything else an access
 * token (the `jwt` strategy): the credential's shape picks the one strategy to run. Authenticated callers share a
 * per-user request budget (CONTRACT §10), whichever credential they use. An API key also needs the scope the route
 * declares (@Authenticated(scope)); its scopes came with the row that authenticated it, so that costs no query.
 */
@Injectable()
export class BearerAuthGuard implements CanActivate {
  private readonly perUser: RateLimitRule;

  constructor(
    private readonly reflector: Reflector,
    private readonly rateLimiter: RateLimiterService,
    private readonly accessTokens: JwtStrategy,
    private readonly apiKeys: ApiKeyStrategy,
    @InjectConfig() config: AppConfig,
  ) {
    this.perUser = { name: 'api-user', points: config.rateLimits.apiPerMinute, durationSeconds: 60 };
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const credential = bearerCredentialOf(request);
    const strategy = credential !== undefined && isApiKeyCredential(credential) ? this.apiKeys : this.accessTokens;
    const auth = await authenticateWith(strategy, request);
    request.auth = auth;
    await this.rateLimiter.consume(this.perUser, String(auth.user.id));
    const role = this.reflector.getAllAndOverride<string>(REQUIRED_ROLE, targets);
    if (role === ADMIN_ROLE_SLUG && auth.user.role?.slug !== ADMIN_ROLE_SLUG) throw new DomainError(CREDENTIAL_ERRORS.NOT_ADMIN);
    if (auth.apiKey) {
      const scope = this.reflector.getAllAndOverride<ApiKeyScope | undefined>(REQUIRED_SCOPE, targets);
      if (scope === undefined) {
        const refusal = this.reflector.getAllAndOverride<ErrorEntry | undefined>(API_KEY_REFUSAL, targets);
        // A route that declares no scope is closed to API keys.
        throw new DomainError(refusal ?? CREDENTIAL_ERRORS.API_KEY_ROUTE_CLOSED);
      }
      if (!auth.apiKey.scopes.includes(scope)) throw new DomainError(CREDENTIAL_ERRORS.API_KEY_SCOPE_MISSING, { params: { scope } });
    }
    return true;
  }
}
