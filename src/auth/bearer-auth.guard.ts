import { Injectable, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { AuthContext } from '../common/auth/auth-context.js';
import { IS_PUBLIC, REQUIRED_ROLE } from '../common/auth/auth.decorators.js';
import { DomainError } from '../common/errors/domain-error.js';
import { RateLimiterService, type RateLimitRule } from '../common/rate-limit/rate-limiter.service.js';
import type { AppConfig } from '../config/app-config.js';
import { InjectConfig } from '../config/config.module.js';
import { ADMIN_ROLE_SLUG } from '../users/entities/role.entity.js';
import { UnauthenticatedMarker } from './jwt.strategy.js';

/**
 * The passport strategies tried, in order, for `Authorization: Bearer …`: a personal API key (`ptlc_…`; anything
 * else fails over at once) or an access token.
 */
export const BEARER_STRATEGIES = ['api-key', 'jwt'];

/**
 * Global guard: every route needs a bearer credential unless marked @Public(); @AdminOnly() also needs the admin
 * role. Authenticated callers share a per-user request budget (CONTRACT §10), whichever credential they use.
 */
@Injectable()
export class BearerAuthGuard extends AuthGuard(BEARER_STRATEGIES) {
  private readonly perUser: RateLimitRule;

  constructor(
    private readonly reflector: Reflector,
    private readonly rateLimiter: RateLimiterService,
    @InjectConfig() config: AppConfig,
  ) {
    super({ property: 'auth', session: false });
    this.perUser = { name: 'api-user', points: config.rateLimits.apiPerMinute, durationSeconds: 60 };
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    await super.canActivate(context);
    const auth = context.switchToHttp().getRequest<{ auth: AuthContext }>().auth;
    await this.rateLimiter.consume(this.perUser, String(auth.user.id));
    const role = this.reflector.getAllAndOverride<string>(REQUIRED_ROLE, targets);
    if (role === ADMIN_ROLE_SLUG && auth.user.role?.slug !== ADMIN_ROLE_SLUG) throw new DomainError('FORBIDDEN');
    return true;
  }

  override handleRequest<TUser = AuthContext>(error: unknown, auth: TUser | false): TUser {
    if (error instanceof DomainError) throw error;
    if (error && !(error instanceof UnauthenticatedMarker)) throw error;
    if (!auth) throw new DomainError('UNAUTHENTICATED');
    return auth;
  }
}
