import { Type } from 'class-transformer';
import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsObject, IsOptional, IsString, MaxLength, ValidateNested } from 'class-validator';
import { OptionalNotNull } from '../../../platform/validation/match.decorator.js';
import { SESSION_MODES } from '../../auth/dto/login.dto.js';
import { AuthenticationResponseDto, RequestOptionsDto } from './webauthn.dto.js';

export class PasskeySignInOptionsRequestDto {
  /**
   * Username or email. With it, only that account's passkeys are offered; without it, any passkey of this site the
   * browser holds may answer (discoverable credentials). @example "john.doe"
   */
  @IsOptional()
  @IsNotEmpty()
  @IsString()
  @MaxLength(191)
  username?: string;
}

export class PasskeySignInOptionsDto {
  /** Send it back with the assertion; single use, 5 minutes. @example "hD8n5tJ2kVw6bq2fC8S0xq9Yb9m4N0oVd2h3t5cUq1E" */
  challenge_token: string;
  options: RequestOptionsDto;
}

export class PasskeySignInDto {
  /** From `POST /api/login/passkey/options`. @example "hD8n5tJ2kVw6bq2fC8S0xq9Yb9m4N0oVd2h3t5cUq1E" */
  @IsNotEmpty()
  @IsString()
  @MaxLength(200)
  challenge_token: string;

  /** What `startAuthentication()` returned for those options. */
  @IsObject()
  @ValidateNested()
  @Type(() => AuthenticationResponseDto)
  response: AuthenticationResponseDto;

  /** Shown in the session list. @example "John's iPhone" */
  @IsOptional()
  @IsString()
  @MaxLength(255)
  device_name?: string;

  /** `cookie`: a browser session, as at `POST /api/login` (no token in the answer; the session cookie is set). @example "cookie" */
  @OptionalNotNull()
  @IsIn(SESSION_MODES)
  @ApiProperty({ enum: SESSION_MODES, required: false })
  session?: 'cookie';
}

export class SecondFactorPasskeyOptionsRequestDto {
  /** From the `POST /api/login` answer. @example "p8l1Cq0nAqk3m2mE0T7pZ3S8cQy4n6rW1Hh5dJf0aQo" */
  @IsNotEmpty()
  @IsString()
  @MaxLength(200)
  challenge_token: string;
}

export class SecondFactorPasskeyOptionsDto {
  options: RequestOptionsDto;
}
