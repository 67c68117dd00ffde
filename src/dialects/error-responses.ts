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
import { DomainError, type ErrorEntry, type FieldError } from '../platform/errors/domain-error.js';
import { PLATFORM_ERRORS } from '../platform/errors/errors.js';
import { toErrorReport } from '../platform/errors/error-report.js';
import type { RouteFamily } from '../platform/http/route-family.js';
import { resolveSchema } from '../platform/openapi/schema-ref.js';
import { SMS_ERRORS } from '../platform/sms/errors.js';
import { CREDENTIAL_ERRORS } from '../core/credentials/errors.js';

/** The two error shapes: `{message, errors}` everywhere but /api/client, `{errors: [...]}` there. */
type ErrorFamily = 'laravel' | 'client';

/** The body `family` sends for `error`: the family's own renderer, so examples are the bodies the routes send. */
function errorBody(family: ErrorFamily, error: DomainError): unknown {
  const report = toErrorReport(error);
  return family === 'client' ? renderClientError(report) : renderLaravelError(report);
}

/** `{message}` / `{message, errors}`: the error body of every non-client route. */
export class LaravelErrorDto {
  @ApiProperty({ example: PLATFORM_ERRORS.VALIDATION_FAILED.message })
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

/** Holds the catalogue entries an error response documents (see documentCommonResponses); removed from the document. */
const CAUSES_EXTENSION = 'x-tessera-causes';

type MarkedResponse = ResponseObject & { [CAUSES_EXTENSION]?: ErrorEntry[] };

/**
 * What a bare status documents when neither the route nor its kind (see commonCauses) names an entry of that status.
 */
const ENTRY_OF_BARE_STATUS = new Map<number, ErrorEntry>(
  [
    PLATFORM_ERRORS.MALFORMED_JSON,
    PLATFORM_ERRORS.UNAUTHENTICATED,
    CREDENTIAL_ERRORS.ACCOUNT_BANNED,
    PLATFORM_ERRORS.NOT_FOUND,
    PLATFORM_ERRORS.METHOD_NOT_ALLOWED,
    PLATFORM_ERRORS.PAYLOAD_TOO_LARGE,
    PLATFORM_ERRORS.UNSUPPORTED_MEDIA_TYPE,
    PLATFORM_ERRORS.VALIDATION_FAILED,
    PLATFORM_ERRORS.TOO_MANY_ATTEMPTS,
    PLATFORM_ERRORS.INTERNAL,
    SMS_ERRORS.GATEWAY_FAILED,
    PLATFORM_ERRORS.SERVICE_UNAVAILABLE,
  ].map((entry) => [entry.status, entry]),
);

/**
 * An entry of an error catalogue documents that error under its status; a bare status documents the generic error of
 * that status. `@LaravelErrors(401, CREDENTIAL_ERRORS.NOT_ADMIN)`: 401 for a missing credential, 403 for a caller
 * who is not an admin.
 */
export type DocumentedError = number | ErrorEntry;

function errorResponses(model: typeof LaravelErrorDto | typeof ClientErrorDto, errors: DocumentedError[]): MethodDecorator & ClassDecorator {
  const causesByStatus = new Map<number, ErrorEntry[]>();
  for (const error of errors) {
    const status = typeof error === 'number' ? error : error.status;
    const causes = causesByStatus.get(status) ?? [];
    if (typeof error !== 'number') causes.push(error);
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

/** An example of an error on one route: what the route's caller did, in the route's own words. */
export interface RouteErrorExample {
  summary: string;
  error: ErrorEntry;
}

/**
 * Documents one error status with named examples, each the body of a catalogue entry in the family. They come first
 * among the status's examples, before the entries that apply to every operation of the kind (see
 * documentCommonResponses).
 */
export function ErrorExamples(family: RouteFamily, status: number, examples: Record<string, RouteErrorExample>): MethodDecorator & ClassDecorator {
  const model = family === 'client' ? ClientErrorDto : LaravelErrorDto;
  const errorFamily: ErrorFamily = family === 'client' ? 'client' : 'laravel';
  return applyDecorators(
    ApiExtraModels(model),
    ApiResponse({
      status,
      description: '',
      schema: { $ref: getSchemaPath(model) },
      examples: Object.fromEntries(
        Object.entries(examples).map(([name, { summary, error }]) => [name, { summary, value: errorBody(errorFamily, new DomainError(error)) }]),
      ),
    }),
  );
}

/**
 * The answers of a credential change: 403 for an API key (and, where the body's password is optional, for a session
 * that did not sign in recently; where it adds a credential, for an account whose address is not proven yet), 429
 * with Retry-After once the session's own wrong proofs reached the login limit (the session is revoked then;
 * failures others sent never do that).
 */
export function ProofRequiredErrors(family: RouteFamily, options: { recentLogin: boolean; addsCredential?: boolean }): MethodDecorator & ClassDecorator {
  const forbidden: Record<string, RouteErrorExample> = {
    apiKey: { summary: 'An API key, whatever the body says', error: CREDENTIAL_ERRORS.API_KEY_FORBIDDEN },
  };
  if (options.recentLogin) {
    forbidden.recentLogin = {
      summary: 'No current_password, and the session did not sign in recently',
      error: CREDENTIAL_ERRORS.RECENT_AUTH_REQUIRED,
    };
  }
  if (options.addsCredential) {
    forbidden.addressNotVerified = {
      summary: 'The account’s email address is not verified yet: nothing is created or sent',
      error: CREDENTIAL_ERRORS.ADDRESS_NOT_VERIFIED,
    };
  }
  return applyDecorators(
    ErrorExamples(family, 403, forbidden),
    ErrorExamples(family, 429, {
      tooManyProofs: { summary: 'Too many wrong passwords from this session; the session was signed out', error: PLATFORM_ERRORS.TOO_MANY_ATTEMPTS },
    }),
  );
}

/** The 429s of a sign-in step, each named: what was spent. */
export function SignInLimitErrors(options: { countsSignIns: boolean; textsCode: boolean }): MethodDecorator & ClassDecorator {
  const { TOO_MANY_ATTEMPTS } = PLATFORM_ERRORS;
  const examples: Record<string, RouteErrorExample> = {
    lockedOut: {
      summary:
        'Too many failed sign-ins of this account from this address or from everywhere, or from this address: even the right ' +
        'password waits for Retry-After. A device that sent its X-Device-Token is judged on its own failures instead',
      error: TOO_MANY_ATTEMPTS,
    },
  };
  if (options.countsSignIns) {
    examples.signInsSpent = {
      summary: 'This address signed in RATE_LIMIT_LOGIN_PER_IP times in 10 minutes, or this account RATE_LIMIT_LOGIN_PER_ACCOUNT times in an hour',
      error: TOO_MANY_ATTEMPTS,
    };
  }
  if (options.textsCode) {
    examples.loginTextsSpent = {
      summary: "SMS two-factor: the hour's login texts of this account, its number, this address or the deployment are spent",
      error: TOO_MANY_ATTEMPTS,
    };
  }
  return ErrorExamples('vanguard', 429, examples);
}

export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

/** The errors any operation of this kind can answer, whatever its handler does. */
function commonCauses(path: string, method: (typeof HTTP_METHODS)[number], operation: OperationObject): ErrorEntry[] {
  const { INTERNAL, SERVICE_UNAVAILABLE, UNAUTHENTICATED, TOO_MANY_ATTEMPTS, MALFORMED_JSON, PAYLOAD_TOO_LARGE, VALIDATION_FAILED, UNSUPPORTED_MEDIA_TYPE } =
    PLATFORM_ERRORS;
  const { ACCOUNT_BANNED, IP_NOT_ALLOWED, API_KEY_SCOPE_MISSING, API_KEY_ROUTE_CLOSED } = CREDENTIAL_ERRORS;
  const causes: ErrorEntry[] = [INTERNAL];
  // Every route outside the health probes reads the database.
  if (path.startsWith('/api/')) causes.push(SERVICE_UNAVAILABLE);
  // A credential can be missing, expired or revoked, the account banned, an API key's address not allowed; the
  // general per-user rate limit applies.
  // An API key without the operation's scope, or on an operation closed to API keys.
  if ((operation.security ?? []).length > 0) {
    causes.push(UNAUTHENTICATED, ACCOUNT_BANNED, IP_NOT_ALLOWED, apiKeyScopeOf(operation) ? API_KEY_SCOPE_MISSING : API_KEY_ROUTE_CLOSED, TOO_MANY_ATTEMPTS);
    // Authenticated by the browser session cookie, a request that changes something must come from the site.
    if (method !== 'get') causes.push(CREDENTIAL_ERRORS.CROSS_SITE_REFUSED);
  }
  const body = operation.requestBody as { content?: Record<string, unknown> } | undefined;
  if (body) {
    // Malformed JSON (400), an over-size body (413), unknown fields or wrong types (422).
    if (body.content?.['application/json']) causes.push(MALFORMED_JSON);
    causes.push(PAYLOAD_TOO_LARGE, VALIDATION_FAILED);
  }
  // A body in a media type or charset the operation does not take (415); a query string is validated like a body,
  // and one the operation does not document is refused (422).
  if (path.startsWith('/api/')) causes.push(UNSUPPORTED_MEDIA_TYPE, VALIDATION_FAILED);
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

/** The error of `entry` as this operation would answer it. */
function exampleError(document: OpenAPIObject, operation: OperationObject, entry: ErrorEntry): DomainError {
  // A validation failure names one of the operation's own fields.
  if (entry.code === PLATFORM_ERRORS.VALIDATION_FAILED.code) return new DomainError(entry, { fields: validationFieldOf(document, operation) });
  // The scope in the message is the operation's own.
  const scope = apiKeyScopeOf(operation);
  return new DomainError(entry, { params: scope === undefined ? {} : { scope } });
}

/**
 * The description and examples of one error response: the examples its controller gave (@ErrorExamples) first,
 * then one per catalogue entry it documents (named after the entry's code, described by its `when`), each body
 * shown once.
 */
function describeError(
  document: OpenAPIObject,
  operation: OperationObject,
  family: ErrorFamily,
  status: number,
  entries: ErrorEntry[],
  given: Record<string, NamedExample>,
): ResponseObject {
  const chosen = entries.length > 0 ? entries : [ENTRY_OF_BARE_STATUS.get(status)];
  const model = family === 'client' ? ClientErrorDto : LaravelErrorDto;
  const examples: Record<string, NamedExample> = { ...given };
  const shown = new Set(Object.values(given).map((example) => JSON.stringify(example.value)));
  for (const entry of chosen) {
    if (!entry) throw new Error(`${operation.operationId}: no catalogue entry documents status ${status}; name one`);
    const value = errorBody(family, exampleError(document, operation, entry));
    if (shown.has(JSON.stringify(value))) continue;
    shown.add(JSON.stringify(value));
    examples[entry.code] = { summary: entry.when, value };
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
      // Per status, the entries it documents by code (an entry named twice is documented once).
      const causes = new Map<number, Map<string, ErrorEntry>>();
      const given = new Map<number, Record<string, NamedExample>>();
      const add = (status: number, entry?: ErrorEntry): void => {
        const entries = causes.get(status) ?? new Map<string, ErrorEntry>();
        if (entry && !entries.has(entry.code)) entries.set(entry.code, entry);
        causes.set(status, entries);
      };
      // The causes the controller names come first: they are what sets this route apart.
      for (const [key, response] of Object.entries(operation.responses) as [string, MarkedResponse][]) {
        const status = Number(key);
        if (!(status >= 400)) continue;
        add(status);
        for (const entry of response[CAUSES_EXTENSION] ?? []) add(status, entry);
        given.set(status, (response.content?.['application/json']?.examples ?? {}) as Record<string, NamedExample>);
      }
      for (const entry of commonCauses(path, method, operation)) add(entry.status, entry);
      for (const [status, entries] of [...causes].sort(([a], [b]) => a - b)) {
        operation.responses[status] = describeError(document, operation, family, status, [...entries.values()], given.get(status) ?? {});
      }
    }
  }
  return document;
}
