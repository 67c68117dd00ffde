import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsNotEmpty, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { PASSWORD_MAX } from '../../../platform/validation/rules.js';
import { VanguardUserResponseDto } from '../../../dialects/vanguard/dto/vanguard-user.dto.js';
import { OptionalCurrentPasswordRules } from '../../../core/users/validation/field-rules.js';

/** The seed documents both fields as numbers; digit strings are taken as well. */
const digitsAsNumber = ({ value }: { value: unknown }): unknown => (typeof value === 'string' && /^\d{1,3}$/.test(value) ? Number(value) : value);
const numberAsDigits = ({ value }: { value: unknown }): unknown => (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? String(value) : value);

export class StartSmsTwoFactorDto {
  /** The international calling code, without `+`. @example 381 */
  @IsNotEmpty()
  @Transform(digitsAsNumber)
  @IsInt()
  @Min(1)
  @Max(999)
  @ApiProperty({ type: 'integer' })
  country_code: number;

  /** The national number, digits only (a JSON number is accepted). @example "641234567" */
  @IsNotEmpty()
  @Transform(numberAsDigits)
  @IsString()
  @Matches(/^\d{4,15}$/, { message: 'phone_number must be 4 to 15 digits' })
  phone_number: string;

  /** Proof of identity: needed unless this session signed in within RECENT_AUTH_SECONDS (15 minutes by default). @example "my current password" */
  @OptionalCurrentPasswordRules()
  current_password?: string;
}

export class VerifySmsTwoFactorDto {
  /** The code received by SMS. @example "123456" */
  @IsNotEmpty()
  @IsString()
  @MaxLength(16)
  token: string;

  /** Proof of identity: needed unless this session signed in within RECENT_AUTH_SECONDS (15 minutes by default). @example "my current password" */
  @OptionalCurrentPasswordRules()
  current_password?: string;
}

export class DisableSmsTwoFactorDto {
  /** Proof of identity: needed unless this session signed in within RECENT_AUTH_SECONDS (15 minutes by default). @example "my current password" */
  @OptionalCurrentPasswordRules()
  current_password?: string;
}

export class RegenerateRecoveryCodesDto {
  /** The current password. */
  @IsNotEmpty()
  @IsString()
  @MaxLength(PASSWORD_MAX)
  @ApiProperty({ maxLength: PASSWORD_MAX })
  password: string;
}

export class RecoveryCodesMetaDto {
  /** 10 single-use recovery codes, shown only in this response. @example ["abcde-fghij", "klmno-pqrst"] */
  recovery_codes: string[];
}

export class VanguardUserWithRecoveryCodesDto extends VanguardUserResponseDto {
  meta: RecoveryCodesMetaDto;
}
