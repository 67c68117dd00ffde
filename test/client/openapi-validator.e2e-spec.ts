import { buildOpenApiDocument } from '../../src/app/openapi-document.js';
import { bootTestApp, type TestApp } from '../support/app.js';
import { createOpenApiValidator, type OpenApiValidator, type ResponseToCheck } from '../support/openapi-validator.js';

/** The checker every e2e response goes through (test/support/app.ts) must refuse what the document does not say. */
describe('OpenAPI response validator', () => {
  let t: TestApp;
  let validator: OpenApiValidator;

  beforeAll(async () => {
    t = await bootTestApp();
    validator = createOpenApiValidator(buildOpenApiDocument(t.app, t.config));
  });
  afterAll(() => t.close());

  const account = { object: 'user', attributes: { id: 1, admin: false, username: 'u', email: 'u@example.com', first_name: '', last_name: '', language: 'en' } };
  const json = (overrides: Partial<ResponseToCheck> & { body: unknown }): ResponseToCheck => ({
    method: 'GET',
    path: '/api/client/account',
    status: 200,
    contentType: 'application/json',
    text: JSON.stringify(overrides.body),
    ...overrides,
  });

  it('accepts a body that matches the schema', () => {
    expect(validator.check(json({ body: account }))).toBe('checked');
  });

  it('refuses a field the schema does not declare, at any depth', () => {
    const body = { ...account, attributes: { ...account.attributes, password: 'x' } };
    expect(() => validator.check(json({ body }))).toThrow(/body\.attributes has "password", which the schema does not declare/);
  });

  it('refuses a missing required field and a wrong type', () => {
    const { email: _email, ...withoutEmail } = account.attributes;
    expect(() => validator.check(json({ body: { ...account, attributes: withoutEmail } }))).toThrow(/lacks the required "email"/);
    expect(() => validator.check(json({ body: { ...account, attributes: { ...account.attributes, id: '1' } } }))).toThrow(
      /body\.attributes\.id must be integer|body\.attributes\.id must be number/,
    );
  });

  it('refuses an undocumented status, and a body where the document declares none', () => {
    expect(() => validator.check(json({ status: 418, body: { message: 'teapot' } }))).toThrow(/status 418 is not documented/);
    const deleted = { method: 'DELETE', path: '/api/client/account/api-keys/ptlc_x', status: 204, contentType: 'application/json' };
    expect(validator.check({ ...deleted, text: '', body: {} })).toBe('checked');
    expect(() => validator.check({ ...deleted, text: '{}', body: {} })).toThrow(/declares no body/);
  });

  it('checks the error shape of each family', () => {
    const clientError = { errors: [{ code: 'NotFoundHttpException', status: '404', detail: 'x' }] };
    expect(validator.check(json({ method: 'DELETE', path: '/api/client/account/api-keys/ptlc_x', status: 404, body: clientError }))).toBe('checked');
    expect(() =>
      validator.check(json({ method: 'DELETE', path: '/api/client/account/api-keys/ptlc_x', status: 404, body: { message: 'Not Found.' } })),
    ).toThrow(/lacks the required "errors"/);
  });

  it('leaves routes outside the document and non-JSON bodies alone', () => {
    expect(validator.check(json({ path: '/api/nowhere', status: 404, body: { message: 'Not Found.' } }))).toBe('skipped');
    expect(validator.check({ method: 'GET', path: '/storage/a.png', status: 200, contentType: 'image/png', text: 'x', body: {} })).toBe(
      'skipped',
    );
  });

  it('runs on every request made through bootTestApp().http()', async () => {
    const before = t.openapi.counts.checked;
    await t.http().get('/api/countries').expect(200);
    await t.http().post('/api/login').send({ username: 'nobody', password: 'wrong-password' }).expect(422);
    expect(t.openapi.counts.checked).toBe(before + 2);
  });
});
