import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { ApiKeyScope } from '../../core/users/api-key-scopes.js';
import type { AuthContext } from '../../core/users/auth-context.js';
import { AccessTokenOnly, AdminOnly, Authenticated } from '../../core/credentials/auth.decorators.js';
import { DomainError } from '../../platform/errors/domain-error.js';
import { AUTH_ERRORS } from './errors.js';
import type { RateLimiterService } from '../../platform/rate-limit/rate-limiter.service.js';
import { loadConfig } from '../../platform/config/app-config.js';
import type { ApiKeyStrategy } from '../api-keys/api-key.strategy.js';
import type { User } from '../../core/users/user.entity.js';
import { BearerAuthGuard } from './bearer-auth.guard.js';
import type { JwtStrategy } from './jwt.strategy.js';

class Routes {
  @Authenticated('sessions.read')
  scoped(): void {}

  @Authenticated()
  unscoped(): void {}

  @AccessTokenOnly(AUTH_ERRORS.API_KEY_NO_SESSION)
  sessionOnly(): void {}
}

@Authenticated('activity.read')
class ScopedClass {
  inherited(): void {}

  @Authenticated('account.write')
  overridden(): void {}
}

@AdminOnly()
class AdminRoutes {
  list(): void {}
}

/** A passport-style strategy that authenticates every request as `auth`. */
function strategyFor(auth: AuthContext): object {
  return {
    authenticate(this: { success: (auth: AuthContext) => void }) {
      this.success(auth);
    },
  };
}

function contextOf(target: { prototype: object } & (new () => object), method: string, credential: string): ExecutionContext {
  const request = { headers: { authorization: `Bearer ${credential}` } };
  return {
    getHandler: () => (target.prototype as Record<string, unknown>)[method],
    getClass: () => target,
    switchToHttp: () => ({ getRequest: () => request }),
  } as unknown as ExecutionContext;
}

function callerWith(apiKeyScopes: ApiKeyScope[] | null, role = 'user'): AuthContext {
  return {
    user: { id: 1, role: { slug: role } } as User,
    client: { ip: '127.0.0.1', userAgent: 'jest' },
    session: apiKeyScopes ? null : { id: 's', loggedInAt: new Date() },
    apiKey: apiKeyScopes ? { id: 1, identifier: 'ptlc_aaaaaaaaaaa', scopes: apiKeyScopes } : null,
  };
}

function guardFor(auth: AuthContext): BearerAuthGuard {
  const rateLimiter = { consume: async () => undefined } as unknown as RateLimiterService;
  const strategy = strategyFor(auth);
  return new BearerAuthGuard(new Reflector(), rateLimiter, strategy as JwtStrategy, strategy as ApiKeyStrategy, loadConfig({}));
}

async function outcome(auth: AuthContext, target: { prototype: object } & (new () => object), method: string): Promise<string> {
  const credential = auth.apiKey ? `ptlc_${'a'.repeat(43)}` : 'eyJ.access.token';
  try {
    await guardFor(auth).canActivate(contextOf(target, method, credential));
    return 'allowed';
  } catch (error) {
    return error instanceof DomainError ? `${error.status} ${error.message}` : String(error);
  }
}

describe('BearerAuthGuard scopes', () => {
  it('lets a key with the route\'s scope through and refuses one without it, naming the scope', async () => {
    expect(await outcome(callerWith(['sessions.read']), Routes, 'scoped')).toBe('allowed');
    expect(await outcome(callerWith(['account.read', 'sessions.write']), Routes, 'scoped')).toBe('403 This API key lacks the scope sessions.read.');
  });

  it('closes a route that declares no scope to every key, not to access tokens', async () => {
    expect(await outcome(callerWith(['account.read', 'account.write', 'sessions.read']), Routes, 'unscoped')).toBe(
      '403 API keys cannot use this route.',
    );
    expect(await outcome(callerWith(null), Routes, 'unscoped')).toBe('allowed');
  });

  it('refuses a key on an access-token-only route with that route\'s own reason', async () => {
    expect(await outcome(callerWith(['account.read', 'account.write', 'sessions.write']), Routes, 'sessionOnly')).toBe(
      '403 API keys have no session to log out of; delete the key to revoke it.',
    );
    expect(await outcome(callerWith(null), Routes, 'sessionOnly')).toBe('allowed');
  });

  it('takes the class\'s scope unless the method names its own', async () => {
    expect(await outcome(callerWith(['activity.read']), ScopedClass, 'inherited')).toBe('allowed');
    expect(await outcome(callerWith(['activity.read']), ScopedClass, 'overridden')).toBe('403 This API key lacks the scope account.write.');
    expect(await outcome(callerWith(['account.write']), ScopedClass, 'overridden')).toBe('allowed');
  });

  it('needs both the admin role and, for a key, the admin scope on admin routes', async () => {
    expect(await outcome(callerWith(null, 'admin'), AdminRoutes, 'list')).toBe('allowed');
    expect(await outcome(callerWith(['admin'], 'admin'), AdminRoutes, 'list')).toBe('allowed');
    expect(await outcome(callerWith(['account.read'], 'admin'), AdminRoutes, 'list')).toBe('403 This API key lacks the scope admin.');
    expect(await outcome(callerWith(['admin'], 'user'), AdminRoutes, 'list')).toBe('403 This action is unauthorized.');
  });

  it('does not limit access tokens by scope', async () => {
    expect(await outcome(callerWith(null), Routes, 'scoped')).toBe('allowed');
  });
});
