import type { OpenAPIObject, OperationObject, ParameterObject, PathItemObject, SchemaObject } from '@nestjs/swagger';
import fc from 'fast-check';

/**
 * Hostile requests derived from the app's OpenAPI document (issue 19, item 8): for one operation, a request built
 * from its documented inputs (examples where given) with one input made hostile.
 */

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;
export type Method = (typeof METHODS)[number];

export interface FuzzOperation {
  method: Method;
  path: string;
  operation: OperationObject;
  /** Body schema per documented media type (component references resolved). */
  bodies: Record<string, SchemaObject>;
  pathParameters: string[];
  queryParameters: { name: string; schema: SchemaObject }[];
}

export interface FuzzRequest {
  method: Method;
  /** Path and query, percent-encoded as sent. */
  url: string;
  headers: Record<string, string>;
  /** The raw body, if any. */
  body?: string;
  /** What was made hostile, for the failure report. */
  variant: string;
}

function resolve(document: OpenAPIObject, schema: SchemaObject & { $ref?: string }): SchemaObject {
  if (!schema.$ref) return schema;
  return document.components!.schemas![schema.$ref.split('/').pop()!] as SchemaObject;
}

export function fuzzOperations(document: OpenAPIObject): FuzzOperation[] {
  return (Object.entries(document.paths) as [string, PathItemObject][]).flatMap(([path, item]) =>
    METHODS.filter((method) => item[method]).map((method) => {
      const operation = item[method]!;
      const content = (operation.requestBody as { content?: Record<string, { schema: SchemaObject }> } | undefined)?.content ?? {};
      const bodies = Object.fromEntries(Object.entries(content).map(([type, media]) => [type, resolve(document, media.schema)]));
      const parameters = (operation.parameters ?? []) as ParameterObject[];
      return {
        method,
        path,
        operation,
        bodies,
        pathParameters: parameters.filter((p) => p.in === 'path').map((p) => p.name),
        queryParameters: parameters.filter((p) => p.in === 'query').map((p) => ({ name: p.name, schema: (p.schema ?? {}) as SchemaObject })),
      };
    }),
  );
}

/** A plausible value for a schema: its example, else something of its type. */
function plausible(document: OpenAPIObject, schema: SchemaObject & { $ref?: string }): unknown {
  const resolved = resolve(document, schema);
  if (resolved.example !== undefined) return resolved.example;
  if (resolved.enum?.length) return resolved.enum[0];
  switch (resolved.type) {
    case 'integer':
    case 'number':
      return resolved.minimum ?? 1;
    case 'boolean':
      return true;
    case 'array':
      return [];
    case 'object':
      return Object.fromEntries(Object.entries(resolved.properties ?? {}).map(([name, sub]) => [name, plausible(document, sub as SchemaObject)]));
    default:
      return resolved.format === 'binary' ? undefined : 'plausible';
  }
}

/** JSON text of the plausible body, one key per documented property. */
function plausibleObject(document: OpenAPIObject, schema: SchemaObject): Record<string, unknown> {
  const value = plausible(document, { ...schema, example: undefined });
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

/** Hostile JSON values, as JSON text so that what JS cannot hold (1e400, a raw `__proto__` key) can be sent too. */
const hostileJson: fc.Arbitrary<{ label: string; json: string }> = fc.oneof(
  fc.constantFrom(
    { label: 'null', json: 'null' },
    { label: 'empty string', json: '""' },
    { label: 'NUL', json: '"a\\u0000b"' },
    { label: 'C0 control', json: '"bell\\u0007"' },
    { label: 'escape', json: '"\\u001b[31m"' },
    { label: 'DEL', json: '"x\\u007f"' },
    { label: 'lone high surrogate', json: '"a\\ud800"' },
    { label: 'lone low surrogate', json: '"\\udc00b"' },
    { label: '10,000 characters', json: JSON.stringify('x'.repeat(10_000)) },
    { label: '10,000 multi-byte characters', json: JSON.stringify('ž'.repeat(10_000)) },
    { label: 'huge number', json: '1e400' },
    { label: 'large integer', json: '9007199254740993' },
    { label: 'negative', json: '-1' },
    { label: 'fraction', json: '0.5' },
    { label: 'true', json: 'true' },
    { label: 'array', json: '["a", 1, null]' },
    { label: 'object', json: '{"a":1}' },
    { label: 'prototype object', json: '{"__proto__":{"admin":true}}' },
    { label: 'nested 20 deep', json: `${'{"a":'.repeat(20)}1${'}'.repeat(20)}` },
    { label: 'arrays 20 deep', json: `${'['.repeat(20)}${']'.repeat(20)}` },
    { label: 'sql', json: `"' OR 1=1 --"` },
    { label: 'date far away', json: '"99999-01-01"' },
  ),
  fc.string({ unit: 'binary', maxLength: 40 }).map((text) => ({ label: 'random text', json: JSON.stringify(text) })),
  fc.double().map((value) => ({ label: 'random number', json: Number.isFinite(value) ? String(value) : 'null' })),
);

/** Hostile query and path values, percent-encoded. */
const hostileText: fc.Arbitrary<{ label: string; encoded: string }> = fc.oneof(
  fc.constantFrom(
    { label: 'empty', encoded: '' },
    { label: 'NUL', encoded: 'a%00b' },
    { label: 'C0 control', encoded: '%07' },
    { label: 'newline', encoded: 'a%0Ab' },
    { label: 'invalid UTF-8', encoded: '%ED%A0%80' },
    { label: 'bare percent', encoded: '%' },
    { label: 'overlong UTF-8', encoded: '%C0%AE%C0%AE' },
    { label: '10,000 characters', encoded: 'x'.repeat(10_000) },
    { label: 'dot segments', encoded: '..%2F..%2Fetc' },
    { label: 'huge number', encoded: '1e400' },
    { label: 'negative', encoded: '-1' },
    { label: 'large integer', encoded: '99999999999999999999' },
    { label: 'emoji', encoded: encodeURIComponent('😀') },
  ),
  fc.string({ unit: 'binary', maxLength: 30 }).map((text) => ({ label: 'random text', encoded: encodeURIComponent(text) })),
);

const WRONG_MEDIA_TYPES = [
  'text/plain',
  'application/x-www-form-urlencoded',
  'application/json; charset=utf-7',
  'application/json; charset=utf-16',
  'application/xml',
  'multipart/form-data; boundary=x',
  '',
];

function buildPath(op: FuzzOperation, values: Record<string, string>): string {
  return op.path.replace(/\{([^}]+)\}/g, (_match, name: string) => values[name] ?? 'x');
}

function queryString(pairs: [string, string][]): string {
  return pairs.length === 0 ? '' : `?${pairs.map(([key, value]) => `${encodeURIComponent(key)}=${value}`).join('&')}`;
}

function plausibleQuery(document: OpenAPIObject, op: FuzzOperation): [string, string][] {
  return op.queryParameters.map(({ name, schema }) => [name, encodeURIComponent(String(plausible(document, schema) ?? 'x'))]);
}

function jsonBody(entries: [string, string][]): string {
  return `{${entries.map(([key, json]) => `${JSON.stringify(key)}:${json}`).join(',')}}`;
}

const BOUNDARY = 'tessera-fuzz-boundary';

function multipartBody(fields: [string, string][]): string {
  return `${fields.map(([name, value]) => `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`).join('')}--${BOUNDARY}--\r\n`;
}

/** Every hostile request for one operation. */
export function hostileRequests(document: OpenAPIObject, op: FuzzOperation, pathValues: Record<string, string>): fc.Arbitrary<FuzzRequest> {
  const path = buildPath(op, pathValues);
  const query = plausibleQuery(document, op);
  const mediaTypes = Object.keys(op.bodies);
  const jsonSchema = op.bodies['application/json'];
  const plausibleEntries = jsonSchema
    ? Object.entries(plausibleObject(document, jsonSchema)).filter(([, value]) => value !== undefined).map(([key, value]) => [key, JSON.stringify(value)] as [string, string])
    : [];
  const withJson = (variant: string, body: string, contentType = 'application/json'): FuzzRequest => ({
    method: op.method,
    url: `${path}${queryString(query)}`,
    headers: contentType === '' ? {} : { 'Content-Type': contentType },
    body,
    variant,
  });

  const variants: fc.Arbitrary<FuzzRequest>[] = [];
  const names = Object.keys(jsonSchema?.properties ?? {});
  if (jsonSchema && names.length > 0) {
    // One documented property made hostile, the others plausible.
    variants.push(
      fc.tuple(fc.constantFrom(...names), hostileJson).map(([name, value]) =>
        withJson(`body.${name} = ${value.label}`, jsonBody([...plausibleEntries.filter(([key]) => key !== name), [name, value.json]])),
      ),
    );
  }
  if (jsonSchema) {
    variants.push(
      fc
        .tuple(fc.constantFrom('__proto__', 'constructor', 'prototype', 'is_admin', 'role_id', 'a\u0000b', ''), hostileJson)
        .map(([key, value]) => withJson(`unknown key ${JSON.stringify(key)} = ${value.label}`, jsonBody([...plausibleEntries, [key, value.json]]))),
      hostileJson.map((value) => withJson(`whole body = ${value.label}`, value.json)),
      fc.constantFrom(...WRONG_MEDIA_TYPES).map((type) => withJson(`Content-Type: ${type || '(none)'}`, jsonBody(plausibleEntries), type)),
      fc.constantFrom('{"a":', '{"a":1}garbage', '\u0000', '{"a":"\\x"}', '{"a":1,"a":2}').map((text) => withJson(`malformed JSON ${JSON.stringify(text)}`, text)),
    );
  }
  if (op.bodies['multipart/form-data']) {
    const formNames = Object.keys(op.bodies['multipart/form-data'].properties ?? {});
    variants.push(
      fc.tuple(fc.constantFrom(...formNames, '', '__proto__', 'settings[__proto__][x]', 'ime_č'), hostileText).map(([name, value]) => ({
        method: op.method,
        url: `${path}${queryString(query)}`,
        headers: { 'Content-Type': `multipart/form-data; boundary=${BOUNDARY}` },
        body: multipartBody([[name, decodeURIComponentSafely(value.encoded)]]),
        variant: `multipart field ${JSON.stringify(name)} = ${value.label}`,
      })),
    );
  }
  if (mediaTypes.length === 0 || op.method === 'get' || op.method === 'delete') {
    // A body the operation does not take.
    variants.push(fc.constantFrom(...WRONG_MEDIA_TYPES.slice(0, 3)).map((type) => withJson(`unexpected body, Content-Type: ${type}`, '{"a":1}', type)));
  }
  if (op.queryParameters.length > 0) {
    const queryNames = op.queryParameters.map(({ name }) => name);
    variants.push(
      fc.tuple(fc.constantFrom(...queryNames), hostileText).map(([name, value]) => ({
        method: op.method,
        url: `${path}${queryString([...query.filter(([key]) => key !== name), [name, value.encoded]])}`,
        headers: {},
        variant: `query ${name} = ${value.label}`,
      })),
      fc.constantFrom(...queryNames).map((name) => ({
        method: op.method,
        url: `${path}${queryString([...query, [name, '1'], [name, '2']])}`,
        headers: {},
        variant: `query ${name} given twice`,
      })),
    );
  }
  variants.push(
    fc.tuple(fc.constantFrom('__proto__', 'constructor', 'x'), hostileText).map(([name, value]) => ({
      method: op.method,
      url: `${path}${queryString([...query, [name, value.encoded]])}`,
      headers: {},
      variant: `unknown query ${name} = ${value.label}`,
    })),
  );
  if (op.pathParameters.length > 0) {
    variants.push(
      fc.tuple(fc.constantFrom(...op.pathParameters), hostileText).map(([name, value]): FuzzRequest => ({
        method: op.method,
        url: `${buildPath(op, { ...pathValues, [name]: value.encoded || '%20' })}${queryString(query)}`,
        headers: jsonSchema ? { 'Content-Type': 'application/json' } : {},
        body: jsonSchema ? jsonBody(plausibleEntries) : undefined,
        variant: `path ${name} = ${value.label}`,
      })),
    );
  }
  return fc.oneof(...variants);
}

function decodeURIComponentSafely(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

export function describeRequest(request: FuzzRequest): string {
  const body = request.body === undefined ? '' : `\n${request.body.length > 400 ? `${request.body.slice(0, 400)}… (${request.body.length} characters)` : request.body}`;
  const headers = Object.entries(request.headers).map(([name, value]) => `\n${name}: ${value}`).join('');
  const url = request.url.length > 400 ? `${request.url.slice(0, 400)}… (${request.url.length} characters)` : request.url;
  return `[${request.variant}]\n${request.method.toUpperCase()} ${url}${headers}${body}`;
}

/**
 * Bodies the document allows, generated from the schema (printable text: control characters are refused, see
 * docs/errors.md#input-checks). Callers filter the result through the document's own validator, which also settles `oneOf`.
 */
export function schemaValid(document: OpenAPIObject, schema: SchemaObject & { $ref?: string }): fc.Arbitrary<unknown> {
  const resolved = resolve(document, schema);
  // A described reference (`{description, allOf: [{$ref}]}`, as the swagger plugin writes nested DTOs) is that
  // schema: generated as a string, its bodies would never pass the validator's filter and the property would spin.
  if (resolved.allOf?.length === 1) return schemaValid(document, resolved.allOf[0] as SchemaObject);
  if (resolved.oneOf?.length) return fc.oneof(...resolved.oneOf.map((option) => schemaValid(document, option as SchemaObject)));
  const value = ((): fc.Arbitrary<unknown> => {
    if (resolved.enum?.length) return fc.constantFrom(...resolved.enum);
    switch (resolved.type) {
      case 'integer':
        return fc.integer({ min: resolved.minimum ?? -1000, max: resolved.maximum ?? 100_000 });
      case 'number':
        return fc.double({ min: resolved.minimum ?? -1000, max: resolved.maximum ?? 100_000, noNaN: true });
      case 'boolean':
        return fc.boolean();
      case 'array':
        return fc.array(schemaValid(document, (resolved.items ?? {}) as SchemaObject), {
          minLength: resolved.minItems ?? 0,
          maxLength: Math.min(resolved.maxItems ?? 3, 3),
        });
      case 'object': {
        const properties = Object.fromEntries(
          Object.entries(resolved.properties ?? {})
            .filter(([, sub]) => (sub as SchemaObject).format !== 'binary')
            .map(([name, sub]) => [name, schemaValid(document, sub as SchemaObject)]),
        );
        return fc.record(properties, { requiredKeys: (resolved.required ?? []).filter((name) => name in properties) });
      }
      default: {
        const maxLength = Math.min(resolved.maxLength ?? 40, 40);
        if (resolved.pattern) return fc.stringMatching(new RegExp(resolved.pattern)).filter((text) => text.length <= (resolved.maxLength ?? Infinity));
        if (resolved.format === 'email') return fc.emailAddress().filter((text) => text.length <= (resolved.maxLength ?? 191));
        if (resolved.format === 'date-time') return fc.integer({ min: 1, max: 300 }).map((days) => new Date(Date.now() + days * 86_400_000).toISOString());
        if (resolved.format === 'uri' || resolved.format === 'url') return fc.webUrl({ validSchemes: ['https'] });
        return fc.string({ minLength: Math.max(resolved.minLength ?? 0, 0), maxLength: Math.max(maxLength, resolved.minLength ?? 0) });
      }
    }
  })();
  return resolved.nullable ? fc.option(value, { nil: null }) : value;
}
