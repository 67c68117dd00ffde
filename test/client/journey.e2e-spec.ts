import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import createClient, { type Client } from 'openapi-fetch';
import speakeasy from 'speakeasy';
import { bootTestApp, type TestApp } from '../support/app.js';
import { pngWithAlpha } from '../support/images.js';
import type { paths } from './schema.js';

/**
 * The main user journey through a client generated from the app's own document (`npm run client:generate` writes
 * ./schema.d.ts with openapi-typescript; CI fails when it is stale). A changed route, body or response shape breaks
 * the type-check of this file; every response is also checked against the document at run time.
 */
describe('generated client journey (openapi-fetch)', () => {
  let t: TestApp;
  let baseUrl: string;

  beforeAll(async () => {
    t = await bootTestApp();
    await t.app.listen(0, '127.0.0.1');
    baseUrl = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
  });
  afterAll(() => t.close());

  /** A client whose every response goes through the same document check as supertest's. */
  function client(credential?: string): Client<paths> {
    return createClient<paths>({
      baseUrl,
      headers: credential ? { Authorization: `Bearer ${credential}` } : {},
      fetch: async (request: Request) => {
        const response = await fetch(request);
        const text = await response.clone().text();
        t.openapi.check({
          method: request.method,
          path: new URL(request.url).pathname,
          status: response.status,
          contentType: (response.headers.get('content-type') ?? '').split(';')[0].trim(),
          text,
          body: text && response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : undefined,
        });
        return response;
      },
    });
  }

  /** The data of a successful call; anything else fails with the status and error body. */
  function ok<T>(result: { data?: T; error?: unknown; response: Response }): T {
    if (!result.response.ok || result.data === undefined) {
      throw new Error(`${result.response.status} ${result.response.url}: ${JSON.stringify(result.error)}`);
    }
    return result.data;
  }

  /** The session id an access token names (its `sid` claim). */
  const sessionOf = (token: string): string =>
    (JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as { sid: string }).sid;

  const totp = (secret: string, steps = 0): string =>
    speakeasy.totp({ secret, encoding: 'base32', time: Math.floor(Date.now() / 1000) + steps * 30 });

  it('registers, logs in, edits the profile in each family, turns on TOTP, uses an API key and manages sessions', async () => {
    const anonymous = client();
    const username = `journey_${randomBytes(5).toString('hex')}`;
    const password = `pw-${randomBytes(8).toString('hex')}`;

    // Register and log in.
    const registered = ok(
      await anonymous.POST('/api/register', { body: { username, email: `${username}@example.com`, password, password_confirmation: password } }),
    );
    expect(registered.requires_email_confirmation).toBe(true);
    const login = ok(await anonymous.POST('/api/login', { body: { username, password, device_name: 'journey' } }));
    if (!('token' in login)) throw new Error('expected a token pair, got a two-factor challenge');
    const api = client(login.token);

    // The /api/me family.
    const me = ok(await api.GET('/api/me', { params: { query: { include: 'role,country' } } }));
    expect(me.data).toMatchObject({ username, status: 'Unconfirmed', role: { name: 'user' } });
    const details = ok(
      await api.PATCH('/api/me/details', {
        body: { first_name: 'Milos', last_name: 'Stojanovic', birthday: '1990-10-18', phone: '+381641234567', country_id: 688 },
      }),
    );
    expect(details.data).toMatchObject({ first_name: 'Milos', birthday: '1990-10-18', country_id: 688 });

    // The /api/v1/auth family.
    const v1 = ok(await api.GET('/api/v1/auth/user'));
    expect(v1.profile.name).toBe('Milos');
    const profile = ok(
      await api.POST('/api/v1/auth/user/profile', {
        body: { name: 'John Yu', last_name: 'Donovan', language: 'it', settings: { public_profile: true, public_badges: false } },
      }),
    );
    expect(profile.data).toMatchObject({ name: 'John Yu', language: 'it', settings: { public_profile: '1', public_badges: '0' } });

    // The /api/client/account family.
    const account = ok(await api.GET('/api/client/account'));
    expect(account.attributes).toMatchObject({ username, first_name: 'John Yu', language: 'it', admin: false });
    const newEmail = `${username}.new@example.com`;
    const emailChange = await api.PUT('/api/client/account/email', { body: { email: newEmail, password } });
    expect(emailChange.response.status).toBe(204);
    expect(ok(await api.GET('/api/client/account')).attributes.email).toBe(newEmail);

    // The new address is verified (as opening the mailed link does): two-factor and API keys need a proven address.
    await t.db.query(`UPDATE users SET email_verified_at = now(), status = 'Active' WHERE username = $1`, [username]);

    // TOTP: set up, confirm with a code, then log in with the next code (a code is accepted once).
    const setup = ok(await api.GET('/api/client/account/two-factor'));
    expect(setup.data.image_url_data).toMatch(/^otpauth:\/\/totp\//);
    const enabled = ok(await api.POST('/api/client/account/two-factor', { body: { code: totp(setup.data.secret), password } }));
    expect(enabled.attributes.tokens).toHaveLength(10);
    const challenge = ok(await anonymous.POST('/api/login', { body: { username, password } }));
    if (!('challenge_token' in challenge)) throw new Error('expected a two-factor challenge');
    expect(challenge.method).toBe('totp');
    const second = ok(
      await anonymous.POST('/api/login/two-factor', { body: { challenge_token: challenge.challenge_token, code: totp(setup.data.secret, 1) } }),
    );
    if (!('token' in second)) throw new Error('expected a token pair');
    const secondSession = client(second.token);

    // A personal API key: created once with its secret, then used as the bearer credential.
    // Scoped (reading the account only) and expiring in 30 days.
    const expiresAt = new Date(Date.now() + 30 * 86_400_000).toISOString().replace(/\.\d+Z$/, '+00:00');
    const created = ok(
      await api.POST('/api/client/account/api-keys', {
        body: { description: 'Journey key', allowed_ips: ['127.0.0.1'], scopes: ['account.read'], expires_at: expiresAt },
      }),
    );
    expect(created.meta.secret_token.startsWith(created.attributes.identifier)).toBe(true);
    expect(created.attributes).toMatchObject({ scopes: ['account.read'], expires_at: expiresAt, expired: false, last_used_ip: null });
    const withKey = client(created.meta.secret_token);
    expect(ok(await withKey.GET('/api/client/account')).attributes.username).toBe(username);
    const keys = ok(await withKey.GET('/api/client/account/api-keys'));
    expect(keys.data.map((key) => key.attributes.identifier)).toEqual([created.attributes.identifier]);
    // Outside its scope: 403 naming the scope.
    const outside = await withKey.GET('/api/client/account/activity', { params: { query: {} } });
    expect(outside.response.status).toBe(403);
    expect(outside.error?.errors[0].detail).toBe('This API key lacks the scope activity.read.');
    // A second key leaks; anyone who finds it reports it, without a credential.
    const leaked = ok(await api.POST('/api/client/account/api-keys', { body: { description: 'Leaked key' } }));
    expect(ok(await anonymous.POST('/api/client/account/api-keys/revoke', { body: { tokens: [leaked.meta.secret_token] } })).success).toBe(true);
    expect((await client(leaked.meta.secret_token).GET('/api/client/account')).response.status).toBe(401);

    // Sessions: both logins are listed; the second is read and revoked by id, then every other one.
    const listed = ok(await api.GET('/api/me/sessions')).data.map((session) => session.id);
    expect(listed.sort()).toEqual([sessionOf(login.token), sessionOf(second.token)].sort());
    const other = sessionOf(second.token);
    expect(ok(await api.GET('/api/sessions/{id}', { params: { path: { id: other } } })).data.user_agent).toBeDefined();
    expect(ok(await api.DELETE('/api/sessions/{id}', { params: { path: { id: other } } })).success).toBe(true);
    expect((await secondSession.GET('/api/me')).response.status).toBe(401);
    // A third login, with a recovery code instead of a code; then every session but this one is revoked.
    const third = ok(await anonymous.POST('/api/login', { body: { username, password } }));
    if (!('challenge_token' in third)) throw new Error('expected a two-factor challenge');
    const recovered = ok(
      await anonymous.POST('/api/login/two-factor', { body: { challenge_token: third.challenge_token, recovery_code: enabled.attributes.tokens[0] } }),
    );
    if (!('token' in recovered)) throw new Error('expected a token pair');
    expect(ok(await api.GET('/api/me/sessions')).data).toHaveLength(2);
    expect(ok(await api.DELETE('/api/me/sessions')).success).toBe(true);
    expect((await client(recovered.token).GET('/api/me')).response.status).toBe(401);
    expect(ok(await api.GET('/api/me/sessions')).data.map((session) => session.id)).toEqual([sessionOf(login.token)]);

    // The key still works after the sessions went, until it is deleted.
    const deleted = await api.DELETE('/api/client/account/api-keys/{identifier}', { params: { path: { identifier: created.attributes.identifier } } });
    expect(deleted.response.status).toBe(204);
    expect((await withKey.GET('/api/client/account')).response.status).toBe(401);
  });

  /** The document types upload parts as Blob (scripts/generate-client-types.mjs): a Blob or a File needs no cast. */
  function asForm(body: object): FormData {
    const form = new FormData();
    for (const [name, value] of Object.entries(body) as [string, unknown][]) {
      if (value instanceof Blob) form.append(name, value);
      else if (value !== undefined && value !== null) form.append(name, typeof value === 'object' ? JSON.stringify(value) : String(value));
    }
    return form;
  }

  it('uploads a Blob and a File through the generated client, without a cast', async () => {
    const username = `client_${randomBytes(4).toString('hex')}`;
    const password = `pw-${randomBytes(8).toString('hex')}`;
    const anonymous = client();
    await anonymous.POST('/api/register', { body: { username, email: `${username}@example.com`, password, password_confirmation: password } });
    const login = ok(await anonymous.POST('/api/login', { body: { username, password } }));
    if (!('token' in login)) throw new Error('expected tokens');
    const api = client(login.token);
    const png = new Uint8Array(await pngWithAlpha(40, 40));
    const blob: Blob = new Blob([png], { type: 'image/png' });
    const uploaded = ok(await api.POST('/api/me/avatar', { body: { file: blob }, bodySerializer: asForm }));
    expect(uploaded.data.avatar).toContain('/storage/');
    const file: File = new File([png], 'me.png', { type: 'image/png' });
    const profile = ok(
      await api.POST('/api/v1/auth/user/profile', { body: { name: 'Blob', profile_picture: file }, bodySerializer: asForm }),
    );
    expect(profile.data.name).toBe('Blob');
  });
});
