import type {
  HeaderObject,
  OpenAPIObject,
  OperationObject,
  PathItemObject,
  ReferenceObject,
  ResponseObject,
  SchemaObject,
} from '@nestjs/swagger';
import { CompleteTwoFactorLoginDto } from '../capabilities/two-factor/dto/two-factor-login.dto.js';

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;
const SCHEMA_PREFIX = '#/components/schemas/';

type Schema = SchemaObject & ReferenceObject;

function* schemasUnder(value: unknown): Generator<Schema> {
  if (Array.isArray(value)) for (const item of value) yield* schemasUnder(item);
  else if (typeof value === 'object' && value !== null) {
    yield value as Schema;
    for (const child of Object.values(value)) yield* schemasUnder(child);
  }
}

/** The component schemas a request body refers to, directly or through nested DTOs. */
function requestComponents(document: OpenAPIObject): Set<string> {
  const names = new Set<string>();
  const pending: unknown[] = [];
  for (const item of Object.values(document.paths) as PathItemObject[]) {
    for (const method of METHODS) pending.push((item[method]?.requestBody as { content?: unknown } | undefined)?.content);
  }
  while (pending.length > 0) {
    for (const schema of schemasUnder(pending.pop())) {
      if (typeof schema.$ref !== 'string' || !schema.$ref.startsWith(SCHEMA_PREFIX)) continue;
      const name = schema.$ref.slice(SCHEMA_PREFIX.length);
      if (names.has(name)) continue;
      names.add(name);
      pending.push(document.components?.schemas?.[name]);
    }
  }
  return names;
}

/**
 * Makes a request-body schema say what the server accepts (issue 19, item 7): unknown keys are refused
 * (`additionalProperties: false`, like the InputGuardPipe), and a required string is never empty (the server
 * answers "required" for `""`).
 */
function tighten(schema: SchemaObject): void {
  if (!schema.properties) return;
  schema.additionalProperties = false;
  for (const name of schema.required ?? []) {
    const property = schema.properties[name] as SchemaObject;
    if (property.type === 'string' && property.format !== 'binary' && property.minLength === undefined && property.enum === undefined) {
      property.minLength = 1;
    }
  }
}

/** `code`, `recovery_code` or `passkey`, one of them only (ProhibitedWith on the DTO). */
function exclusiveSecondFactor(schema: SchemaObject): void {
  schema.oneOf = [{ required: ['code'] }, { required: ['recovery_code'] }, { required: ['passkey'] }];
  schema.example = { challenge_token: 'dGhpcyBpcyBhIGNoYWxsZW5nZQ', code: '123456' };
}

/**
 * A multipart body is one flat form. A DTO plus a file part (`allOf`, see multipart-file.ts) becomes one closed object
 * (an `allOf` of a closed DTO schema and the file would refuse the file); each part gets its encoding.
 */
function flattenMultipart(document: OpenAPIObject, media: { schema?: Schema; encoding?: Record<string, unknown> }): void {
  const resolve = (part: Schema): SchemaObject =>
    part.$ref ? (document.components?.schemas?.[part.$ref.slice(SCHEMA_PREFIX.length)] as SchemaObject) : part;
  let form: SchemaObject | undefined = media.schema ? resolve(media.schema) : undefined;
  if (media.schema?.allOf) {
    const merged: SchemaObject = { type: 'object', properties: {}, required: [], additionalProperties: false };
    for (const part of media.schema.allOf as Schema[]) {
      Object.assign(merged.properties!, resolve(part).properties);
      merged.required!.push(...(resolve(part).required ?? []));
    }
    if (merged.required!.length === 0) delete merged.required;
    media.schema = merged as Schema;
    form = merged;
  }
  const encoding: Record<string, { contentType: string }> = {};
  for (const [name, property] of Object.entries(form?.properties ?? {}) as [string, Schema][]) {
    // A nested DTO travels as JSON text in a plain field (`settings={"public_profile":true}`; `settings[public_profile]=1`
    // works too), so it gets no encoding: declared `application/json`, Swagger UI sends it as a file part ("blob"),
    // which the upload refuses as an unknown file field (test/browser/swagger-ui.browser-spec.ts).
    if (property.format === 'binary') encoding[name] = { contentType: 'image/jpeg, image/png, image/webp, image/gif' };
  }
  if (Object.keys(encoding).length > 0) media.encoding = encoding;
}

const HEADERS: Record<string, HeaderObject> = {
  'X-Request-Id': {
    description: 'The request id: the `X-Request-Id` the client sent (1 to 128 of `A-Z a-z 0-9 . _ -`), else a new UUID; it is in every log line of the request.',
    schema: { type: 'string', example: '0b6f3c1e-5a4d-4a8e-9a57-2f1c8d1e7b3a' },
  },
  'Cache-Control': {
    description: 'Every /api answer may carry tokens, secrets, codes or personal data: `no-store`.',
    schema: { type: 'string', example: 'no-store' },
  },
  Pragma: { description: '`no-cache`, for HTTP/1.0 caches.', schema: { type: 'string', example: 'no-cache' } },
  'Retry-After': {
    description: 'Seconds to wait before trying again.',
    schema: { type: 'integer', minimum: 1, example: 60 },
  },
};

const header = (name: string): ReferenceObject => ({ $ref: `#/components/headers/${name}` });

/** Every response's headers: the request id always, no-store under /api, Retry-After on 429 and 503. */
function documentHeaders(path: string, operation: OperationObject): void {
  for (const [status, response] of Object.entries(operation.responses) as [string, ResponseObject][]) {
    const headers: Record<string, ReferenceObject> = { 'X-Request-Id': header('X-Request-Id') };
    if (path.startsWith('/api/')) Object.assign(headers, { 'Cache-Control': header('Cache-Control'), Pragma: header('Pragma') });
    if (status === '429' || status === '503') headers['Retry-After'] = header('Retry-After');
    // The shared components win over a header an operation documents inline under the same name (Retry-After).
    response.headers = { ...response.headers, ...headers };
  }
}

/** The request side of the document, exactly as strict as the server (issue 19, item 7), and the common headers. */
export function documentRequestSide(document: OpenAPIObject): OpenAPIObject {
  const schemas = document.components?.schemas ?? {};
  for (const name of requestComponents(document)) tighten(schemas[name] as SchemaObject);
  const secondFactor = schemas[CompleteTwoFactorLoginDto.name] as SchemaObject | undefined;
  if (secondFactor) exclusiveSecondFactor(secondFactor);
  for (const [path, item] of Object.entries(document.paths) as [string, PathItemObject][]) {
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation) continue;
      const multipart = (operation.requestBody as { content?: Record<string, never> } | undefined)?.content?.['multipart/form-data'];
      if (multipart) flattenMultipart(document, multipart);
      for (const parameter of (operation.parameters ?? []) as { required?: boolean; schema?: SchemaObject }[]) {
        if (parameter.required && parameter.schema?.type === 'string' && parameter.schema.minLength === undefined) {
          parameter.schema.minLength = 1;
        }
      }
      documentHeaders(path, operation);
    }
  }
  document.components = { ...document.components, headers: { ...document.components?.headers, ...HEADERS } };
  return document;
}
