import type { OpenAPIObject, ReferenceObject, SchemaObject } from '@nestjs/swagger';

/**
 * The schema that accepts only `null`: an enum of null and nothing else, without `type` or `nullable`. JSON Schema
 * and every OpenAPI 3.0 reading agree on it. The form 3.0.3 suggests, `{type: 'object', nullable: true, enum: [null]}`,
 * breaks Prism: its converter turns `nullable` into a type array and appends null to the enum again, and the
 * duplicate makes the schema invalid, so Prism silently validates nothing of that response.
 */
export const NULL_ONLY_SCHEMA: SchemaObject = Object.freeze({ enum: [null] }) as SchemaObject;

type AnySchema = SchemaObject & { $ref?: string };

const isNullOnly = (schema: AnySchema): boolean =>
  Array.isArray(schema.enum) && schema.enum.length === 1 && schema.enum[0] === null && !schema.$ref;

/**
 * The referenced schema of a nullable reference as `nullableReferences` writes it (`oneOf: [{$ref}, NULL_ONLY]`),
 * or undefined for any other schema: for readers of the document that inline references (compiled-json.ts).
 */
export function nullableReferenceTarget(schema: AnySchema): ReferenceObject | undefined {
  const options = schema.oneOf as AnySchema[] | undefined;
  if (options?.length !== 2 || !isNullOnly(options[1]) || typeof options[0].$ref !== 'string') return undefined;
  return options[0] as ReferenceObject;
}

/**
 * Nullability that strict validators read as the app behaves, for every schema of the document (so new routes come
 * out right without work of their own):
 * - @nestjs/swagger writes a nullable DTO property as `{nullable: true, type: 'object', allOf: [{$ref}]}`. A validator
 *   that applies `allOf` as JSON Schema does (Prism, Schemathesis, gateways) refuses `null` for it: `nullable` only
 *   widens the schema's own `type`, and the referenced schema inside `allOf` still says object. It becomes
 *   `oneOf: [{$ref}, {enum: [null]}]`, "that object or null", which generators type as `X | null`; the description
 *   and other annotations stay on the outer schema.
 * - A field that is always null (`{type, nullable: true, enum: [null]}`) becomes `{enum: [null]}` (see NULL_ONLY_SCHEMA).
 */
export function documentNullableReferences(document: OpenAPIObject): OpenAPIObject {
  const rewrite = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(rewrite);
    if (typeof value !== 'object' || value === null) return value;
    const schema = Object.fromEntries(Object.entries(value).map(([key, child]) => [key, rewrite(child)])) as AnySchema;
    if (isNullOnly(schema) && schema.nullable === true) {
      const { nullable: _nullable, type: _type, ...rest } = schema;
      return rest;
    }
    const parts = schema.allOf as AnySchema[] | undefined;
    if (schema.nullable !== true || parts?.length !== 1 || typeof parts[0].$ref !== 'string') return schema;
    const { nullable: _nullable, type: _type, allOf: _allOf, ...annotations } = schema;
    return { ...annotations, oneOf: [parts[0], { enum: [null] }] };
  };
  return rewrite(document) as OpenAPIObject;
}
