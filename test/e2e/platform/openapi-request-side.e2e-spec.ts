import type { OpenAPIObject, OperationObject, PathItemObject, SchemaObject } from '@nestjs/swagger';
import { bootTestApp, type TestApp } from '../../support/app.js';
import { loggedInUser, type LoggedInUser } from '../../support/factories.js';
import { buildOpenApiDocument } from '../../../src/app/openapi-document.js';

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

function operationsOf(document: OpenAPIObject): { path: string; method: (typeof METHODS)[number]; operation: OperationObject }[] {
  return (Object.entries(document.paths) as [string, PathItemObject][]).flatMap(([path, item]) =>
    METHODS.filter((method) => item[method]).map((method) => ({ path, method, operation: item[method]! })),
  );
}

describe('OpenAPI request side (issue 19, item 7) and no-store on every /api answer', () => {
  let t: TestApp;
  let document: OpenAPIObject;
  let user: LoggedInUser;
  const schemas = (): Record<string, SchemaObject> => document.components!.schemas as Record<string, SchemaObject>;

  beforeAll(async () => {
    t = await bootTestApp();
    document = buildOpenApiDocument(t.app, t.config);
    user = await loggedInUser(t);
  });
  afterAll(async () => {
    await t.close();
  });

  it('closes every request body and gives its required strings minLength 1', () => {
    for (const { operation } of operationsOf(document)) {
      const content = (operation.requestBody as { content?: Record<string, { schema: { $ref?: string } & SchemaObject }> } | undefined)?.content;
      for (const media of Object.values(content ?? {})) {
        const schema = media.schema.$ref ? schemas()[media.schema.$ref.split('/').pop()!] : media.schema;
        expect([operation.operationId, schema.additionalProperties]).toEqual([operation.operationId, false]);
        for (const name of schema.required ?? []) {
          const property = schema.properties![name] as SchemaObject;
          if (property.type === 'string' && property.format !== 'binary') expect(property.minLength ?? 0).toBeGreaterThanOrEqual(1);
        }
      }
    }
  });

  it('says code, recovery_code and passkey are exclusive, with an example that sends one', () => {
    const schema = schemas().CompleteTwoFactorLoginDto;
    expect(schema.oneOf).toEqual([{ required: ['code'] }, { required: ['recovery_code'] }, { required: ['passkey'] }]);
    expect(Object.keys(schema.example as object)).toEqual(['challenge_token', 'code']);
  });

  it('types allowed_ips items as IP or CIDR, organization as a nullable OrganizationDto, and the multipart parts with their encoding', () => {
    const items = (schemas().CreateApiKeyDto.properties!.allowed_ips as SchemaObject).items as SchemaObject;
    const pattern = new RegExp(items.pattern!);
    for (const good of ['203.0.113.7', '10.0.0.0/8', '2001:db8::/32', '::1']) expect(pattern.test(good)).toBe(true);
    for (const bad of ['not-an-ip', '10.0.0.0/33', '300.1.1.1', '']) expect(pattern.test(bad)).toBe(false);
    // A nullable object: oneOf its reference or null alone, the form Prism reads (docs/api/README.md#nullable-fields).
    expect(schemas().OpenBadgeUserDto.properties!.organization).toMatchObject({ oneOf: [{ $ref: '#/components/schemas/OrganizationDto' }, { enum: [null] }] });
    const profile = (document.paths['/api/v1/auth/user/profile'].post!.requestBody as { content: Record<string, { encoding?: object; schema: SchemaObject }> })
      .content['multipart/form-data'];
    // settings is JSON text in a plain field: no encoding (Swagger UI would send it as a file part).
    expect(profile.encoding).toEqual({
      profile_picture: { contentType: 'image/jpeg, image/png, image/webp, image/gif' },
    });
    expect(profile.schema.additionalProperties).toBe(false);
  });

  it('declares X-Request-Id on every response and Retry-After on every 429 and 503', () => {
    for (const { path, operation } of operationsOf(document)) {
      for (const [status, response] of Object.entries(operation.responses) as [string, { headers?: Record<string, unknown> }][]) {
        expect(Object.keys(response.headers ?? {})).toContain('X-Request-Id');
        if (path.startsWith('/api/')) expect(Object.keys(response.headers ?? {})).toEqual(expect.arrayContaining(['Cache-Control', 'Pragma']));
        if (status === '429' || status === '503') expect(Object.keys(response.headers ?? {})).toContain('Retry-After');
      }
    }
  });

  it('refuses null where the document says not nullable (device_name, first_name, allowed_ips were accepted)', async () => {
    const login = await t.http().post('/api/login').send({ username: user.username, password: user.password, device_name: null }).expect(422);
    expect(Object.keys(login.body.errors)).toEqual(['device_name']);
    const register = await t.http().post('/api/register').send({ username: 'nullish_x', email: 'nullish_x@example.com', password: 'pw-1234567890ab', password_confirmation: 'pw-1234567890ab', first_name: null }).expect(422);
    expect(Object.keys(register.body.errors)).toEqual(['first_name']);
    const key = await t.http().post('/api/client/account/api-keys').set(user.auth).send({ description: 'x', allowed_ips: null }).expect(422);
    expect(key.body.errors[0].meta.source_field).toBe('allowed_ips');
  });

  it('refuses code together with recovery_code (the schema now says oneOf)', async () => {
    const res = await t.http().post('/api/login/two-factor').send({ challenge_token: 'x'.repeat(20), code: '123456', recovery_code: 'abcde-fghij' }).expect(422);
    expect(res.body.errors.recovery_code).toEqual(['The recovery_code may not be sent together with code.']);
  });

  it('sends Cache-Control: no-store and Pragma: no-cache on every documented /api operation', async () => {
    const checked: string[] = [];
    // Logging out last, so the others run with a live session.
    const operations = operationsOf(document).sort((a, b) => Number(a.path === '/api/logout') - Number(b.path === '/api/logout'));
    for (const { path, method, operation } of operations) {
      if (!path.startsWith('/api/')) continue;
      // Read-only and refused variants: a path id that names nothing, an empty body; what matters is the headers.
      const url = path.replace(/\{[^}]+\}/g, method === 'get' ? '999999' : 'missing');
      let call = t.http()[method](url).set(user.auth);
      if (operation.requestBody) call = call.send({});
      const res = await call;
      expect([operation.operationId, res.headers['cache-control'], res.headers.pragma]).toEqual([operation.operationId, 'no-store', 'no-cache']);
      checked.push(operation.operationId!);
    }
    expect(checked.length).toBeGreaterThan(40);
  });
});
