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

  /**
   * The token of an organization invitation link (`/accept-invitation?token=…`) sent to this `email`: the account is
   * created with the address verified and joins the organization. A token that is not live: 400.
   * @example "q3Zk9mV0b2tlbi1leGFtcGxlLW5vdC1hLXJlYWwtb25lLTQzY2hhcnM"
   */
  @OptionalNotNull()
  @IsString()
  @MaxLength(128)
  @ApiProperty({ maxLength: 128, required: false })
  invitation_token?: string;
}

export class RegisterResponseDto {
  /**
   * True: a verification mail was sent; the account is Unconfirmed until the link is followed. False when an
   * `invitation_token` proved the address.
   */
  requires_email_confirmation: boolean;
}
