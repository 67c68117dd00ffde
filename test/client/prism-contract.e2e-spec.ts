import { buildOpenApiDocument } from '../../src/app/openapi-document.js';
import { bootTestApp, type TestApp } from '../support/app.js';
import { loggedInUser } from '../support/factories.js';
import { createPrismContract, type Exchange, type PrismContract } from '../support/prism-contract.js';

/**
 * The outside contract check every e2e exchange goes through (test/support/prism-contract.ts, Stoplight Prism's
 * validator) must refuse what the document does not allow, and accept the nulls the API sends (issue 34: 144
 * violations of this kind from Prism's proxy, for a user without two-factor).
 */
describe("Prism's contract check", () => {
  let t: TestApp;
  /** A check of its own for the deliberately wrong responses: t.contract's counts go to CI's report, which allows none. */
  let probe: PrismContract;

  beforeAll(async () => {
    t = await bootTestApp();
    probe = await createPrismContract(buildOpenApiDocument(t.app, t.config));
  });
  afterAll(() => t.close());

  const getMe = (body: unknown): Exchange => ({
    method: 'GET',
    path: '/api/me',
    requestHeaders: { authorization: 'Bearer x' },
    requestBody: undefined,
    status: 200,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body,
  });

  it("accepts the null two_factor_options of a user without two-factor, as the app answers it", async () => {
    const user = await loggedInUser(t);
    const before = t.contract.counts.responsesChecked;
    const response = await t.http().get('/api/me').set(user.auth).expect(200);
    expect(response.body.data.two_factor_options).toBeNull();
    expect(t.contract.counts.responsesChecked).toBe(before + 1);
    expect(() => probe.check(getMe(response.body))).not.toThrow();
  });

  it('refuses a response that contradicts the document: a wrong type, a missing field, an undocumented status', async () => {
    const user = await loggedInUser(t);
    const { body } = await t.http().get('/api/me').set(user.auth).expect(200);
    expect(() => probe.check(getMe({ data: { ...body.data, two_factor_options: 'off' } }))).toThrow(
      /Prism: GET \/api\/me answered 200[\s\S]*two_factor_options/,
    );
    const { email: _email, ...withoutEmail } = body.data as Record<string, unknown>;
    expect(() => probe.check(getMe({ data: withoutEmail }))).toThrow(/email/);
    expect(() => probe.check({ ...getMe(body), status: 201 })).toThrow(/Prism: GET \/api\/me answered 201/);
  });

  it("refuses null for @nestjs/swagger's nullable reference (nullable beside allOf), the form the document no longer has", async () => {
    const document = buildOpenApiDocument(t.app, t.config) as unknown as { components: { schemas: Record<string, any> } };
    const properties = document.components.schemas.VanguardUserDto.properties;
    const { oneOf, ...annotations } = properties.two_factor_options;
    properties.two_factor_options = { ...annotations, nullable: true, type: 'object', allOf: [oneOf[0]] };
    const swaggerForm = await createPrismContract(document as never);
    const user = await loggedInUser(t);
    const { body } = await t.http().get('/api/me').set(user.auth).expect(200);
    expect(() => swaggerForm.check(getMe(body))).toThrow(/two_factor_options/);
  });

  it('counts request violations (the refusal tests send them on purpose) without failing', async () => {
    const before = { ...t.contract.counts.requestViolations };
    await t.http().post('/api/login').send({ username: 'nobody', password: 'wrong-password', extra: 1 }).expect(422);
    const added = Object.entries(t.contract.counts.requestViolations).filter(([kind, count]) => count > (before[kind] ?? 0));
    expect(added.map(([kind]) => kind)).toEqual([expect.stringMatching(/^POST \/api\/login: body additionalProperties$/)]);
  });
});
