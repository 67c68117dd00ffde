/**
 * Issue 28, attack 8: two answers told whether an account exists. `POST /api/register` refused an address that had
 * an account (422 on `email`), and `POST /api/login/passkey/options` built the decoy of an unknown name with
 * JavaScript's `toLowerCase()` while accounts are found with PostgreSQL's `lower()`: `alİce` and `alice` got one
 * answer when the account existed and two when it did not.
 */
import { bootMailingTestApp, type MailingTestApp } from '../../support/app.js';
import { registerUser, uniqueName } from '../../support/factories.js';
import { mailTexts } from '../../support/mail-helpers.js';

const FRONTEND_URL = 'https://app.example.test';
const ATTEMPT_NOTICE = 'Someone tried to sign up with your email address';

describe('no account enumeration (issue 28)', () => {
  let t: MailingTestApp;

  beforeAll(async () => {
    t = await bootMailingTestApp({ FRONTEND_URL });
  });
  afterAll(async () => {
    await t?.close();
  });

  const register = (body: { username: string; email: string; password?: string }) => {
    const password = body.password ?? 'long enough pw';
    return t.http().post('/api/register').send({ username: body.username, email: body.email, password, password_confirmation: password });
  };

  const mailsTo = (to: string, subject: string): Promise<string[]> => mailTexts(t, to, subject);

  const userCount = async (): Promise<number> => (await t.db.query(`SELECT count(*)::int AS n FROM users`))[0].n as number;

  describe('POST /api/register', () => {
    it('attack: answers an address that has an account as it answers a new one, creates nothing, and tells the owner', async () => {
      const owner = await registerUser(t);
      const fresh = uniqueName('fresh');
      const forNew = await register({ username: fresh, email: `${fresh}@example.com` }).expect(201);

      const before = await userCount();
      const squatter = uniqueName('squatter');
      const forTaken = await register({ username: squatter, email: owner.email.toUpperCase() }).expect(201);
      expect(forTaken.body).toEqual(forNew.body);
      expect(Object.keys(forTaken.headers).sort()).toEqual(Object.keys(forNew.headers).sort());
      expect(await userCount()).toBe(before);
      expect(await t.db.query(`SELECT id FROM users WHERE username = $1`, [squatter])).toEqual([]);

      // The owner hears of it at their address, with no link to anything the other party could use.
      const [notice] = await mailsTo(owner.email, ATTEMPT_NOTICE);
      expect(notice).toContain('No account was created');
      expect(notice).not.toContain(squatter);
      expect(await mailsTo(owner.email, 'Verify your email address')).toHaveLength(1);
    });

    it('still refuses a taken username (it is public), and names only the username when the address is taken too', async () => {
      const owner = await registerUser(t);
      const before = await userCount();
      const taken = await register({ username: owner.username.toUpperCase(), email: `${uniqueName('other')}@example.com` }).expect(422);
      expect(taken.body.errors).toEqual({ username: ['The username has already been taken.'] });
      const both = await register({ username: owner.username, email: owner.email }).expect(422);
      expect(both.body.errors).toEqual({ username: ['The username has already been taken.'] });
      expect(await userCount()).toBe(before);
      expect(await mailsTo(owner.email, ATTEMPT_NOTICE)).toEqual([]);
    });

    it('screens the password the same whether or not the address has an account', async () => {
      const owner = await registerUser(t);
      const refused = { message: 'The given data was invalid.', errors: { password: ['This password is too common or has appeared in a data breach; choose another.'] } };
      await register({ username: uniqueName('weak'), email: owner.email, password: 'password123' }).expect(422, refused);
      await register({ username: uniqueName('weak'), email: `${uniqueName('new')}@example.com`, password: 'password123' }).expect(422, refused);
    });

    it('answers concurrent registrations of one address alike: one account, the same 201 for all', async () => {
      const email = `${uniqueName('race')}@example.com`;
      const results = await Promise.all([0, 1, 2].map(() => register({ username: uniqueName('racer'), email })));
      expect(results.map((res) => res.status)).toEqual([201, 201, 201]);
      expect(new Set(results.map((res) => JSON.stringify(res.body))).size).toBe(1);
      expect(await t.db.query(`SELECT id FROM users WHERE lower(email) = lower($1)`, [email])).toHaveLength(1);
    });
  });

  describe('POST /api/login/passkey/options', () => {
    const allowed = async (username: string): Promise<unknown> =>
      (await t.http().post('/api/login/passkey/options').send({ username }).expect(200)).body.options.allowCredentials;

    it('attack: gives every spelling of an unknown name, as PostgreSQL folds it, the same decoy', async () => {
      const name = uniqueName('alice');
      // What the attack relies on: the database folds `İ` to `i`, JavaScript to `i̇` (i and a combining dot).
      const [{ folded }] = await t.db.query(`SELECT lower($1) AS folded`, [name.replace('i', 'İ')]);
      expect([folded, name.replace('i', 'İ').toLowerCase()]).toEqual([name, name.replace('i', 'i\u0307')]);
      for (const spelling of [name.replace('i', 'İ'), name.toUpperCase(), name.replace('i', 'İ').toUpperCase()]) {
        expect([spelling, await allowed(spelling)]).toEqual([spelling, await allowed(name)]);
      }
      // The same for an address.
      const address = `${name}@example.com`;
      expect(await allowed(address.replace('i', 'İ'))).toEqual(await allowed(address));
      // Two different names are two different decoys.
      expect(await allowed(`${name}x`)).not.toEqual(await allowed(name));
    });

    it('gives an existing account one answer for every spelling, as it always did', async () => {
      const user = await registerUser(t, { username: uniqueName('alice') });
      const answer = await allowed(user.username);
      expect(await allowed(user.username.replace('i', 'İ'))).toEqual(answer);
      expect(await allowed(user.email.toUpperCase())).toEqual(answer);
    });
  });
});
