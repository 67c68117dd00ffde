import { applyDecorators, createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import { ApiBearerAuth, ApiSecurity } from '@nestjs/swagger';
import type { Request } from 'express';
import { BEARER_SCHEME } from '../../platform/openapi/tags.js';
import { ADMIN_SCOPE, type ApiKeyScope } from '../users/api-key-scopes.js';
import type { ErrorEntry } from '../../platform/errors/domain-error.js';
import type { AuthContext, ClientInfo } from '../users/auth-context.js';
import { requestSiteOf, type RequestSite } from './same-site.js';

export const IS_PUBLIC = 'tessera:public';
export const REQUIRED_ROLE = 'tessera:role';
export const REQUIRED_SCOPE = 'tessera:scope';
export const API_KEY_REFUSAL = 'tessera:api-key-refusal';

/** The route needs no credential (the bearer guard is global and denies by default). */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);

/**
 * The route needs a credential, and an API key needs `scope` (403 naming it otherwise; access tokens are not
 * limited by scopes). The scope goes into the operation's security requirement, and from there into its
 * description (see documentApiKeyScopes). Without a scope the route is closed to API keys (403): a new route is
 * given its scope before keys can reach it.
 */
export const Authenticated = (scope?: ApiKeyScope): MethodDecorator & ClassDecorator =>
  scope === undefined
    ? applyDecorators(ApiBearerAuth(BEARER_SCHEME))
    : applyDecorators(ApiSecurity(BEARER_SCHEME, [scope]), SetMetadata(REQUIRED_SCOPE, scope));

/**
 * The route takes access tokens only, and says why to an API key: 403 with the given error instead of the generic
 * refusal of a route without a scope. The route documents that 403 with its family's `ErrorExamples`.
 */
export const AccessTokenOnly = (refusal: ErrorEntry): MethodDecorator & ClassDecorator =>
  applyDecorators(
    Authenticated(),
    SetMetadata(API_KEY_REFUSAL, refusal),
  );

/** The route needs the admin role (403 for everyone else), and an API key also the `admin` scope. */
export const AdminOnly = (): MethodDecorator & ClassDecorator =>
  applyDecorators(ApiSecurity(BEARER_SCHEME, [ADMIN_SCOPE]), SetMetadata(REQUIRED_ROLE, 'admin'), SetMetadata(REQUIRED_SCOPE, ADMIN_SCOPE));

export type AuthenticatedRequest = Request & { auth?: AuthContext };

/** The AuthContext the bearer guard attached. */
export const CurrentAuth = createParamDecorator((_data: unknown, ctx: ExecutionContext): AuthContext => {
  const auth = ctx.switchToHttp().getRequest<AuthenticatedRequest>().auth;
  if (!auth) throw new Error('CurrentAuth used on a route without authentication');
  return auth;
});

export function clientInfoOf(request: Request): ClientInfo {
  return {
    ip: request.ip ?? request.socket.remoteAddress ?? '',
    userAgent: String(request.headers['user-agent'] ?? '').slice(0, 1000),
  };
}

/** IP (socket, or X-Forwarded-For through TRUST_PROXY) and user agent of the caller. */
export const CurrentClient = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): ClientInfo => clientInfoOf(ctx.switchToHttp().getRequest<Request>()),
);

/** Where the request says it was sent from (`Origin`, `X-Requested-With`, `Sec-Fetch-Site`): for the cross-site check of cookie sign-ins. */
export const CurrentSite = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): RequestSite => requestSiteOf(ctx.switchToHttp().getRequest<Request>()),
);
