import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { PASSWORD_MAX } from '../../common/validation/rules.js';
import { OptionalNotNull } from '../../common/validation/match.decorator.js';

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

  /** A name for the new session, kept with it. @example "John's laptop" */
  @OptionalNotNull()
  @IsString()
  @MaxLength(255)
  device_name?: string;
}

export class RefreshTokenDto {
  /** The refresh token of the last token pair. */
  @IsNotEmpty()
  @IsString()
  @MaxLength(200)
  refresh_token: string;
}

export class TokenPairDto {
  /** Access token (JWT, HS256). */
  token: string;
  /** @example "Bearer" */
  token_type: 'Bearer';
  /** Seconds the access token lives. @example 900 */
  expires_in: number;
  /** Single-use refresh token. */
  refresh_token: string;
}

export class LoginChallengeDto {
  /** @example true */
  two_factor_required: true;
  /** Present it to `POST /api/login/two-factor` with a code; lives 5 minutes. */
  challenge_token: string;
  /** @example "totp" */
  method: 'totp' | 'sms';
}

export class SuccessDto {
  /** @example true */
  success: true;
}
