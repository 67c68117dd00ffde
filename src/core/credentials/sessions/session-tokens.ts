import { createHash, createHmac, createSecretKey, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';

export interface AccessTokenClaims {
  /** User id. */
  sub: string;
  /** Session id. */
  sid: string;
  /** Refresh generation the token was issued with. */
  gen: number;
}

export interface ParsedRefreshToken {
  sessionId: string;
  generation: number;
}

/** `iss` and `aud` of every access token: set at signing, required at verification (docs/security.md#access-tokens). */
export const ACCESS_TOKEN_ISSUER = 'tessera';
export const ACCESS_TOKEN_AUDIENCE = 'tessera-api';
/** Clock skew tolerated between issuing and checking (a cluster's clocks), seconds. */
export const ACCESS_TOKEN_LEEWAY_SECONDS = 30;

const SESSION_ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** 40 characters from 62, without modulo bias (rejection sampling). */
export function newSessionId(): string {
  let id = '';
  while (id.length < 40) {
    for (const byte of randomBytes(48)) {
      if (byte < 248 && id.length < 40) id += SESSION_ID_ALPHABET[byte % 62];
    }
  }
  return id;
}

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/** Constant-time comparison of two hex digests (false when either is missing). */
export function sameDigest(a: string | null | undefined, b: string | null | undefined): boolean {
  if (!a || !b || a.length !== b.length) return false;
  return timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

/**
 * Signs and checks access and refresh tokens. Both are derived deterministically from (session, generation,
 * issue time), so a second refresh inside the grace window can be answered with the very same pair.
 */
export class SessionTokens {
  /** A KeyObject: jsonwebtoken given a string first tries to parse it as a PEM key on every verify. */
  readonly accessKey: KeyObject;
  /** A KeyObject too: createHmac given a Buffer checks and wraps it on every call (15 µs against 2 µs per MAC). */
  private readonly refreshKey: KeyObject;

  constructor(
    secret: string,
    readonly accessTtlSeconds: number,
  ) {
    this.accessKey = createSecretKey(Buffer.from(secret, 'utf8'));
    this.refreshKey = createSecretKey(createHmac('sha256', secret).update('tessera refresh tokens').digest());
  }

  signAccessToken(claims: AccessTokenClaims, issuedAt: Date): string {
    const iat = Math.floor(issuedAt.getTime() / 1000);
    return jwt.sign({ sid: claims.sid, gen: claims.gen, iat }, this.accessKey, {
      algorithm: 'HS256',
      subject: claims.sub,
      expiresIn: this.accessTtlSeconds,
      noTimestamp: false,
      issuer: ACCESS_TOKEN_ISSUER,
      audience: ACCESS_TOKEN_AUDIENCE,
    });
  }

  /**
   * The claims of an access token this key signed, or null for any other string. HS256 only, so `none`, RS/ES
   * confusion and `jku`/`jwk`/`kid` headers are refused or ignored; `iss` and `aud` must be ours; `exp` must not have
   * passed and `iat` must be present and at most ACCESS_TOKEN_TTL old (both with ACCESS_TOKEN_LEEWAY_SECONDS of
   * clock skew); then the claims must have the shape this class signs (`sid`, a numeric `sub`) and an acceptable
   * lifetime (lifetimeAcceptable).
   */
  verifyAccessToken(token: string): AccessTokenClaims | null {
    let payload: unknown;
    try {
      payload = jwt.verify(token, this.accessKey, {
        algorithms: ['HS256'],
        issuer: ACCESS_TOKEN_ISSUER,
        audience: ACCESS_TOKEN_AUDIENCE,
        // maxAge makes `iat` required and bounds the token's age.
        maxAge: this.accessTtlSeconds + ACCESS_TOKEN_LEEWAY_SECONDS,
        clockTolerance: ACCESS_TOKEN_LEEWAY_SECONDS,
      });
    } catch {
      return null;
    }
    const claims = payload as Partial<AccessTokenClaims> & { iat?: unknown; exp?: unknown };
    if (typeof claims.sid !== 'string' || typeof claims.sub !== 'string' || !/^\d{1,10}$/.test(claims.sub)) return null;
    return this.lifetimeAcceptable(claims) ? (claims as AccessTokenClaims) : null;
  }

  /**
   * The claims a verified access token must also satisfy: `exp` and `iat` present, issued not in the future, and a
   * lifetime no longer than ACCESS_TOKEN_TTL whatever `exp` says (a token signed elsewhere with the key, or by an
   * older configuration, cannot outlive the current one).
   */
  lifetimeAcceptable(payload: { iat?: unknown; exp?: unknown }, now = Date.now()): boolean {
    const { iat, exp } = payload;
    if (typeof iat !== 'number' || typeof exp !== 'number' || !Number.isInteger(iat) || !Number.isInteger(exp)) return false;
    const seconds = Math.floor(now / 1000);
    return iat <= seconds + ACCESS_TOKEN_LEEWAY_SECONDS && exp - iat <= this.accessTtlSeconds + ACCESS_TOKEN_LEEWAY_SECONDS;
  }

  /** Seconds an access token issued at `issuedAt` still has. */
  expiresIn(issuedAt: Date, now = new Date()): number {
    const iat = Math.floor(issuedAt.getTime() / 1000);
    return Math.max(0, iat + this.accessTtlSeconds - Math.floor(now.getTime() / 1000));
  }

  refreshToken(sessionId: string, generation: number): string {
    return `${sessionId}.${generation}.${this.mac(sessionId, generation)}`;
  }

  /** Parses a refresh token and checks its MAC; null for anything not minted here. */
  parseRefreshToken(token: string): ParsedRefreshToken | null {
    const match = /^([A-Za-z0-9]{40})\.(\d{1,9})\.([A-Za-z0-9_-]{43})$/.exec(token);
    if (!match) return null;
    const [, sessionId, generationText, mac] = match;
    const generation = Number(generationText);
    const expected = this.mac(sessionId, generation);
    if (!timingSafeEqual(Buffer.from(mac), Buffer.from(expected))) return null;
    return { sessionId, generation };
  }

  private mac(sessionId: string, generation: number): string {
    return createHmac('sha256', this.refreshKey).update(`${sessionId}.${generation}`).digest('base64url');
  }
}
