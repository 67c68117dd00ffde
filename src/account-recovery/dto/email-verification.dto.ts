import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { TOKEN_MAX } from './password-reset.dto.js';

export class VerifyEmailDto {
  /** The token from the mailed link. */
  @IsNotEmpty()
  @IsString()
  @MaxLength(TOKEN_MAX)
  @ApiProperty({ maxLength: TOKEN_MAX })
  token: string;
}
