import {
  ApiExtension,
  type OpenAPIObject,
  type OperationObject,
  type PathItemObject,
  type ReferenceObject,
  type SchemaObject,
} from '@nestjs/swagger';

const EXTENSION = 'x-tessera-multipart-file';

interface FileMarker {
  field: string;
  description: string;
}

type MarkedOperation = OperationObject & { [EXTENSION]?: FileMarker };

/**
 * Declares an optional file part that only the multipart/form-data body carries (a route that also takes JSON
 * shares one DTO schema between both media types, and a JSON body has no file).
 */
export const ApiMultipartFile = (field: string, description: string): MethodDecorator =>
  ApiExtension(EXTENSION, { field, description } satisfies FileMarker);

/** Adds each declared file part to its operation's multipart schema, and drops the marker. */
export function documentMultipartFiles(document: OpenAPIObject): OpenAPIObject {
  for (const item of Object.values(document.paths) as PathItemObject[]) {
    for (const operation of [item.get, item.put, item.post, item.patch, item.delete] as (MarkedOperation | undefined)[]) {
      const marker = operation?.[EXTENSION];
      if (!operation || !marker) continue;
      delete operation[EXTENSION];
      const body = operation.requestBody as { content?: Record<string, { schema?: SchemaObject | ReferenceObject }> } | undefined;
      const multipart = body?.content?.['multipart/form-data'];
      if (!multipart) continue;
      const file: SchemaObject = {
        type: 'object',
        properties: { [marker.field]: { type: 'string', format: 'binary', description: marker.description } },
      };
      multipart.schema = multipart.schema ? { allOf: [multipart.schema, file] } : file;
    }
  }
  return document;
}
