import { ApiProperty } from '@nestjs/swagger';

/** The multipart body of `POST /api/me/avatar` (documentation only: multer reads it, the service judges the bytes). */
export class UploadAvatarDto {
  @ApiProperty({
    type: 'string',
    format: 'binary',
    description: 'A JPEG, PNG, WebP or GIF image (judged by its content), at most 5 MB and 40 megapixels.',
  })
  file: unknown;
}
