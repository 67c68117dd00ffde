import type { OpenAPIObject } from '@nestjs/swagger';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsPlugin from 'ajv-formats';

/**
 * Checks HTTP responses against the app's own OpenAPI document (issue 11, point 3). A response fails when its status
 * is not documented for the operation, when it carries a body the operation does not document (or lacks one it
 * does), or when its JSON body does not match the schema: a missing required field, a wrong type, or a field the
 * schema does not declare (objects with declared properties are closed here, at validation time only).
 * Requests outside the document (unknown routes, /storage files) and bodies that are not JSON are not judged.
 */
export interface ResponseToCheck {
  method: string;
  /** Path, with or without a query string. */
  path: string;
  status: number;
  /** The media type, without parameters (`application/json`); empty when there is no body. */
  contentType: string;
  /** The raw body text. */
  text: string;
  /** The parsed JSON body. */
  body: unknown;
}

export type CheckOutcome = 'checked' | 'skipped';

export interface OpenApiValidator {
  /** Throws an Error with a readable message when the response contradicts the document. */
  check(response: ResponseToCheck): CheckOutcome;
  readonly counts: { checked: number; skipped: number };
}

type Schema = Record<string, unknown>;

interface Operation {
  operationId: string;
  responses: Record<string, { content?: Record<string, { schema?: Schema }> }>;
}

interface Route {
  pattern: RegExp;
  /** Literal segments win over templated ones (`/api/me/sessions` before `/api/{x}/sessions`). */
  templated: number;
  template: string;
  operations: Map<string, Operation>;
}

const ROOT_ID = 'openapi';
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head'];
const OPENAPI_ONLY_KEYWORDS = ['example', 'examples', 'xml', 'externalDocs', 'discriminator', 'deprecated'];

/**
 * OpenAPI 3.0 schema → JSON Schema that ajv reads: `nullable` becomes a `null` alternative, references point into
 * the registered document, and objects that declare properties refuse undeclared ones.
 */
function toJsonSchema(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toJsonSchema);
  if (typeof value !== 'object' || value === null) return value;
  const schema: Schema = {};
  for (const [key, child] of Object.entries(value)) {
    if (key === 'nullable' || OPENAPI_ONLY_KEYWORDS.includes(key)) continue;
    if (key === '$ref' && typeof child === 'string') schema.$ref = `${ROOT_ID}${child}`;
    else if (key === 'properties' || key === 'patternProperties') {
      schema[key] = Object.fromEntries(Object.entries(child as Schema).map(([name, sub]) => [name, toJsonSchema(sub)]));
    } else schema[key] = toJsonSchema(child);
  }
  if (schema.properties !== undefined && schema.additionalProperties === undefined) schema.additionalProperties = false;
  if ((value as Schema).nullable !== true) return schema;
  if (Array.isArray(schema.enum) && !schema.enum.includes(null)) schema.enum = [...(schema.enum as unknown[]), null];
  return { anyOf: [schema, { type: 'null' }] };
}

function routeOf(template: string, operations: Map<string, Operation>): Route {
  const segments = template.split('/').map((segment) =>
    /^\{[^}]+\}$/.test(segment) ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
  );
  return {
    pattern: new RegExp(`^${segments.join('/')}$`),
    templated: (template.match(/\{/g) ?? []).length,
    template,
    operations,
  };
}

function describeErrors(errors: ErrorObject[]): string {
  return errors
    .map((error) => {
      const where = error.instancePath === '' ? 'body' : `body${error.instancePath.replace(/\//g, '.')}`;
      if (error.keyword === 'additionalProperties') {
        return `${where} has "${String(error.params.additionalProperty)}", which the schema does not declare`;
      }
      if (error.keyword === 'required') return `${where} lacks the required "${String(error.params.missingProperty)}"`;
      return `${where} ${error.message ?? 'is invalid'}`;
    })
    .join('\n  ');
}

function excerpt(text: string): string {
  return text.length > 1500 ? `${text.slice(0, 1500)}…` : text;
}

/** Compiles the document's response schemas; call once per document. */
export function createOpenApiValidator(document: OpenAPIObject): OpenApiValidator {
  const ajv = new Ajv({ strict: false, allErrors: true, verbose: false });
  addFormatsPlugin.default(ajv);
  ajv.addFormat('binary', true);
  ajv.addSchema({ $id: ROOT_ID, components: { schemas: toJsonSchema(document.components?.schemas ?? {}) } });

  const routes = Object.entries(document.paths)
    .map(([template, item]) => {
      const operations = new Map<string, Operation>();
      for (const method of HTTP_METHODS) {
        const operation = (item as Record<string, unknown>)[method] as Operation | undefined;
        if (operation) operations.set(method.toUpperCase(), operation);
      }
      return routeOf(template, operations);
    })
    .sort((a, b) => a.templated - b.templated);

  const compiled = new Map<Schema, ValidateFunction>();
  const validatorFor = (schema: Schema): ValidateFunction => {
    let validate = compiled.get(schema);
    if (!validate) {
      validate = ajv.compile(toJsonSchema(schema) as Schema);
      compiled.set(schema, validate);
    }
    return validate;
  };

  const counts = { checked: 0, skipped: 0 };

  function check(response: ResponseToCheck): CheckOutcome {
    const path = response.path.split('?')[0];
    const method = response.method.toUpperCase();
    const route = routes.find((candidate) => candidate.pattern.test(path) && candidate.operations.has(method));
    if (!route) {
      counts.skipped += 1;
      return 'skipped';
    }
    const operation = route.operations.get(method)!;
    const name = `${method} ${route.template} (${operation.operationId}) answered ${response.status}`;
    const fail = (problem: string): never => {
      throw new Error(`OpenAPI: ${name}: ${problem}\nresponse body: ${excerpt(response.text) || '(empty)'}`);
    };

    const documented =
      operation.responses[String(response.status)] ??
      operation.responses[`${String(response.status)[0]}XX`] ??
      operation.responses.default;
    if (!documented) {
      fail(`status ${response.status} is not documented (documented: ${Object.keys(operation.responses).join(', ')})`);
    }
    const content = documented!.content;
    const hasBody = response.text !== undefined && response.text !== '';
    if (!content) {
      if (hasBody) fail('the document declares no body for this status, but one was sent');
      counts.checked += 1;
      return 'checked';
    }
    if (!hasBody) fail(`the document declares a body (${Object.keys(content).join(', ')}), but none was sent`);
    if (response.contentType !== 'application/json') {
      counts.skipped += 1;
      return 'skipped';
    }
    const schema = content['application/json']?.schema;
    if (!schema) fail(`the document declares no JSON body (only ${Object.keys(content).join(', ')})`);
    const validate = validatorFor(schema!);
    if (!validate(response.body)) fail(`the body does not match the schema:\n  ${describeErrors(validate.errors ?? [])}`);
    counts.checked += 1;
    return 'checked';
  }

  return { check, counts };
}

/**
 * Whether a JSON request body is one the document allows for the operation's `application/json` body (undefined when
 * the operation documents none): the fuzz suite flags a 2xx for a body the document refuses, a server looser than
 * its document (issue 19, item 7).
 */
export function createRequestBodyCheck(document: OpenAPIObject): (path: string, method: string, body: unknown) => boolean | undefined {
  const ajv = new Ajv({ strict: false, allErrors: false });
  addFormatsPlugin.default(ajv);
  ajv.addFormat('binary', true);
  ajv.addSchema({ $id: ROOT_ID, components: { schemas: toJsonSchema(document.components?.schemas ?? {}) } });
  const compiled = new Map<string, ValidateFunction | null>();
  return (path, method, body) => {
    const key = `${method} ${path}`;
    if (!compiled.has(key)) {
      const operation = (document.paths[path] as Record<string, { requestBody?: { content?: Record<string, { schema?: Schema }> } }>)[method];
      const schema = operation?.requestBody?.content?.['application/json']?.schema;
      compiled.set(key, schema ? ajv.compile(toJsonSchema(schema) as Schema) : null);
    }
    const validate = compiled.get(key);
    return validate ? validate(body) : undefined;
  };
}
