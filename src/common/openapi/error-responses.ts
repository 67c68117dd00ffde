import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiResponse, getSchemaPath, ApiExtraModels } from '@nestjs/swagger';

/** `{message}` / `{message, errors}`: the error body of every non-client route. */
export class LaravelErrorDto {
  @ApiProperty({ example: 'The given data was invalid.' })
  message: string;

  @ApiProperty({
    required: false,
    additionalProperties: { type: 'array', items: { type: 'string' } },
    example: { username: ['These credentials do not match our records.'] },
  })
  errors?: Record<string, string[]>;
}

class ClientErrorMetaDto {
  @ApiProperty({ example: 'description' })
  source_field: string;

  @ApiProperty({ example: 'required' })
  rule: string;
}

class ClientErrorItemDto {
  @ApiProperty({ example: 'ValidationException' })
  code: string;

  @ApiProperty({ example: '422' })
  status: string;

  @ApiProperty({ example: 'The description field is required.' })
  detail: string;

  @ApiProperty({ required: false, type: ClientErrorMetaDto })
  meta?: ClientErrorMetaDto;
}

/** `{errors: [{code, status, detail, meta}]}`: the error body of the /api/client family. */
export class ClientErrorDto {
  @ApiProperty({ type: [ClientErrorItemDto] })
  errors: ClientErrorItemDto[];
}

const DESCRIPTIONS: Record<number, string> = {
  400: 'Bad request (malformed JSON, a wrong current password, a limit reached)',
  401: 'Missing, malformed, expired or revoked credential',
  403: 'Banned account, recent authentication required, address not allowed, or not an admin',
  404: 'Not found (or registration/two-factor switched off)',
  413: 'Body or upload too large',
  422: 'Validation failed',
  429: 'Too many attempts (see Retry-After)',
  502: 'The SMS gateway failed',
  503: 'The database is unavailable (see Retry-After)',
};

function errorResponses(model: typeof LaravelErrorDto | typeof ClientErrorDto, statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiExtraModels(model),
    ...statuses.map((status) =>
      ApiResponse({ status, description: DESCRIPTIONS[status] ?? 'Error', schema: { $ref: getSchemaPath(model) } }),
    ),
  );
}

/** Documents the error statuses of a route outside /api/client. */
export const LaravelErrors = (...statuses: number[]): MethodDecorator & ClassDecorator => errorResponses(LaravelErrorDto, statuses);

/** Documents the error statuses of a /api/client route. */
export const ClientErrors = (...statuses: number[]): MethodDecorator & ClassDecorator => errorResponses(ClientErrorDto, statuses);
