import type { OpenAPIObject, ReferenceObject, SchemaObject } from '@nestjs/swagger';

/**
 * The one schema that accepts only `null`, in OpenAPI 3.0 terms: `nullable` adds null to the schema's own `type`
 * (3.0.3 says it has no effect without one), and the enum leaves nothing else.
 */
export const NULL_ONLY_SCHEMA: SchemaObject = Object.freeze({ type: 'object', nullable: true, enum: [null] }) as SchemaObject;

type AnySchema = SchemaObject & { $ref?: string };

const isNullOnly = (schema: AnySchema): boolean =>
  schema.nullable === true && Array.isArray(schema.enum) && schema.enum.length === 1 && schema.enum[0] === null && !schema.$ref;

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
 * @nestjs/swagger writes a nullable DTO property as `{nullable: true, type: 'object', allOf: [{$ref}]}`. A validator
 * that applies `allOf` as JSON Schema does (Prism, Schemathesis, gateways) refuses `null` for it: `nullable` only
 * widens the schema's own `type`, and the referenced schema inside `allOf` still says object. Rewritten as
 * `oneOf: [{$ref}, {type: 'object', nullable: true, enum: [null]}]`, which means "that object or null" under every
 * reading of OpenAPI 3.0, and which generators type as `X | null`. Every schema in the document is visited, so new
 * routes come out right without work of their own. The description and other annotations stay on the outer schema.
 */
export function documentNullableReferences(document: OpenAPIObject): OpenAPIObject {
  const rewrite = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(rewrite);
    if (typeof value !== 'object' || value === null) return value;
    const schema = Object.fromEntries(Object.entries(value).map(([key, child]) => [key, rewrite(child)])) as AnySchema;
    const parts = schema.allOf as AnySchema[] | undefined;
    if (schema.nullable !== true || parts?.length !== 1 || typeof parts[0].$ref !== 'string') return schema;
    const { nullable: _nullable, type: _type, allOf: _allOf, ...annotations } = schema;
    return { ...annotations, oneOf: [parts[0], { ...NULL_ONLY_SCHEMA }] };
  };
  return rewrite(document) as OpenAPIObject;
}
