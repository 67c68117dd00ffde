import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsNotEmpty, IsObject, IsString, MaxLength, ValidateNested } from 'class-validator';
import { OptionalCurrentPasswordRules } from '../../../core/users/validation/field-rules.js';
import { CreationOptionsDto, RegistrationResponseDto } from './webauthn.dto.js';

export const PASSKEY_NAME_MAX = 100;

/** Proof for asking registration options (docs/security.md#proof-for-credential-changes): optional when the session signed in recently. */
export class PasskeyOptionsRequestDto {
  /** Required unless this session signed in within RECENT_AUTH_SECONDS. @example "correct horse battery staple" */
  @OptionalCurrentPasswordRules()
  current_password?: string;
}

export class CreatePasskeyDto {
  /** A label the user recognises the passkey by. @example "MacBook Touch ID" */
  @IsNotEmpty()
  @IsString()
  @MaxLength(PASSKEY_NAME_MAX)
  @ApiProperty({ maxLength: PASSKEY_NAME_MAX })
  name: string;

  /** What `startRegistration()` returned for the options of `POST /api/me/passkeys/options`. */
  @IsObject()
  @ValidateNested()
  @Type(() => RegistrationResponseDto)
  response: RegistrationResponseDto;

  /** Required unless this session signed in within RECENT_AUTH_SECONDS. @example "correct horse battery staple" */
  @OptionalCurrentPasswordRules()
  current_password?: string;
}

export class RenamePasskeyDto {
  /** @example "Work laptop" */
  @IsNotEmpty()
  @IsString()
  @MaxLength(PASSKEY_NAME_MAX)
  @ApiProperty({ maxLength: PASSKEY_NAME_MAX })
  name: string;
}

export class DeletePasskeyDto {
  /** Required unless this session signed in within RECENT_AUTH_SECONDS. @example "correct horse battery staple" */
  @OptionalCurrentPasswordRules()
  current_password?: string;
}

export class PasskeyDto {
  /** @example 7 */
  id: number;
  /** @example "MacBook Touch ID" */
  name: string;
  /** @example "2026-11-30 09:12:44" */
  created_at: string;
  /** Null until first used to sign in. @example "2026-12-01 18:03:10" */
  last_used_at: string | null;
  /** `multiDevice`: a synced passkey (iCloud Keychain, Google Password Manager); `singleDevice`: bound to one authenticator. @example "multiDevice" */
  @ApiProperty({ enum: ['singleDevice', 'multiDevice'] })
  device_type: 'singleDevice' | 'multiDevice';
  /** Whether the passkey is backed up (synced) now. @example true */
  backed_up: boolean;
  /** How the browser can reach the authenticator. @example ["internal", "hybrid"] */
  transports: string[];
}

export class PasskeyResponseDto {
  data: PasskeyDto;
}

export class PasskeyListDto {
  data: PasskeyDto[];
}

export class CreationOptionsResponseDto {
  data: CreationOptionsDto;
}
