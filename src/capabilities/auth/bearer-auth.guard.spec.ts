import { PLATFORM_ERRORS } from '../../platform/errors/errors.js';
import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { ApiKeyScope } from '../../core/users/api-key-scopes.js';
import type { AuthContext } from '../../core/users/auth-context.js';
import { AccessTokenOnly, AdminOnly, Authenticated } from '../../core/credentials/auth.decorators.js';
import { DomainError } from '../../platform/errors/domain-error.js';
import { AUTH_ERRORS } from './errors.js';
import type { RateLimiterService } from '../../platform/rate-limit/rate-limiter.service.js';
import { loadConfig } from '../../platform/config/app-config.js';
import type { SessionsService } from '../../core/credentials/sessions/sessions.service.js';
import type { AccessTokenClaims } from '../../core/credentials/sessions/session-tokens.js';
import type { User } from '../../core/users/user.entity.js';
import type { ApiKeysService } from '../api-keys/api-keys.service.js';
import { BearerAuthGuard } from './bearer-auth.guard.js';
import { SameSiteRequests } from '../../core/credentials/same-site.js';

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

const ACCESS_TOKEN = 'eyJ.access.token';
const API_KEY = `ptlc_${'a'.repeat(43)}`;

function contextOf(target: { prototype: object } & (new () => object), method: string, authorization: string | undefined): ExecutionContext {
  const request = { headers: authorization === undefined ? {} : { authorization }, socket: {} };
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

const CLAIMS: AccessTokenClaims = { sub: '1', sid: 's', gen: 1 };

/**
 * A guard whose services resolve ACCESS_TOKEN (its claims, once verified) and API_KEY to `auth`, and refuse
 * everything else as theirs would; `resolved` lists what each was asked.
 */
function guardFor(auth: AuthContext, resolved: string[] = []): BearerAuthGuard {
  const rateLimiter = { consume: async () => undefined } as unknown as RateLimiterService;
  const sessions = {
    tokens: { verifyAccessToken: (token: string) => (token === ACCESS_TOKEN ? CLAIMS : null) },
    authenticate: async (claims: AccessTokenClaims) => {
      resolved.push(`session ${claims.sid}`);
      return auth;
    },
  } as unknown as SessionsService;
  const apiKeys = {
    authenticate: async (credential: string) => {
      resolved.push(`key ${credential.slice(0, 5)}`);
      if (credential !== API_KEY) throw new DomainError(PLATFORM_ERRORS.UNAUTHENTICATED);
      return auth;
    },
  } as unknown as ApiKeysService;
  const config = loadConfig({});
  return new BearerAuthGuard(new Reflector(), rateLimiter, sessions, apiKeys, new SameSiteRequests(config), config);
}

async function outcome(auth: AuthContext, target: { prototype: object } & (new () => object), method: string): Promise<string> {
  return outcomeOf(guardFor(auth), `Bearer ${auth.apiKey ? API_KEY : ACCESS_TOKEN}`, target, method);
}

async function outcomeOf(
  guard: BearerAuthGuard,
  authorization: string | undefined,
  target: { prototype: object } & (new () => object) = Routes,
  method = 'unscoped',
): Promise<string> {
  try {
    await guard.canActivate(contextOf(target, method, authorization));
    return 'allowed';
  } catch (error) {
    return error instanceof DomainError ? `${error.status} ${error.message}` : String(error);
  }
}

describe('BearerAuthGuard credentials', () => {
  it('sends a ptlc_ credential to the API keys and anything else, once verified, to the sessions', async () => {
    const resolved: string[] = [];
    const guard = guardFor(callerWith(null), resolved);
    expect(await outcomeOf(guard, `Bearer ${ACCESS_TOKEN}`)).toBe('allowed');
    expect(await outcomeOf(guard, `Bearer ${API_KEY}`)).toBe('allowed');
    expect(await outcomeOf(guard, 'Bearer ptlc_short')).toBe('401 Unauthenticated.');
    expect(resolved).toEqual(['session s', 'key ptlc_', 'key ptlc_']);
  });

  it('refuses without a statement a missing or malformed header and an access token that does not verify', async () => {
    const resolved: string[] = [];
    const guard = guardFor(callerWith(null), resolved);
    for (const authorization of [undefined, '', 'Bearer', 'Bearer ', `Basic ${ACCESS_TOKEN}`, `Bearer ${ACCESS_TOKEN} extra`, 'Bearer eyJ.forged.token']) {
      expect(await outcomeOf(guard, authorization)).toBe('401 Unauthenticated.');
    }
    expect(resolved).toEqual([]);
  });

  it('takes the scheme in any case and spaces around the credential', async () => {
    const guard = guardFor(callerWith(null));
    for (const authorization of [`bearer ${ACCESS_TOKEN}`, `BEARER  ${ACCESS_TOKEN}`, `Bearer ${ACCESS_TOKEN}  `]) {
      expect(await outcomeOf(guard, authorization)).toBe('allowed');
    }
  });

  it('attaches the caller to the request', async () => {
    const auth = callerWith(null);
    const context = contextOf(Routes, 'unscoped', `Bearer ${ACCESS_TOKEN}`);
    await guardFor(auth).canActivate(context);
    expect((context.switchToHttp().getRequest() as { auth?: AuthContext }).auth).toBe(auth);
  });
});

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
