import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { PASSWORD_MAX } from '../../../platform/validation/rules.js';

export class EnableTotpDto {
  /** The current 6-digit code of the authenticator app. @example "123456" */
  @IsNotEmpty()
  @IsString()
  @MaxLength(16)
  code: string;

  /** The current password; checked before the code. */
  @IsNotEmpty()
  @IsString()
  @MaxLength(PASSWORD_MAX)
  @ApiProperty({ maxLength: PASSWORD_MAX })
  password: string;
}

export class TotpPasswordDto {
  /** The current password. */
  @IsNotEmpty()
  @IsString()
  @MaxLength(PASSWORD_MAX)
  @ApiProperty({ maxLength: PASSWORD_MAX })
  password: string;
}

export class TotpSetupDataDto {
  /** The Key URI for authenticator apps. @example "otpauth://totp/Tessera:john%40example.com?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Tessera&algorithm=SHA1&digits=6&period=30" */
  image_url_data: string;
  /** The pending secret in base32, for manual entry. @example "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP" */
  secret: string;
  /** The Key URI as an SVG QR code in a data URL. @example "data:image/svg+xml;base64,PHN2ZyB4bWxucz0…" */
  qr_code: string;
}

export class TotpSetupDto {
  data: TotpSetupDataDto;
}

export class RecoveryTokensAttributesDto {
  /** 10 single-use recovery codes, shown only now. @example ["abcde-fghij", "klmno-pqrst"] */
  tokens: string[];
}

export class RecoveryTokensDto {
  /** @example "recovery_tokens" */
  object: 'recovery_tokens';
  attributes: RecoveryTokensAttributesDto;
}
