import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { TOKEN_MAX } from './password-reset.dto.js';

export class VerifyEmailDto {
  /** The token from the mailed link: a verification link, or the confirmation of a pending email change. @example "Zk3v9XbQ7yH2mL5pR8tW1nC4fJ6sD0gA9eU3iO7kPqM" */
  @IsNotEmpty()
  @IsString()
  @MaxLength(TOKEN_MAX)
  @ApiProperty({ maxLength: TOKEN_MAX })
  token: string;
}

export class CancelEmailChangeDto {
  /** The token from the cancel link mailed to the current address (`/cancel-email-change?token=…`). @example "q0Nc5mR1b7wVYc9kX2pLrT4uZ8eA3sD6fG1hJ0kMnOp" */
  @IsNotEmpty()
  @IsString()
  @MaxLength(TOKEN_MAX)
  @ApiProperty({ maxLength: TOKEN_MAX })
  token: string;
}
