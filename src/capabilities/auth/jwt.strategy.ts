import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import { ExtractJwt, Strategy } from 'passport-jwt';
import type { AuthContext } from '../../core/users/auth-context.js';
import { clientInfoOf } from '../../core/credentials/auth.decorators.js';
import {
  ACCESS_TOKEN_AUDIENCE,
  ACCESS_TOKEN_ISSUER,
  ACCESS_TOKEN_LEEWAY_SECONDS,
  type AccessTokenClaims,
} from '../../core/credentials/sessions/session-tokens.js';
import { SessionsService } from '../../core/credentials/sessions/sessions.service.js';

export const JWT_STRATEGY = 'jwt';

/**
 * Verifies access tokens: HS256 only (so `none`, RS/ES confusion and `jku`/`jwk`/`kid` headers are ignored or refused),
 * then checks the live session and the user in one query.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, JWT_STRATEGY) {
  constructor(private readonly sessions: SessionsService) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKey: sessions.tokens.accessKey as unknown as string,
      algorithms: ['HS256'],
      ignoreExpiration: false,
      issuer: ACCESS_TOKEN_ISSUER,
      audience: ACCESS_TOKEN_AUDIENCE,
      // maxAge makes `iat` required and bounds the age; lifetimeAcceptable bounds exp - iat.
      jsonWebTokenOptions: {
        maxAge: sessions.tokens.accessTtlSeconds + ACCESS_TOKEN_LEEWAY_SECONDS,
        clockTolerance: ACCESS_TOKEN_LEEWAY_SECONDS,
      },
      passReqToCallback: true,
    });
  }

  async validate(request: Request, payload: Partial<AccessTokenClaims> & { iat?: unknown; exp?: unknown }): Promise<AuthContext> {
    if (
      typeof payload.sid !== 'string' ||
      typeof payload.sub !== 'string' ||
      !/^\d{1,10}$/.test(payload.sub) ||
      !this.sessions.tokens.lifetimeAcceptable(payload)
    ) {
      return Promise.reject(new UnauthenticatedMarker());
    }
    return this.sessions.authenticate(payload as AccessTokenClaims, clientInfoOf(request));
  }
}

/** Tells the guard "not authenticated" without a message of its own. */
export class UnauthenticatedMarker extends Error {}
