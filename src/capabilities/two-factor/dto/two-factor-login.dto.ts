import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsNotEmpty, IsObject, IsString, MaxLength, ValidateIf, ValidateNested } from 'class-validator';
import { ProhibitedWith } from '../../../platform/validation/match.decorator.js';
import { AuthenticationResponseDto } from '../../passkeys/dto/webauthn.dto.js';

export class CompleteTwoFactorLoginDto {
  /** From the `POST /api/login` answer. @example "q3Xv9Lz0bN4cR7tY1wE6uI8oP2aS5dF0gH3jK6lM9nB" */
  @IsNotEmpty()
  @IsString()
  @MaxLength(200)
  challenge_token: string;

  /** The authenticator or SMS code; required unless `recovery_code` or `passkey` is sent. @example "123456" */
  @ValidateIf((dto: CompleteTwoFactorLoginDto) => (dto.recovery_code === undefined && dto.passkey === undefined) || dto.code !== undefined)
  @IsNotEmpty()
  @IsString()
  @MaxLength(16)
  @ApiProperty({ minLength: 1, maxLength: 16 })
  code?: string;

  /** One of the recovery codes, instead of `code`. @example "abcde-fghij" */
  @ValidateIf((dto: CompleteTwoFactorLoginDto) => dto.recovery_code !== undefined)
  @ProhibitedWith('code')
  @IsNotEmpty()
  @IsString()
  @MaxLength(32)
  @ApiProperty({ minLength: 1, maxLength: 32 })
  recovery_code?: string;

  /**
   * Instead of `code`: what `startAuthentication()` returned for the options of
   * `POST /api/login/two-factor/passkey-options`.
   */
  @ValidateIf((dto: CompleteTwoFactorLoginDto) => dto.passkey !== undefined)
  @ProhibitedWith('code')
  @ProhibitedWith('recovery_code')
  @IsObject()
  @ValidateNested()
  @Type(() => AuthenticationResponseDto)
  passkey?: AuthenticationResponseDto;
}
