import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';
import { AccountCredentialsDto } from '../../../core/users/account-credentials.dto.js';
import { OptionalNotNull } from '../../../platform/validation/match.decorator.js';
import { NAME_MAX } from '../../../platform/validation/rules.js';

export class RegisterDto extends AccountCredentialsDto {
  /** @example "John" */
  @OptionalNotNull()
  @IsString()
  @MaxLength(NAME_MAX)
  @ApiProperty({ maxLength: NAME_MAX })
  first_name?: string;

  /** @example "Doe" */
  @OptionalNotNull()
  @IsString()
  @MaxLength(NAME_MAX)
  @ApiProperty({ maxLength: NAME_MAX })
  last_name?: string;
}

export class RegisterResponseDto {
  /** True: a verification mail was sent; the account is Unconfirmed until the link is followed. */
  requires_email_confirmation: boolean;
}
