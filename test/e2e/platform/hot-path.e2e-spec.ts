import { jest } from '@jest/globals';
import { bootTestApp, type TestApp } from '../../support/app.js';
import { bearer, loggedInUser, verifiedUser, type LoggedInUser } from '../../support/factories.js';
import { queriesDuring } from '../../support/queries.js';
import { ApiKeysService } from '../../../src/capabilities/api-keys/api-keys.service.js';
import type { AuthContext } from '../../../src/core/users/auth-context.js';
import { CompiledResponses } from '../../../src/platform/http/compiled-json.js';
import { presentClientAccount } from '../../../src/dialects/client/account.presenter.js';
import { presentOpenBadgeUser } from '../../../src/dialects/open-badge/user.presenter.js';
import { presentVanguardUserResponse } from '../../../src/dialects/vanguard/user.presenter.js';
import { SessionsService } from '../../../src/core/credentials/sessions/sessions.service.js';
import type { AccessTokenClaims } from '../../../src/core/credentials/sessions/session-tokens.js';
import { User } from '../../../src/core/users/user.entity.js';
import { UserProfileService } from '../../../src/core/users/user-profile.service.js';
import { UsersService } from '../../../src/core/users/users.service.js';

const CLIENT = { ip: '127.0.0.1', userAgent: 'jest' };

/** The claims of an access token (already verified by the app that signed it). */
const claimsOf = (token: string): AccessTokenClaims => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));

/** Every column filled, timestamps with microseconds (the guard's strings must truncate them as pg's Date does). */
async function fillEveryColumn(t: TestApp, userId: number): Promise<void> {
  await t.db.query(
    `UPDATE users SET email_verified_at = '2024-07-03 15:02:45.123999+00', first_name = 'Ada', last_name = 'Lovelace',
            phone = '+381641234567', address = '1 Analytical Street', country_id = 688, birthday = '0050-06-07',
            language = 'de', avatar_key = 'abc123', avatar_url = NULL, public_profile = false, public_badges = true,
            t_c_accepted_at = '2023-01-02 03:04:05.000001+00', last_login = '1999-12-31 23:59:59.999999+00',
            two_factor_method = 'sms', two_factor_country_code = 381, two_factor_phone = '641234567',
            two_factor_recovery_codes_left = 7, created_at = '2020-02-29 23:59:59.999999+00', updated_at = '2021-03-01 00:00:00+00'
      WHERE id = $1`,
    [userId],
  );
}

/** The entity's value as the guard's read gives it: timestamps as Date#toISOString() writes them. */
const asGuardReads = (value: unknown): unknown => (value instanceof Date ? value.toISOString() : value);

describe("the bearer guard's read (issue 24)", () => {
  let t: TestApp;
  let owner: LoggedInUser;
  let apiKey: string;
  beforeAll(async () => {
    t = await bootTestApp();
    owner = await verifiedUser(t);
    const created = await t.http().post('/api/client/account/api-keys').set(owner.auth).send({ description: 'hot path', scopes: ['account.read'] }).expect(200);
    apiKey = created.body.meta.secret_token;
    await fillEveryColumn(t, owner.id);
  });
  afterAll(async () => {
    await t.close();
  });

  /** The caller as the guard resolves each credential, beside the user TypeORM loads (role included). */
  async function guardReads(): Promise<{ fromToken: AuthContext; fromKey: AuthContext; loaded: User }> {
    const fromToken = await t.app.get(SessionsService).authenticate(claimsOf(owner.tokens.token), CLIENT);
    const fromKey = await t.app.get(ApiKeysService).authenticate(apiKey, CLIENT);
    const loaded = await t.app.get(UsersService).getById(owner.id);
    return { fromToken, fromKey, loaded };
  }

  it('holds every column of the user entity (the password hash excepted) as TypeORM hydrates it, and the role', async () => {
    const { fromToken, fromKey, loaded } = await guardReads();
    const columns = t.db.getMetadata(User).columns.filter((column) => column.isSelect).map((column) => column.propertyName);
    const expected = Object.fromEntries(columns.map((property) => [property, asGuardReads(loaded[property as keyof User])]));
    for (const auth of [fromToken, fromKey]) {
      const { role, ...user } = auth.user;
      expect(user).toEqual(expected);
      expect(role).toEqual(loaded.role);
    }
    // The microseconds are cut, not rounded, as pg's Date does: .999999 stays in its second.
    expect(fromToken.user.createdAt).toBe('2020-02-29T23:59:59.999Z');
    expect(fromToken.user.birthday).toBe('0050-06-07');
    expect(fromToken.session?.loggedInAt).toBeInstanceOf(Date);
    expect(fromKey.apiKey?.scopes).toEqual(['account.read']);
  });

  it('gives every family byte for byte the body the TypeORM-loaded user gives', async () => {
    const { fromToken, fromKey, loaded } = await guardReads();
    const profiles = t.app.get(UserProfileService);
    const bodies = (user: AuthContext['user']): string[] => {
      const profile = profiles.of(user);
      return [
        JSON.stringify(presentVanguardUserResponse(profile, { role: true })),
        JSON.stringify(presentOpenBadgeUser(profile)),
        JSON.stringify(presentClientAccount(profile)),
      ];
    };
    expect(bodies(fromToken.user)).toEqual(bodies(loaded));
    expect(bodies(fromKey.user)).toEqual(bodies(loaded));
    // And over HTTP, as the app writes them.
    const loadedProfile = profiles.of(loaded);
    expect((await t.http().get('/api/me').set(owner.auth).expect(200)).text).toBe(JSON.stringify(presentVanguardUserResponse(loadedProfile)));
    expect((await t.http().get('/api/v1/auth/user').set(bearer(apiKey)).expect(200)).text).toBe(JSON.stringify(presentOpenBadgeUser(loadedProfile)));
    expect((await t.http().get('/api/client/account').set(owner.auth).expect(200)).text).toBe(JSON.stringify(presentClientAccount(loadedProfile)));
  });

  it('writes the three reads through the serialisers compiled from the document, and nothing else', async () => {
    const writes = jest.spyOn(CompiledResponses.prototype, 'write');
    try {
      for (const path of ['/api/me', '/api/v1/auth/user', '/api/client/account']) {
        const res = await t.http().get(path).set(owner.auth).expect(200);
        expect(writes.mock.results.at(-1)?.value).toBe(res.text);
        expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      }
      await t.http().get('/api/me/sessions').set(owner.auth).expect(200);
      expect(writes.mock.results.at(-1)?.value).toBeUndefined();
    } finally {
      writes.mockRestore();
    }
  });

  it('costs one statement and one pool connection per request, with an access token or an API key', async () => {
    // The first use of the key queues its last_used_at write; write it now so that it is not counted below.
    await t.http().get('/api/me').set(bearer(apiKey)).expect(200);
    await t.app.get(ApiKeysService).flushLastUsed();
    const cases: [string, Record<string, string>, RegExp][] = [
      ['/api/me', owner.auth, /FROM "sessions" "s" JOIN "users" "u"/],
      ['/api/v1/auth/user', owner.auth, /FROM "sessions" "s" JOIN "users" "u"/],
      ['/api/client/account', owner.auth, /FROM "sessions" "s" JOIN "users" "u"/],
      ['/api/me', bearer(apiKey), /FROM "api_keys" "k" JOIN "users" "u"/],
      ['/api/v1/auth/user', bearer(apiKey), /FROM "api_keys" "k" JOIN "users" "u"/],
      ['/api/client/account', bearer(apiKey), /FROM "api_keys" "k" JOIN "users" "u"/],
    ];
    for (const [path, auth, statement] of cases) {
      const queries = await queriesDuring(t, () => t.http().get(path).set(auth).expect(200));
      expect(queries).toHaveLength(2);
      expect(queries[0]).toMatch(statement);
      // Read by name: one JSON object whose keys are the properties the services read.
      expect(queries[0]).toMatch(/^SELECT json_build_object\('/);
      expect(queries[0]).not.toMatch(/"roles"/);
      expect(queries[1]).toBe('(pool connection)');
    }
  });

  it('adds one statement to GET /api/v1/auth/user for a user with a current organization (issue 30)', async () => {
    const member = await verifiedUser(t);
    await t.http().post('/api/organizations').set(member.auth).send({ name: 'Hot' }).expect(201);
    await t.http().get('/api/v1/auth/user').set(member.auth).expect(200);
    const queries = await queriesDuring(t, () => t.http().get('/api/v1/auth/user').set(member.auth).expect(200));
    const statements = queries.filter((query) => query !== '(pool connection)');
    expect(statements).toHaveLength(2);
    expect(statements[0]).toMatch(/FROM "sessions" "s" JOIN "users" "u"/);
    // The organization by id, with the membership checked, as one JSON object.
    expect(statements[1]).toMatch(/^SELECT json_build_object\('id', o\.id/);
    expect(statements[1]).toMatch(/FROM organizations o/);
  });

  it('still refuses a banned owner and a revoked session on the very next request', async () => {
    const user = await loggedInUser(t);
    await t.http().get('/api/me').set(user.auth).expect(200);
    await t.db.query(`UPDATE users SET status = 'Banned' WHERE id = $1`, [user.id]);
    await t.http().get('/api/me').set(user.auth).expect(403);
    await t.db.query(`UPDATE users SET status = 'Active' WHERE id = $1`, [user.id]);
    await t.db.query(`UPDATE sessions SET revoked_at = now() WHERE user_id = $1`, [user.id]);
    await t.http().get('/api/me').set(user.auth).expect(401);
  });
});
