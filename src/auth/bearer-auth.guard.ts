import { Injectable, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { AuthContext } from '../common/auth/auth-context.js';
import { IS_PUBLIC, REQUIRED_ROLE } from '../common/auth/auth.decorators.js';
import { DomainError } from '../common/errors/domain-error.js';
import { ADMIN_ROLE_SLUG } from '../users/entities/role.entity.js';
import { UnauthenticatedMarker } from './jwt.strategy.js';

/**
 * The passport strategies tried, in order, for `Authorization: Bearer …`: a personal API key (`ptlc_…`; anything
 * else fails over at once) or an access token.
 */
export const BEARER_STRATEGIES = ['api-key', 'jwt'];

/** Global guard: every route needs a bearer credential unless marked @Public(); @AdminOnly() also needs the admin role. */
@Injectable()
export class BearerAuthGuard extends AuthGuard(BEARER_STRATEGIES) {
  constructor(private readonly reflector: Reflector) {
    super({ property: 'auth', session: false });
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    await super.canActivate(context);
    const role = this.reflector.getAllAndOverride<string>(REQUIRED_ROLE, targets);
    if (role === ADMIN_ROLE_SLUG) {
      const auth = context.switchToHttp().getRequest<{ auth?: AuthContext }>().auth;
      if (auth?.user.role?.slug !== ADMIN_ROLE_SLUG) throw new DomainError('FORBIDDEN');
    }
    return true;
  }

  override handleRequest<TUser = AuthContext>(error: unknown, auth: TUser | false): TUser {
    if (error instanceof DomainError) throw error;
    if (error && !(error instanceof UnauthenticatedMarker)) throw error;
    if (!auth) throw new DomainError('UNAUTHENTICATED');
    return auth;
  }
}
