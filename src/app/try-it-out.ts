import type { OpenAPIObject, OperationObject, ParameterObject, PathItemObject, SchemaObject } from '@nestjs/swagger';
import { HTTP_METHODS } from '../dialects/error-responses.js';

/** The base the DTOs' example URLs are written with; the document shows APP_URL instead. */
export const EXAMPLE_APP_URL = 'http://localhost:3000';


function operationsOf(document: OpenAPIObject): OperationObject[] {
  return (Object.values(document.paths) as PathItemObject[]).flatMap((item) =>
    HTTP_METHODS.map((method) => item[method]).filter((operation): operation is OperationObject => operation !== undefined),
  );
}

/**
 * Swagger UI pre-fills "Try it out" with a query parameter's example, so a list would be filtered by the example's
 * values until every field is cleared. The example goes into the description instead.
 */
export function documentQueryExamplesInDescriptions(document: OpenAPIObject): OpenAPIObject {
  for (const operation of operationsOf(document)) {
    for (const parameter of (operation.parameters ?? []) as ParameterObject[]) {
      if (parameter.in !== 'query') continue;
      const schema = parameter.schema as SchemaObject | undefined;
      const example: unknown = parameter.example ?? schema?.example;
      delete parameter.example;
      if (schema) delete schema.example;
      if (example === undefined) continue;
      const shown = typeof example === 'string' ? example : JSON.stringify(example);
      parameter.description = `${parameter.description ? `${parameter.description} ` : ''}Example: \`${shown}\`.`;
    }
  }
  return document;
}

/** Every example URL written with EXAMPLE_APP_URL (avatars, pagination links) shows this server's APP_URL. */
export function documentExampleUrls(document: OpenAPIObject, appUrl: string): OpenAPIObject {
  if (appUrl === EXAMPLE_APP_URL) return document;
  const rewrite = (value: unknown): unknown => {
    if (typeof value === 'string') return value.startsWith(EXAMPLE_APP_URL) ? appUrl + value.slice(EXAMPLE_APP_URL.length) : value;
    if (Array.isArray(value)) return value.map(rewrite);
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, rewrite(inner)]));
    }
    return value;
  };
  const walk = (node: unknown): void => {
    if (node === null || typeof node !== 'object') return;
    const record = node as Record<string, unknown>;
    for (const [key, value] of Object.entries(record)) {
      if (key === 'example' || key === 'examples') record[key] = rewrite(value);
      else walk(value);
    }
  };
  walk(document);
  return document;
}
