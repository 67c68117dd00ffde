import { applyDecorators } from '@nestjs/common';
import {
  ApiExtraModels,
  ApiProperty,
  ApiResponse,
  getSchemaPath,
  type OpenAPIObject,
  type OperationObject,
  type ParameterObject,
  type PathItemObject,
  type ReferenceObject,
  type ResponseObject,
  type SchemaObject,
} from '@nestjs/swagger';
import { renderClientError } from './client/client-error.renderer.js';
import { renderLaravelError } from './vanguard/laravel-error.renderer.js';
import { DomainError, type FieldError } from '../platform/errors/domain-error.js';
import { toErrorReport } from '../platform/errors/error-report.js';
import type { RouteFamily } from '../platform/http/route-family.js';
import {
  causesOfStatus,
  renderErrorExample,
  statusOfCause,
  type ErrorCause,
  type ErrorCauseName,
  type ErrorFamily,
} from './error-examples.js';
import { resolveSchema } from '../platform/openapi/schema-ref.js';

/** `{message}` / `{message, errors}`: the error body of every non-client route. */
export class LaravelErrorDto {
  @ApiProperty({ example: 'The given data was invalid.' })
  message: string;

  @ApiProperty({
    required: false,
    additionalProperties: { type: 'array', items: { type: 'string' } },
    example: { username: ['The username field is required.'] },
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

/** Names the causes an error response documents (see documentCommonResponses); removed from the document. */
const CAUSES_EXTENSION = 'x-tessera-causes';

type MarkedResponse = ResponseObject & { [CAUSES_EXTENSION]?: string[] };

/**
 * A status documents the first cause of its row (see ERROR_CAUSES); a cause's name documents that cause under its
 * status. `@LaravelErrors(401, 'NOT_ADMIN')`: 401 for a missing credential, 403 for a caller who is not an admin.
 */
export type DocumentedError = number | ErrorCauseName;

function errorResponses(model: typeof LaravelErrorDto | typeof ClientErrorDto, errors: DocumentedError[]): MethodDecorator & ClassDecorator {
  const causesByStatus = new Map<number, string[]>();
  for (const error of errors) {
    const status = typeof error === 'number' ? error : statusOfCause(error);
    const causes = causesByStatus.get(status) ?? [];
    if (typeof error === 'string') causes.push(error);
    causesByStatus.set(status, causes);
  }
  return applyDecorators(
    ApiExtraModels(model),
    ...[...causesByStatus].map(([status, causes]) =>
      ApiResponse({ status, description: 'Error', schema: { $ref: getSchemaPath(model) }, [CAUSES_EXTENSION]: causes } as never),
    ),
  );
}

/** Documents the error statuses (or named causes) of a route outside /api/client. */
export const LaravelErrors = (...errors: DocumentedError[]): MethodDecorator & ClassDecorator => errorResponses(LaravelErrorDto, errors);

/** Documents the error statuses (or named causes) of a /api/client route. */
export const ClientErrors = (...errors: DocumentedError[]): MethodDecorator & ClassDecorator => errorResponses(ClientErrorDto, errors);

/**
 * Documents one error status with named examples, each the body the given DomainError gets in the family
 * (rendered by the family's own renderer, so the examples cannot drift from the answers). They come first among the
 * status's examples, before the causes of ERROR_CAUSES that apply (see documentCommonResponses).
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
      description: '',
      schema: { $ref: getSchemaPath(model) },
      examples: Object.fromEntries(
        Object.entries(examples).map(([name, { summary, error }]) => {
          const report = toErrorReport(error);
          return [name, { summary, value: family === 'client' ? renderClientError(report) : renderLaravelError(report) }];
        }),
      ),
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

/** The causes any operation of this kind can answer, whatever its handler does (CONTRACT §2, §9, §10). */
function commonCauses(path: string, operation: OperationObject): ErrorCauseName[] {
  const causes: ErrorCauseName[] = ['INTERNAL'];
  // Every route outside the health probes reads the database.
  if (path.startsWith('/api/')) causes.push('SERVICE_UNAVAILABLE');
  // A credential can be missing, expired or revoked, the account banned, an API key's address not allowed; the
  // general per-user rate limit applies.
  // An API key without the operation's scope, or on an operation closed to API keys.
  if ((operation.security ?? []).length > 0) {
    causes.push('UNAUTHENTICATED', 'ACCOUNT_BANNED', 'IP_NOT_ALLOWED', apiKeyScopeOf(operation) ? 'API_KEY_SCOPE_MISSING' : 'API_KEY_ROUTE_CLOSED', 'TOO_MANY_ATTEMPTS');
  }
  const body = operation.requestBody as { content?: Record<string, unknown> } | undefined;
  if (body) {
    // Malformed JSON (400), an over-size body (413), unknown fields or wrong types (422).
    if (body.content?.['application/json']) causes.push('MALFORMED_JSON');
    causes.push('PAYLOAD_TOO_LARGE', 'VALIDATION_FAILED');
  }
  // A body in a media type or charset the operation does not take (415); a query string is validated like a body,
  // and one the operation does not document is refused (422).
  if (path.startsWith('/api/')) causes.push('UNSUPPORTED_MEDIA_TYPE', 'VALIDATION_FAILED');
  return causes;
}

/** The scope the operation's bearer requirement names (issue 21's @Authenticated(scope) / @AdminOnly()). */
function apiKeyScopeOf(operation: OperationObject): string | undefined {
  return (operation.security ?? []).flatMap((requirement) => Object.values(requirement).flat())[0];
}

function queryParameters(operation: OperationObject): ParameterObject[] {
  return (operation.parameters ?? []).filter((parameter): parameter is ParameterObject => 'in' in parameter && parameter.in === 'query');
}

/** The fields of a request body schema (following `$ref` and `allOf`), required ones first. */
function bodyFields(document: OpenAPIObject, schema: SchemaObject | ReferenceObject | undefined): [string, SchemaObject, boolean][] {
  const resolved = resolveSchema(document, schema);
  if (!resolved) return [];
  const own = Object.entries(resolved.properties ?? {}).map(
    ([name, property]) => [name, resolveSchema(document, property) ?? {}, (resolved.required ?? []).includes(name)] as [string, SchemaObject, boolean],
  );
  const fields = [...own, ...(resolved.allOf ?? []).flatMap((part) => bodyFields(document, part))];
  return fields.sort((a, b) => Number(b[2]) - Number(a[2]));
}

/** The message the validation pipe gives when this field breaks a rule its schema states; undefined if it states none. */
function fieldErrorOf(name: string, schema: SchemaObject, required: boolean): FieldError | undefined {
  if (required) return { field: name, message: `The ${name} field is required.`, rule: 'required' };
  if (schema.enum) return { field: name, message: `The ${name} must be one of the following values: ${schema.enum.join(', ')}.`, rule: 'in' };
  if (schema.minimum !== undefined) return { field: name, message: `The ${name} must not be less than ${schema.minimum}.`, rule: 'min' };
  if (schema.maxLength !== undefined) {
    return { field: name, message: `The ${name} must be shorter than or equal to ${schema.maxLength} characters.`, rule: 'max' };
  }
  return undefined;
}

/** Every operation refuses fields it does not know. */
const UNKNOWN_FIELD: FieldError = { field: 'unknown_field', message: 'The unknown_field field is not allowed.', rule: 'prohibited' };

/** A validation failure on one of the operation's own inputs (a required body field first), else on an unknown field. */
function validationFieldOf(document: OpenAPIObject, operation: OperationObject): FieldError[] {
  const content = (operation.requestBody as { content?: Record<string, { schema?: SchemaObject | ReferenceObject }> } | undefined)?.content;
  const inputs: [string, SchemaObject, boolean][] = [
    ...bodyFields(document, Object.values(content ?? {})[0]?.schema),
    ...queryParameters(operation).map(
      (parameter) => [parameter.name, resolveSchema(document, parameter.schema) ?? {}, parameter.required ?? false] as [string, SchemaObject, boolean],
    ),
  ];
  for (const input of inputs) {
    const error = fieldErrorOf(...input);
    if (error) return [error];
  }
  return [UNKNOWN_FIELD];
}

type NamedExample = { summary: string; value: unknown };

/**
 * The description and examples of one error response: the examples its controller gave (@ErrorExamples) first,
 * then one per cause it documents, each body shown once.
 */
function describeError(
  document: OpenAPIObject,
  operation: OperationObject,
  family: ErrorFamily,
  status: number,
  names: string[],
  given: Record<string, NamedExample>,
): ResponseObject {
  const row = causesOfStatus(status);
  const chosen = names.length > 0 ? names : [Object.keys(row)[0]];
  const causes = chosen.map((name) => [name, row[name]] as [string, ErrorCause]);
  const model = family === 'client' ? ClientErrorDto : LaravelErrorDto;
  const examples: Record<string, NamedExample> = { ...given };
  const shown = new Set(Object.values(given).map((example) => JSON.stringify(example.value)));
  for (const [name, cause] of causes) {
    const fields = name === 'VALIDATION_FAILED' ? validationFieldOf(document, operation) : cause.fields;
    // The scope in the message is the operation's own.
    const message = cause.message.replace('<scope>', apiKeyScopeOf(operation) ?? '<scope>');
    const value = renderErrorExample(family, status, { ...cause, message }, fields);
    if (shown.has(JSON.stringify(value))) continue;
    shown.add(JSON.stringify(value));
    examples[name] = { summary: cause.when, value };
  }
  const whens = Object.values(examples).map((example) => example.summary);
  return {
    description: whens.length === 1 ? whens[0] : whens.map((when) => `- ${when}`).join('\n'),
    content: { 'application/json': { schema: { $ref: getSchemaPath(model) }, examples } },
  } as ResponseObject;
}

/**
 * Completes every operation of the document: public routes say so (`security: []`), and every error status gets a
 * description saying when it happens and one example per cause, in its family's body: the causes common to the
 * operation's kind (see commonCauses), those its controller names through @LaravelErrors / @ClientErrors, or else
 * the status's first cause.
 */
export function documentCommonResponses(document: OpenAPIObject): OpenAPIObject {
  for (const [path, item] of Object.entries(document.paths) as [string, PathItemObject][]) {
    const family: ErrorFamily = path === '/api/client' || path.startsWith('/api/client/') ? 'client' : 'laravel';
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (!operation) continue;
      operation.security ??= [];
      const causes = new Map<number, Set<string>>();
      const given = new Map<number, Record<string, NamedExample>>();
      const add = (status: number, name?: string): void => {
        const set = causes.get(status) ?? new Set<string>();
        if (name) set.add(name);
        causes.set(status, set);
      };
      // The causes the controller names come first: they are what sets this route apart.
      for (const [key, response] of Object.entries(operation.responses) as [string, MarkedResponse][]) {
        const status = Number(key);
        if (!(status >= 400)) continue;
        add(status);
        for (const name of response[CAUSES_EXTENSION] ?? []) add(status, name);
        given.set(status, (response.content?.['application/json']?.examples ?? {}) as Record<string, NamedExample>);
      }
      for (const name of commonCauses(path, operation)) add(statusOfCause(name), name);
      for (const [status, names] of [...causes].sort(([a], [b]) => a - b)) {
        operation.responses[status] = describeError(document, operation, family, status, [...names], given.get(status) ?? {});
      }
    }
  }
  return document;
}
