import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { PASSWORD_MAX } from '../../../platform/validation/rules.js';
import { OptionalNotNull } from '../../../platform/validation/match.decorator.js';

/** The one value `session` takes: a browser session (docs/guides/browser-sessions.md). */
export const SESSION_MODES = ['cookie'] as const;

export class LoginDto {
  /** Username or email. @example "john.doe" */
  @IsNotEmpty()
  @IsString()
  @MaxLength(191)
  username: string;

  /** @example "correct horse battery staple" */
  @IsNotEmpty()
  @IsString()
  @MaxLength(PASSWORD_MAX)
  @ApiProperty({ maxLength: PASSWORD_MAX })
  password: string;

  /** A name for the new session, kept with it. @example "Office laptop" */
  @OptionalNotNull()
  @IsString()
  @MaxLength(255)
  device_name?: string;

  /**
   * `cookie`: a browser session. The answer carries no token and sets the session cookie instead (`HttpOnly`), which
   * then authenticates every request from this site. The request must carry an allowed `Origin` and
   * `X-Requested-With` (403 otherwise, before the password is judged). With two-factor on, the challenge remembers the
   * choice. Leave it out for a token pair. @example "cookie"
   */
  @OptionalNotNull()
  @IsIn(SESSION_MODES)
  @ApiProperty({ enum: SESSION_MODES, required: false })
  session?: 'cookie';
}


export class RefreshTokenDto {
  /** The refresh token of the last token pair. @example "uFfF2KPoq7XZAOPLhen5ayOArawyzGitjoFIdogV.0.xjKvBkFAsEAIBaotsv1c2hmtlC1Ynjx6AYBwHXB2W08" */
  @IsNotEmpty()
  @IsString()
  @MaxLength(200)
  refresh_token: string;
}

export class TokenPairDto {
  /**
   * Access token (JWT, HS256): send it as `Authorization: Bearer <token>`.
   * @example "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzaWQiOiJ1RmZGMktQb3E3WFpBT1BMaGVuNWF5T0FyYXd5ekdpdGpvRklkb2dWIiwiZ2VuIjowLCJpYXQiOjE3NjQ4MDY0MDAsImV4cCI6MTc2NDgwNzMwMCwic3ViIjoiMSJ9.9DX70G7Pjrjr4C-pgpok5h8NMGA0_sclO5kXNX5a1L8"
   */
  token: string;
  /** @example "Bearer" */
  token_type: 'Bearer';
  /** Seconds the access token lives. @example 900 */
  expires_in: number;
  /** Single-use refresh token, for `POST /api/token/refresh`. @example "uFfF2KPoq7XZAOPLhen5ayOArawyzGitjoFIdogV.0.xjKvBkFAsEAIBaotsv1c2hmtlC1Ynjx6AYBwHXB2W08" */
  refresh_token: string;
}

/** What a sign-in answers: the token pair of the new session, and the device token. */
export class SignInDto extends TokenPairDto {
  /**
   * Opaque, bound to this account, valid 90 days from its last use. Keep it on this device and send it as
   * `X-Device-Token` on its later sign-ins of this account: failures from elsewhere then never lock this device out.
   * The same token comes back when it was sent; otherwise a new one.
   * @example "b3pUq0Xn2v9yQ7sJc4Lk1mR8tW5zA6dE0fG3hI9jK2o"
   */
  device_token: string;
}

/**
 * What a browser sign-in (`session: "cookie"`) answers: no token; the session cookie is set (`Set-Cookie`) and the
 * device token is in the body as in a token sign-in.
 */
export class BrowserSignInDto {
  /** @example true */
  authenticated: true;
  /** Seconds the session may stay unused (SESSION_IDLE_TTL); each use slides it forward. @example 604800 */
  expires_in: number;
  /**
   * As in a token sign-in: keep it and send it as `X-Device-Token` on this device's later sign-ins of this account.
   * @example "b3pUq0Xn2v9yQ7sJc4Lk1mR8tW5zA6dE0fG3hI9jK2o"
   */
  device_token: string;
}

export class LoginChallengeDto {
  /** @example true */
  two_factor_required: true;
  /** Present it to `POST /api/login/two-factor` with a code; lives 5 minutes. @example "q3Xv9Lz0bN4cR7tY1wE6uI8oP2aS5dF0gH3jK6lM9nB" */
  challenge_token: string;
  /** @example "totp" */
  method: 'totp' | 'sms';
}
