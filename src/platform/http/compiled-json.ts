import { ExpressAdapter } from '@nestjs/platform-express';
import type { OpenAPIObject } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import fastJson from 'fast-json-stringify';
import { nullableReferenceTarget } from '../openapi/nullable-refs.js';

/**
 * The operations whose 200 body is written by a serialiser compiled from the OpenAPI document's schema of it
 * (fast-json-stringify) instead of JSON.stringify: the reads every client makes all the time.
 */
export const COMPILED_OPERATIONS = ['getMe', 'getAuthUser', 'getClientAccount'] as const;

type Schema = Record<string, unknown> & { $ref?: string; allOf?: Schema[]; properties?: Record<string, Schema>; items?: Schema };
type Serialize = (body: unknown) => string;

/**
 * A schema with every `$ref` inlined, each `allOf: [one]` (how @nestjs/swagger writes a described $ref) merged, and
 * each nullable reference (`oneOf: [{$ref}, null only]`, see nullable-refs.ts) made the referenced schema plus
 * `nullable`, which fast-json-stringify writes directly.
 */
function inline(schema: Schema, components: Record<string, Schema>): Schema {
  if (schema.$ref) return inline(components[schema.$ref.replace('#/components/schemas/', '')], components);
  const nullableTarget = nullableReferenceTarget(schema);
  if (nullableTarget) {
    const { oneOf: _oneOf, ...annotations } = schema;
    return { ...inline(nullableTarget as Schema, components), ...annotations, nullable: true };
  }
  let result: Schema = { ...schema };
  if (result.allOf?.length === 1) {
    const { allOf, ...rest } = result;
    result = { ...inline(allOf[0], components), ...rest };
  }
  if (result.properties) {
    result.properties = Object.fromEntries(Object.entries(result.properties).map(([key, value]) => [key, inline(value, components)]));
  }
  if (result.items) result.items = inline(result.items, components);
  return result;
}

/**
 * The schema with its properties listed in the order `sample` has them (the presenter's, which the families'
 * seeds show), those absent from it after: fast-json-stringify writes properties in the schema's order, and
 * @nestjs/swagger lists decorated properties first.
 */
function orderedLike(schema: Schema, sample: unknown): Schema {
  if (schema.items && Array.isArray(sample) && sample.length > 0) return { ...schema, items: orderedLike(schema.items, sample[0]) };
  if (!schema.properties || sample === null || typeof sample !== 'object') return schema;
  const properties = schema.properties;
  const keys = [...Object.keys(sample).filter((key) => key in properties), ...Object.keys(properties).filter((key) => !(key in sample))];
  return {
    ...schema,
    properties: Object.fromEntries(keys.map((key) => [key, orderedLike(properties[key], (sample as Record<string, unknown>)[key])])),
  };
}

/** `GET /api/me` for the route Express matched (`/api/sessions/:id`) or the document's path (`/api/sessions/{id}`). */
const routeKey = (method: string, path: string): string => `${method.toUpperCase()} ${path.replace(/\{([^}]+)\}/g, ':$1')}`;

/**
 * Serialisers of the compiled operations' 200 bodies, by route. Each is compiled on the route's first answer, with
 * that body fixing the property order; from then on every body goes through it. Outside production each compiled
 * body is also compared with JSON.stringify's, and a difference (a presenter that drifted from its documented
 * schema: a property it does not declare, a type it does not state) fails the request with a 500 naming it, so
 * the tests catch it.
 */
export class CompiledResponses {
  private readonly schemas = new Map<string, Schema>();
  /** By Express route object (one per route, for the app's life): a compiled serialiser, or null for none. */
  private readonly byRoute = new WeakMap<object, Serialize | null>();

  constructor(
    document: OpenAPIObject,
    private readonly checked: boolean,
  ) {
    const components = (document.components?.schemas ?? {}) as Record<string, Schema>;
    const found = new Set<string>();
    for (const [path, item] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(item) as [string, { operationId?: string; responses?: Record<string, any> }][]) {
        if (!(COMPILED_OPERATIONS as readonly string[]).includes(operation?.operationId ?? '')) continue;
        const schema = operation.responses?.['200']?.content?.['application/json']?.schema as Schema | undefined;
        if (!schema) throw new Error(`${operation.operationId}: no application/json schema for 200 to compile`);
        this.schemas.set(routeKey(method, path), inline(schema, components));
        found.add(operation.operationId!);
      }
    }
    const missing = COMPILED_OPERATIONS.filter((id) => !found.has(id));
    if (missing.length > 0) throw new Error(`compiled operations not in the document: ${missing.join(', ')}`);
  }

  /** The body as JSON text when its route has a compiled serialiser, else undefined. */
  write(request: Request, body: unknown): string | undefined {
    const route = request.route as { path?: unknown } | undefined;
    if (!route) return undefined;
    let serialize = this.byRoute.get(route);
    if (serialize === undefined) {
      const schema = typeof route.path === 'string' ? this.schemas.get(routeKey(request.method, route.path)) : undefined;
      serialize = schema ? (fastJson(orderedLike(schema, body) as Parameters<typeof fastJson>[0]) as Serialize) : null;
      this.byRoute.set(route, serialize);
    }
    if (!serialize) return undefined;
    const text = serialize(body);
    if (this.checked) {
      const expected = JSON.stringify(body);
      if (text !== expected) throw new Error(`${request.method} ${String(route.path)}: the body differs from its documented schema:\n${expected}\nwas written as\n${text}`);
    }
    return text;
  }
}
/**
 * Nest's Express adapter, writing the 200 bodies of the compiled operations through their serialisers (with the
 * Content-Type res.json() would set); everything else as before. `responses` is set once the document exists.
 */
export class CompiledJsonExpressAdapter extends ExpressAdapter {
  responses?: CompiledResponses;

  override reply(response: Response, body: unknown, statusCode?: number): unknown {
    const text = this.responses && body !== null && typeof body === 'object' && (statusCode ?? 200) === 200 ? this.responses.write(response.req, body) : undefined;
    if (text === undefined) return super.reply(response, body, statusCode);
    if (statusCode !== undefined) response.status(statusCode);
    response.setHeader('Content-Type', 'application/json; charset=utf-8');
    return response.send(text);
  }
}
