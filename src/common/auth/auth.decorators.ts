import { applyDecorators, createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import { ApiBearerAuth } from '@nestjs/swagger';
import type { Request } from 'express';
import { BEARER_SCHEME } from '../../openapi/openapi.js';
import type { AuthContext, ClientInfo } from './auth-context.js';

export const IS_PUBLIC = 'tessera:public';
export const REQUIRED_ROLE = 'tessera:role';

/** The route needs no credential (the bearer guard is global and denies by default). */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);

/** The route needs a credential; documents the bearer scheme. */
export const Authenticated = (): MethodDecorator & ClassDecorator => applyDecorators(ApiBearerAuth(BEARER_SCHEME));

/** The route needs the admin role (403 for everyone else). */
export const AdminOnly = (): MethodDecorator & ClassDecorator =>
  applyDecorators(ApiBearerAuth(BEARER_SCHEME), SetMetadata(REQUIRED_ROLE, 'admin'));

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
