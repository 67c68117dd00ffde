import { applyDecorators } from '@nestjs/common';
import {
  ApiExtraModels,
  ApiProperty,
  ApiResponse,
  getSchemaPath,
  type OpenAPIObject,
  type OperationObject,
  type PathItemObject,
} from '@nestjs/swagger';
import { renderClientError } from '../../dialects/client/client-error.renderer.js';
import { renderLaravelError } from '../../dialects/vanguard/laravel-error.renderer.js';
import { DomainError } from '../errors/domain-error.js';
import { toErrorReport } from '../errors/error-report.js';
import type { RouteFamily } from '../http/route-family.js';

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
  403: 'Banned account, an API key on a credential change, recent authentication required, address not allowed, API key without the scope, or not an admin',
  404: 'Not found (or registration/two-factor switched off)',
  413: 'Body or upload too large',
  415: 'The body is not in a media type the operation documents, or not in UTF-8',
  422: 'Validation failed',
  429: 'Too many attempts (see Retry-After)',
  500: 'Unexpected server error (the body says nothing internal)',
  502: 'The SMS gateway failed',
  503: 'The database is unavailable, or the server is at capacity: no password-hashing slot within 2 s, or the avatar line is full (see Retry-After)',
};

/** 429 and 503 tell the client when to come back. */
const RETRY_AFTER_HEADERS = {
  'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer', minimum: 1, example: 900 } },
};
const headersOf = (status: number) => (status === 429 || status === 503 ? { headers: RETRY_AFTER_HEADERS } : {});

function errorResponses(model: typeof LaravelErrorDto | typeof ClientErrorDto, statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiExtraModels(model),
    ...statuses.map((status) =>
      ApiResponse({ status, description: DESCRIPTIONS[status] ?? 'Error', schema: { $ref: getSchemaPath(model) }, ...headersOf(status) }),
    ),
  );
}

/** Documents the error statuses of a route outside /api/client. */
export const LaravelErrors = (...statuses: number[]): MethodDecorator & ClassDecorator => errorResponses(LaravelErrorDto, statuses);

/** Documents the error statuses of a /api/client route. */
export const ClientErrors = (...statuses: number[]): MethodDecorator & ClassDecorator => errorResponses(ClientErrorDto, statuses);

/** The body a DomainError gets in a family, exactly as the exception filter renders it. */
function bodyOf(family: RouteFamily, error: DomainError): unknown {
  const report = toErrorReport(error);
  return family === 'client' ? renderClientError(report) : renderLaravelError(report);
}

/**
 * Documents one error status with named examples, each the body the given DomainError gets in the family
 * (rendered by the family's own renderer, so the examples cannot drift from the answers).
 */
export function ErrorExamples(
  family: RouteFamily,
  status: number,
  examples: Record<string, { summary: string; error: DomainError }>,
): MethodDecorator & ClassDecorator {
  const model = family === 'client' ? ClientErrorDto : LaravelErrorDto;
  return applyDecorators(
    ApiExtraModels(model),
    ApiResponse({
      status,
      description: DESCRIPTIONS[status] ?? 'Error',
      schema: { $ref: getSchemaPath(model) },
      examples: Object.fromEntries(
        Object.entries(examples).map(([name, { summary, error }]) => [name, { summary, value: bodyOf(family, error) }]),
      ),
      ...headersOf(status),
    }),
  );
}

/**
 * The answers of a credential change (CONTRACT §2): 403 for an API key (and, where the body's password is optional,
 * for a session that did not sign in recently), 429 with Retry-After once wrong proofs of the account reached the
 * login limit (the calling session is revoked then).
 */
export function ProofRequiredErrors(family: RouteFamily, options: { recentLogin: boolean }): MethodDecorator & ClassDecorator {
  const forbidden: Record<string, { summary: string; error: DomainError }> = {
    apiKey: { summary: 'An API key, whatever the body says', error: new DomainError('API_KEY_FORBIDDEN') },
  };
  if (options.recentLogin) {
    forbidden.recentLogin = {
      summary: 'No current_password, and the session did not sign in recently',
      error: new DomainError('RECENT_AUTH_REQUIRED'),
    };
  }
  return applyDecorators(
    ErrorExamples(family, 403, forbidden),
    ErrorExamples(family, 429, {
      tooManyProofs: { summary: 'Too many wrong passwords for this account; the session was signed out', error: new DomainError('TOO_MANY_ATTEMPTS') },
    }),
  );
}

export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

/** The statuses any operation of this kind can answer, whatever its handler does (CONTRACT §2, §9, §10). */
function commonStatuses(path: string, operation: OperationObject): number[] {
  const statuses = [500];
  // Every route outside the health probes reads the database.
  if (path.startsWith('/api/')) statuses.push(503);
  // A credential can be missing, expired or revoked, the account banned, the address not allowed; the general
  // per-user rate limit applies.
  if ((operation.security ?? []).length > 0) statuses.push(401, 403, 429);
  // Malformed JSON (400), an over-size body (413), unknown fields or wrong types (422).
  if (operation.requestBody) statuses.push(400, 413, 422);
  // A body in a media type or charset the operation does not take (415); a query string is validated like a body,
  // and one the operation does not document is refused (422).
  if (path.startsWith('/api/')) statuses.push(415, 422);
  return statuses;
}

/**
 * Completes every operation of the document: public routes say so (`security: []`), and each operation lists the
 * error statuses common to its kind (see commonStatuses) with its family's error body, besides the ones its
 * controller documents through @LaravelErrors / @ClientErrors.
 */
export function documentCommonResponses(document: OpenAPIObject): OpenAPIObject {
  for (const [path, item] of Object.entries(document.paths) as [string, PathItemObject][]) {
    const model = path === '/api/client' || path.startsWith('/api/client/') ? ClientErrorDto : LaravelErrorDto;
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (!operation) continue;
      operation.security ??= [];
      for (const response of Object.values(operation.responses) as Array<{ description?: string }>) {
        // A status documented by two decorators (the route's statuses and its examples) gets both descriptions.
        if (response.description) response.description = [...new Set(response.description.split('\n\n'))].join('\n\n');
      }
      for (const status of commonStatuses(path, operation)) {
        operation.responses[status] ??= {
          description: DESCRIPTIONS[status] ?? 'Error',
          ...headersOf(status),
          content: { 'application/json': { schema: { $ref: getSchemaPath(model) } } },
        };
      }
    }
  }
  return document;
}
