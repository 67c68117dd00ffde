import { ApiProperty, PickType } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { AccountCredentialsDto } from '../../../core/users/account-credentials.dto.js';

/** Mailed tokens are 43 characters; anything much longer is not one of ours. */
export const TOKEN_MAX = 200;

/** Body of `POST /api/password/remind` and query of `GET /api/v1/auth/request-password`: the account's address. */
export class RemindPasswordDto extends PickType(AccountCredentialsDto, ['email'] as const) {}

export class RemindPasswordResponseDto {
  /** The same sentence whether or not the account exists. @example "If the account exists, an email has been sent to the provided address." */
  message: string;
}

/** The address the link was mailed to and the new password, with the rules registration applies. */
export class ResetPasswordDto extends PickType(AccountCredentialsDto, ['email', 'password', 'password_confirmation'] as const) {
  /** The token from the mailed link. */
  @IsNotEmpty()
  @IsString()
  @MaxLength(TOKEN_MAX)
  @ApiProperty({ maxLength: TOKEN_MAX })
  token: string;
}
