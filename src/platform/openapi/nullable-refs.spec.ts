import type { OpenAPIObject } from '@nestjs/swagger';
import { documentNullableReferences, nullableReferenceTarget } from './nullable-refs.js';

describe('documentNullableReferences', () => {
  const swaggerNullable = { nullable: true, description: 'null before set-up.', type: 'object', allOf: [{ $ref: '#/components/schemas/Options' }] };
  const document = (): OpenAPIObject =>
    ({
      openapi: '3.0.0',
      info: { title: 't', version: '1' },
      paths: {
        '/x': {
          get: {
            responses: {
              200: { description: '', content: { 'application/json': { schema: { type: 'object', properties: { inline: swaggerNullable } } } } },
            },
          },
        },
      },
      components: {
        schemas: {
          User: {
            type: 'object',
            properties: {
              options: swaggerNullable,
              described: { description: 'Not nullable.', allOf: [{ $ref: '#/components/schemas/Options' }] },
              list: { type: 'array', items: swaggerNullable },
              name: { type: 'string', nullable: true },
              always: { description: 'Always null.', type: 'number', nullable: true, enum: [null], example: null },
            },
          },
          Options: { type: 'object', properties: { enabled: { type: 'boolean' } } },
        },
      },
    }) as unknown as OpenAPIObject;

  const rewritten = { description: 'null before set-up.', oneOf: [{ $ref: '#/components/schemas/Options' }, { enum: [null] }] };

  it('rewrites every nullable reference, in components, nested items and inline path schemas', () => {
    const result = documentNullableReferences(document()) as unknown as { paths: any; components: { schemas: Record<string, any> } };
    expect(result.components.schemas.User.properties.options).toEqual(rewritten);
    expect(result.components.schemas.User.properties.list.items).toEqual(rewritten);
    expect(result.paths['/x'].get.responses[200].content['application/json'].schema.properties.inline).toEqual(rewritten);
    expect(nullableReferenceTarget(rewritten)).toEqual({ $ref: '#/components/schemas/Options' });
  });

  it('writes a field that is always null as an enum of null alone', () => {
    const result = documentNullableReferences(document()) as unknown as { components: { schemas: Record<string, any> } };
    expect(result.components.schemas.User.properties.always).toEqual({ description: 'Always null.', enum: [null], example: null });
  });

  it('leaves described references that are not nullable, nullable scalars and everything else as they were', () => {
    const result = documentNullableReferences(document()) as unknown as { components: { schemas: Record<string, any> } };
    const before = document() as unknown as { components: { schemas: Record<string, any> } };
    expect(result.components.schemas.User.properties.described).toEqual(before.components.schemas.User.properties.described);
    expect(result.components.schemas.User.properties.name).toEqual({ type: 'string', nullable: true });
    expect(result.components.schemas.Options).toEqual(before.components.schemas.Options);
    expect(nullableReferenceTarget(before.components.schemas.User.properties.options)).toBeUndefined();
  });
});
