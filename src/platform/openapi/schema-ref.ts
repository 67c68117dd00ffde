import type { OpenAPIObject, ReferenceObject, SchemaObject } from '@nestjs/swagger';

/** The schema itself, or the component a `$ref` names. */
export function resolveSchema(document: OpenAPIObject, schema: SchemaObject | ReferenceObject | undefined): SchemaObject | undefined {
  if (schema && '$ref' in schema) return document.components?.schemas?.[schema.$ref.split('/').pop()!] as SchemaObject | undefined;
  return schema;
}
