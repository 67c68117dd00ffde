import { ApiProperty } from '@nestjs/swagger';
import { IsEmail, IsNotEmpty, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { Match } from '../../platform/validation/match.decorator.js';
import { EMAIL_MAX, PASSWORD_MAX, PASSWORD_MIN, USERNAME_MESSAGE, USERNAME_PATTERN } from '../../platform/validation/rules.js';

/** The fields that make an account's credentials, with the rules every route that sets them applies. */
export class AccountCredentialsDto {
  /** @example "john@example.com" */
  @IsNotEmpty()
  @IsString()
  @MaxLength(EMAIL_MAX)
  @IsEmail()
  @ApiProperty({ maxLength: EMAIL_MAX })
  email: string;

  /** Letters, digits, `.`, `_`, `-`; 3 to 50 characters. @example "john.doe" */
  @IsNotEmpty()
  @IsString()
  @Matches(USERNAME_PATTERN, { message: USERNAME_MESSAGE })
  @ApiProperty({ pattern: USERNAME_PATTERN.source, minLength: 3, maxLength: 50 })
  username: string;

  /** 8 to 1024 characters. @example "correct horse battery staple" */
  @IsNotEmpty()
  @IsString()
  @MinLength(PASSWORD_MIN)
  @MaxLength(PASSWORD_MAX)
  @ApiProperty({ minLength: PASSWORD_MIN, maxLength: PASSWORD_MAX })
  password: string;

  /** Must equal `password`. @example "correct horse battery staple" */
  @IsNotEmpty()
  @IsString()
  @Match('password')
  password_confirmation: string;
}
