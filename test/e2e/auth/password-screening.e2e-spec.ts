import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { UserTokensService } from '../../../src/capabilities/account-recovery/user-tokens.service.js';
import { CREDENTIAL_ERRORS } from '../../../src/core/credentials/errors.js';
import { PasswordPolicyService } from '../../../src/core/credentials/password-policy.service.js';
import { bootTestApp, type TestApp } from '../../support/app.js';
import { loggedInUser, uniqueName, type LoggedInUser } from '../../support/factories.js';
import { createDatabase } from '../../support/processes.js';
import { PwnedRangeServer, sha1 } from '../../support/pwned-range-server.js';
import { loggedInAdmin } from '../../support/admin-helpers.js';

/** Strong by zxcvbn's measure, so only the range API can refuse them. */
const BREACHED = 'Orchid-Lantern-Quarry-42';
const STRONG = 'Marmalade-Tundra-Violin-77';
const REFUSED_LARAVEL = { message: 'The given data was invalid.', errors: { password: [CREDENTIAL_ERRORS.PASSWORD_REFUSED.message] } };
const REFUSED_CLIENT = {
  errors: [{ code: 'ValidationException', status: '422', detail: CREDENTIAL_ERRORS.PASSWORD_REFUSED.message, meta: { source_field: 'password', rule: 'uncompromised' } }],
};

function registration(password: string, overrides: Record<string, string> = {}) {
  const username = overrides.username ?? uniqueName('screen');
  return { username, email: `${username}@example.com`, password, password_confirmation: password, ...overrides };
}

describe('password screening: offline (zxcvbn)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await bootTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it.each(['password', 'Password1', 'password123', 'qwertyuiop'])('refuses the common password %j at registration', async (password) => {
    await t.http().post('/api/register').send(registration(password)).expect(422, REFUSED_LARAVEL);
  });

  it("refuses the user's own username, email and names, with decorations", async () => {
    const username = uniqueName('Kestrel');
    await t.http().post('/api/register').send(registration(username, { username })).expect(422, REFUSED_LARAVEL);
    await t.http().post('/api/register').send(registration(`${username}!`, { username })).expect(422, REFUSED_LARAVEL);
    await t
      .http()
      .post('/api/register')
      .send(registration(`${username}@example.com`, { username }))
      .expect(422, REFUSED_LARAVEL);
    await t
      .http()
      .post('/api/register')
      .send({ ...registration('Wolfgang Amadeusz', {}), first_name: 'Wolfgang', last_name: 'Amadeusz' })
      .expect(422, REFUSED_LARAVEL);
    // The same password, without the user's words in it, is strong enough for another account.
    expect(await t.app.get(PasswordPolicyService).score('Wolfgang Amadeusz', {})).toBeGreaterThanOrEqual(3);
  });

  it('accepts a strong password, and refuses nothing for being only long (1024 characters)', async () => {
    await t.http().post('/api/register').send(registration(STRONG)).expect(201);
    await t.http().post('/api/register').send(registration(`${'Tundra violin marmalade '.repeat(42)}x`.slice(0, 1024))).expect(201);
  });

  it('screens the new password of PATCH /api/me/details/auth against the new username', async () => {
    const user = await loggedInUser(t);
    const username = uniqueName('Heron');
    await t
      .http()
      .patch('/api/me/details/auth')
      .set(user.auth)
      .send({ username, password: `${username}1`, password_confirmation: `${username}1` })
      .expect(422, REFUSED_LARAVEL);
    const [row] = await t.db.query(`SELECT username FROM users WHERE id = $1`, [user.id]);
    expect(row.username).toBe(user.username);
  });
});

describe('password screening: breached passwords (k-anonymity range API)', () => {
  let t: TestApp;
  let range: PwnedRangeServer;

  beforeAll(async () => {
    range = await PwnedRangeServer.start();
    range.list(BREACHED, 12);
    // A padding line for the strong password: count 0 means "not breached".
    range.list(STRONG, 0);
    t = await bootTestApp({ PWNED_PASSWORDS_URL: range.url });
  });
  afterAll(async () => {
    await t.close();
    await range.close();
  });
  beforeEach(() => {
    range.mode = 'answer';
    range.requests.length = 0;
  });

  it('sends only the first 5 hex characters of the SHA-1, with Add-Padding, and never the password or its hash', async () => {
    await t.http().post('/api/register').send(registration(BREACHED)).expect(422, REFUSED_LARAVEL);
    expect(range.requests).toHaveLength(1);
    const [request] = range.requests;
    expect(request.url).toBe(`/range/${sha1(BREACHED).slice(0, 5)}`);
    expect(request.headers['add-padding']).toBe('true');
    const sent = JSON.stringify(request).toUpperCase();
    expect(sent).not.toContain(sha1(BREACHED).slice(5));
    expect(sent).not.toContain(BREACHED.toUpperCase());
  });

  it('ignores padding lines (count 0): the strong password is accepted', async () => {
    await t.http().post('/api/register').send(registration(STRONG)).expect(201);
    expect(range.requests.map((r) => r.url)).toEqual([`/range/${sha1(STRONG).slice(0, 5)}`]);
  });

  it('does not ask the range API about a password the offline check already refused', async () => {
    await t.http().post('/api/register').send(registration('password')).expect(422, REFUSED_LARAVEL);
    expect(range.requests).toHaveLength(0);
  });

  describe('refuses the breached password at every route that sets one, and accepts a strong one', () => {
    let user: LoggedInUser;
    beforeEach(async () => {
      user = await loggedInUser(t);
    });

    it('PATCH /api/me/details/auth', async () => {
      const send = (password: string) =>
        t.http().patch('/api/me/details/auth').set(user.auth).send({ password, password_confirmation: password, current_password: user.password });
      await send(BREACHED).expect(422, REFUSED_LARAVEL);
      await send(STRONG).expect(200);
    });

    it('PUT /api/client/account/password (errors[] with source_field)', async () => {
      const send = (password: string) =>
        t.http().put('/api/client/account/password').set(user.auth).send({ current_password: user.password, password, password_confirmation: password });
      await send(BREACHED).expect(422, REFUSED_CLIENT);
      await send(STRONG).expect(204);
    });

    it.each(['/api/password/reset', '/api/v1/auth/reset-password'])('POST %s (the token stays usable after a refusal)', async (route) => {
      const issued = await t.app.get(UserTokensService).issueForEmail('password_reset', user.email, 3600);
      const send = (password: string) => t.http().post(route).send({ token: issued!.token, email: user.email, password, password_confirmation: password });
      await send(BREACHED).expect(422, REFUSED_LARAVEL);
      await send(STRONG).expect(200, { success: true });
    });

    it('POST /api/users and PATCH /api/users/{id} (admin)', async () => {
      const admin = await loggedInAdmin(t);
      const create = (password: string) =>
        t.http().post('/api/users').set(admin.auth).send({ ...registration(password), first_name: 'Ada' });
      await create(BREACHED).expect(422, REFUSED_LARAVEL);
      await create(STRONG).expect(201);
      const update = (password: string) =>
        t.http().patch(`/api/users/${user.id}`).set(admin.auth).send({ password, password_confirmation: password });
      await update(BREACHED).expect(422, REFUSED_LARAVEL);
      await update(STRONG).expect(200);
    });

    it('POST /api/register', async () => {
      await t.http().post('/api/register').send(registration(BREACHED)).expect(422, REFUSED_LARAVEL);
    });
  });
});

describe('password screening: the range API unavailable', () => {
  let range: PwnedRangeServer;
  beforeAll(async () => {
    range = await PwnedRangeServer.start();
    range.list(BREACHED, 3);
  });
  afterAll(async () => {
    await range.close();
  });

  async function withApp(env: Record<string, string>, run: (t: TestApp) => Promise<void>): Promise<void> {
    const t = await bootTestApp({ PWNED_PASSWORDS_URL: range.url, ...env });
    try {
      await run(t);
    } finally {
      await t.close();
    }
  }

  it('fails open by default on a timeout (1.5 s) and on an error answer: the password is accepted, with a warning', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn');
    try {
      await withApp({}, async (t) => {
        range.mode = 'hang';
        await t.http().post('/api/register').send(registration(STRONG)).expect(201);
        range.mode = 'error';
        await t.http().post('/api/register').send(registration(STRONG)).expect(201);
      });
      const warnings = warn.mock.calls.filter((args) => JSON.stringify(args).includes('breached-password check unavailable'));
      expect(warnings).toHaveLength(2);
      expect(JSON.stringify(warnings)).toMatch(/TimeoutError/);
      // Neither the password nor any part of its hash is logged.
      for (const secret of [STRONG, sha1(STRONG).slice(0, 5), sha1(STRONG).slice(5)]) expect(JSON.stringify(warnings).toUpperCase()).not.toContain(secret.toUpperCase());
    } finally {
      warn.mockRestore();
    }
  });

  it('fails closed with PWNED_PASSWORDS_FAIL_CLOSED=true, on a timeout and on an error answer', async () => {
    await withApp({ PWNED_PASSWORDS_FAIL_CLOSED: 'true' }, async (t) => {
      range.mode = 'hang';
      await t.http().post('/api/register').send(registration(STRONG)).expect(422, REFUSED_LARAVEL);
      range.mode = 'error';
      await t.http().post('/api/register').send(registration(STRONG)).expect(422, REFUSED_LARAVEL);
      range.mode = 'answer';
      await t.http().post('/api/register').send(registration(STRONG)).expect(201);
    });
  });

  it('refuses only from PWNED_PASSWORDS_MIN_COUNT breaches on', async () => {
    await withApp({ PWNED_PASSWORDS_MIN_COUNT: '4' }, async (t) => {
      range.mode = 'answer';
      await t.http().post('/api/register').send(registration(BREACHED)).expect(201);
    });
    await withApp({ PWNED_PASSWORDS_MIN_COUNT: '3' }, async (t) => {
      await t.http().post('/api/register').send(registration(BREACHED)).expect(422, REFUSED_LARAVEL);
    });
  });

});

describe('password screening: ADMIN_PASSWORD of the first admin', () => {
  it('stops the start on an empty database when it is weak (naming the variable), and creates the admin when it is strong', async () => {
    const db = await createDatabase('tessera_adminpw');
    try {
      await expect(bootTestApp({ DATABASE_URL: db.url, ADMIN_PASSWORD: 'password123' })).rejects.toThrow(
        'Invalid configuration: ADMIN_PASSWORD is too common or has appeared in a data breach; choose another',
      );
      const t = await bootTestApp({ DATABASE_URL: db.url, ADMIN_PASSWORD: STRONG });
      try {
        await t.http().post('/api/login').send({ username: 'admin', password: STRONG }).expect(200);
      } finally {
        await t.close();
      }
    } finally {
      await db.drop();
    }
  });
});
