import type { OpenAPIObject } from '@nestjs/swagger';
import type { Request } from 'express';
import { documentNullableReferences } from '../openapi/nullable-refs.js';
import { CompiledResponses } from './compiled-json.js';

/**
 * A document with the three compiled operations; getMe's body has a nullable $ref and a decorated property listed
 * first. Written as @nestjs/swagger writes it, then rewritten as the app's document is (nullable-refs.ts).
 */
function document(): OpenAPIObject {
  return documentNullableReferences(swaggerDocument());
}

function swaggerDocument(): OpenAPIObject {
  const ok = (ref: string) => ({ responses: { 200: { description: '', content: { 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } } } } });
  return {
    openapi: '3.0.0',
    info: { title: 't', version: '1' },
    paths: {
      '/api/me': { get: { operationId: 'getMe', ...ok('Me') } },
      '/api/v1/auth/user': { get: { operationId: 'getAuthUser', ...ok('Me') } },
      '/api/client/account/{id}': { get: { operationId: 'getClientAccount', ...ok('Me') } },
    },
    components: {
      schemas: {
        Me: {
          type: 'object',
          properties: {
            organization: { type: 'number', nullable: true, enum: [null] },
            id: { type: 'number' },
            name: { type: 'string', nullable: true },
            options: { nullable: true, type: 'object', allOf: [{ $ref: '#/components/schemas/Options' }] },
          },
          required: ['organization', 'id', 'name', 'options'],
        },
        Options: { type: 'object', properties: { enabled: { type: 'boolean' } }, required: ['enabled'] },
      },
    },
  } as unknown as OpenAPIObject;
}

const request = (path: string, route = { path }): Request => ({ method: 'GET', route }) as unknown as Request;

describe('CompiledResponses', () => {
  it('writes exactly what JSON.stringify writes, in the body’s property order, nested and nullable $refs included', () => {
    const responses = new CompiledResponses(document(), true);
    const route = { path: '/api/me' };
    for (const body of [
      { id: 1, name: 'Ada "the first" \u2028', options: { enabled: true }, organization: null },
      { id: 2, name: null, options: null, organization: null },
    ]) {
      expect(responses.write(request('/api/me', route), body)).toBe(JSON.stringify(body));
    }
  });

  it('matches a route with parameters by its Express path', () => {
    const body = { id: 1, name: null, options: null, organization: null };
    expect(new CompiledResponses(document(), true).write(request('/api/client/account/:id'), body)).toBe(JSON.stringify(body));
  });

  it('leaves other routes to JSON.stringify', () => {
    expect(new CompiledResponses(document(), true).write(request('/api/sessions'), { a: 1 })).toBeUndefined();
  });

  it('fails loudly when a body drifts from its schema: an undeclared property, a wrong type, a missing required one', () => {
    const route = { path: '/api/me' };
    const responses = new CompiledResponses(document(), true);
    responses.write(request('/api/me', route), { id: 1, name: null, options: null, organization: null });
    expect(() => responses.write(request('/api/me', route), { id: 1, name: null, options: null, organization: null, secret: 'x' })).toThrow(
      /differs from its documented schema/,
    );
    expect(() => responses.write(request('/api/me', route), { id: '1', name: null, options: null, organization: null })).toThrow(
      /differs from its documented schema/,
    );
    expect(() => responses.write(request('/api/me', route), { id: 1, name: null, organization: null })).toThrow();
  });

  it('refuses to start when a compiled operation is not in the document', () => {
    const incomplete = document();
    delete incomplete.paths['/api/me'];
    expect(() => new CompiledResponses(incomplete, false)).toThrow(/getMe/);
  });
});
