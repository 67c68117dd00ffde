import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { MAX_EXTERNAL_URL_LENGTH } from '../avatar.service.js';

export class ExternalAvatarDto {
  /**
   * An http or https URL of an image; stored as given and never fetched by the server. No credentials.
   * @example https://s.gravatar.com/avatar/20208b38fbb6018920da7d038fbc58dc?s=80
   */
  @IsNotEmpty()
  @IsString()
  @MaxLength(MAX_EXTERNAL_URL_LENGTH)
  @ApiProperty({ maxLength: MAX_EXTERNAL_URL_LENGTH, format: 'uri' })
  url: string;
}
