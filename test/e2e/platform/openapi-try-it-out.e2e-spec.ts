import { bootTestApp, type TestApp } from '../../support/app.js';
import { loggedInUser } from '../../support/factories.js';

type Doc = {
  servers: { url: string }[];
  tags: { name: string; description: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, { properties: Record<string, { example?: unknown }> }> };
};
type Operation = {
  tags: string[];
  parameters?: { in: string; name: string; example?: unknown; schema?: { example?: unknown } }[];
  responses: Record<string, { description: string; content?: Record<string, { examples?: Record<string, { value: unknown }> }> }>;
};

const examplesOf = (doc: Doc, path: string, method: string, status: number): unknown[] =>
  Object.values(doc.paths[path][method].responses[status].content!['application/json'].examples!).map((example) => example.value);

describe('the OpenAPI document as Swagger UI uses it', () => {
  let t: TestApp;
  let doc: Doc;

  beforeAll(async () => {
    t = await bootTestApp({ APP_URL: 'https://accounts.example.test' });
    doc = (await t.http().get('/docs-json').expect(200)).body as Doc;
  });
  afterAll(async () => {
    await t?.close();
  });

  const operations = (): [string, string, Operation][] =>
    Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => [path, method, op] as [string, string, Operation]));

  it('names a relative server, so Try it out calls the origin the page was opened from', () => {
    expect(doc.servers).toEqual([expect.objectContaining({ url: '/' })]);
  });

  it('pre-fills no query parameter: examples are in the descriptions', () => {
    const query = operations().flatMap(([, , op]) => (op.parameters ?? []).filter((parameter) => parameter.in === 'query'));
    expect(query.length).toBeGreaterThan(5);
    for (const parameter of query) {
      expect(parameter.example).toBeUndefined();
      expect(parameter.schema?.example).toBeUndefined();
    }
    const search = doc.paths['/api/users'].get.parameters!.find((parameter) => parameter.name === 'filter[search]');
    expect(search).toMatchObject({ description: expect.stringContaining('Example: `john`') });
  });

  it('gives every error status examples of its own status, in the family shape', () => {
    for (const [path, , op] of operations()) {
      for (const [status, response] of Object.entries(op.responses)) {
        if (Number(status) < 400) continue;
        expect(response.description).not.toBe('Error');
        const examples = Object.values(response.content!['application/json'].examples!).map((example) => example.value);
        expect(examples.length).toBeGreaterThan(0);
        for (const body of examples) {
          if (path.startsWith('/api/client')) {
            expect((body as { errors: { status: string }[] }).errors[0].status).toBe(status);
          } else {
            expect(body).toEqual(expect.objectContaining({ message: expect.any(String) }));
            if (status !== '422') expect(body).not.toHaveProperty('errors');
          }
        }
      }
    }
    expect(examplesOf(doc, '/api/me', 'get', 401)).toEqual([{ message: 'Unauthenticated.' }]);
    // Login names why it is limited (failures, sign-in budgets) in several examples; every body is the 429's.
    const loginLimited = examplesOf(doc, '/api/login', 'post', 429);
    expect(loginLimited.length).toBeGreaterThan(0);
    for (const example of loginLimited) expect(example).toEqual({ message: 'Too Many Attempts.' });
    expect(examplesOf(doc, '/api/client/account', 'get', 401)).toEqual([
      { errors: [{ code: 'AuthenticationException', status: '401', detail: 'Unauthenticated.' }] },
    ]);
  });

  it("documents login's 403 as the banned account or a cross-site cookie sign-in, and the admin routes' 403 as not an admin", () => {
    const login = doc.paths['/api/login'].post.responses['403'];
    expect(login.description).not.toMatch(/admin/i);
    expect(examplesOf(doc, '/api/login', 'post', 403)).toEqual([
      { message: 'Your account is banned by administrator.' },
      { message: 'Cross-site request refused.' },
    ]);
    expect(examplesOf(doc, '/api/users', 'get', 403)).toContainEqual({ message: 'This action is unauthorized.' });
    expect(examplesOf(doc, '/api/me', 'get', 403)).not.toContainEqual({ message: 'This action is unauthorized.' });
  });

  it('shows the bodies the routes really send', async () => {
    const user = await loggedInUser(t);
    const unauthenticated = await t.http().get('/api/me').expect(401);
    expect(examplesOf(doc, '/api/me', 'get', 401)).toContainEqual(unauthenticated.body);
    const clientUnauthenticated = await t.http().get('/api/client/account').expect(401);
    expect(examplesOf(doc, '/api/client/account', 'get', 401)).toContainEqual(clientUnauthenticated.body);
    const notAdmin = await t.http().get('/api/users').set(user.auth).expect(403);
    expect(examplesOf(doc, '/api/users', 'get', 403)).toContainEqual(notAdmin.body);
    const badCredentials = await t.http().post('/api/login').send({ username: user.username, password: 'not the password' }).expect(422);
    expect(examplesOf(doc, '/api/login', 'post', 422)).toContainEqual(badCredentials.body);
    const malformed = await t.http().post('/api/login').set('Content-Type', 'application/json').send('{"username":').expect(400);
    expect(examplesOf(doc, '/api/login', 'post', 400)).toContainEqual(malformed.body);
    const wrongPassword = await t.http().put('/api/client/account/email').set(user.auth).send({ email: 'x@example.com', password: 'wrong password' }).expect(400);
    expect(examplesOf(doc, '/api/client/account/email', 'put', 400)).toContainEqual(wrongPassword.body);
  });

  it('shows real-looking tokens and example URLs on APP_URL', () => {
    const { schemas } = doc.components;
    const token = String(schemas.TokenPairDto.properties.token.example);
    const [header, payload] = token.split('.').slice(0, 2).map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()) as Record<string, unknown>);
    expect(header).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(payload).toMatchObject({ sub: '1', sid: expect.any(String) });
    expect(schemas.ApiKeySecretMetaDto.properties.secret_token.example).toMatch(/^ptlc_[A-Za-z0-9]{43}$/);
    expect(schemas.LoginDto.properties.device_name.example).toBe('Office laptop');
    expect(schemas.VanguardUserDto.properties.avatar.example).toBe('https://accounts.example.test/storage/default-avatar.png');
    expect(JSON.stringify(doc)).not.toContain('http://localhost:3000');
  });

  it('groups operations under declared tags, by family and capability, in plain words', () => {
    const declared = new Map(doc.tags.map((tag) => [tag.name, tag.description]));
    for (const [, , op] of operations()) for (const tag of op.tags) expect(declared.has(tag)).toBe(true);
    expect(doc.paths['/api/me/2fa'].put.tags).toEqual(['me: two-factor by SMS']);
    expect(doc.paths['/api/client/account/two-factor'].post.tags).toEqual(['client: two-factor app']);
    expect(JSON.stringify(doc)).not.toMatch(/the seed's/);
  });

  it('sends no upgrade-insecure-requests over plain HTTP, and does over HTTPS', async () => {
    const plain = await t.http().get('/docs').expect(200);
    expect(plain.headers['content-security-policy']).toContain("default-src 'self'");
    expect(plain.headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
    const proxied = await bootTestApp({ TRUST_PROXY: 'loopback' });
    try {
      const secure = await proxied.http().get('/docs').set('X-Forwarded-Proto', 'https').expect(200);
      expect(secure.headers['content-security-policy']).toContain('upgrade-insecure-requests');
    } finally {
      await proxied.close();
    }
  });
});
