import { randomBytes } from 'node:crypto';
import { loggedInAdmin } from '../../support/admin-helpers.js';
import { bootMailingTestApp, type MailingTestApp } from '../../support/app.js';
import { bearer, loggedInUser, uniqueName, verifiedUser, type LoggedInUser } from '../../support/factories.js';
import { startGithubLikeServer, startOidcProvider, walkFlow, type GithubLikeServer, type OidcProvider } from '../../support/identity-providers.js';
import { mailTexts, resetPasswordByMail } from '../../support/mail-helpers.js';
import { ageLogins, eventsOf } from '../../support/profile-helpers.js';

const FRONTEND = 'http://localhost:5173';
const RETURN = `${FRONTEND}/auth/done`;
const SETTINGS = `${FRONTEND}/auth/settings`;
const NOT_PROVEN = { message: 'Verify your email address first.' };
const RECENT_LOGIN = { message: 'This action requires a recent login. Send your current_password to confirm it.' };
const LAST_METHOD = { message: 'This is your only way to sign in; set a password or add a passkey first.' };

const person = (overrides: Record<string, unknown> = {}) => {
  const name = uniqueName('idp');
  return { sub: `sub-${randomBytes(6).toString('hex')}`, email: `${name}@example.org`, email_verified: true, preferred_username: name, ...overrides };
};

describe('linked identities: link, list, unlink, recovery, export, deletion, admins, GitHub', () => {
  let oidc: OidcProvider;
  let github: GithubLikeServer;
  let t: MailingTestApp;
  beforeAll(async () => {
    oidc = await startOidcProvider();
    github = await startGithubLikeServer('gh-client', 'gh-secret');
    t = await bootMailingTestApp({
      FRONTEND_URL: FRONTEND,
      OAUTH_PROVIDERS: 'mock,hub',
      OAUTH_MOCK_ISSUER: oidc.issuer,
      OAUTH_MOCK_CLIENT_ID: 'tessera-test',
      OAUTH_MOCK_CLIENT_SECRET: 'tessera-test-secret',
      OAUTH_MOCK_NAME: 'Mock ID',
      OAUTH_HUB_TYPE: 'github',
      OAUTH_HUB_ISSUER: github.url,
      OAUTH_HUB_CLIENT_ID: 'gh-client',
      OAUTH_HUB_CLIENT_SECRET: 'gh-secret',
      OAUTH_RETURN_URLS: `${FRONTEND}/auth`,
    });
  });
  afterAll(async () => {
    await t.close();
    await github.close();
    await oidc.close();
  });

  /** Links the provider's account `who` to `user` through a link ticket opened in the browser; where it landed. */
  async function link(user: LoggedInUser, who: { sub: string }, body: object = {}): Promise<URL> {
    await oidc.setIdentity(who);
    const res = await t.http().post('/api/me/identities/mock/link').set(user.auth).send({ return_to: SETTINGS, ...body }).expect(200);
    const url = new URL(res.body.data.authorize_url as string);
    expect(url.pathname).toBe('/api/oauth/mock/authorize');
    return (await walkFlow(t, `${url.pathname}${url.search}`)).landed;
  }

  async function signInAs(who: { sub: string }): Promise<string> {
    await oidc.setIdentity(who);
    const landed = (await walkFlow(t, `/api/oauth/mock/authorize?return_to=${encodeURIComponent(RETURN)}`)).landed;
    const code = landed.searchParams.get('oauth_code');
    if (!code) throw new Error(`no code: ${landed.href}`);
    return (await t.http().post('/api/oauth/exchange').send({ code }).expect(200)).body.token as string;
  }

  const identitiesOf = async (userId: number) => t.db.query(`SELECT id, provider, issuer, subject FROM identities WHERE user_id = $1 ORDER BY id`, [userId]);

  describe('linking from settings', () => {
    it('links through a single-use ticket, mails the owner, logs it, and lists it', async () => {
      const user = await verifiedUser(t);
      const who = person();
      const landed = await link(user, who);
      expect(landed.href).toBe(`${SETTINGS}?oauth_linked=1`);
      expect(await identitiesOf(user.id)).toEqual([{ id: expect.any(Number), provider: 'mock', issuer: oidc.issuer, subject: who.sub }]);
      expect(await mailTexts(t, user.email, 'Sign-in with Mock ID was linked to your account')).toHaveLength(1);
      expect(await eventsOf(t, user.id)).toContain('user:identity.linked');
      const listed = await t.http().get('/api/me/identities').set(user.auth).expect(200);
      expect(listed.body).toEqual({ data: [{ id: expect.any(Number), provider: 'mock', email: who.email, created_at: expect.any(String), last_used_at: null }] });
      // The identity now signs in to this account.
      const token = await signInAs(who);
      expect((await t.http().get('/api/me').set(bearer(token)).expect(200)).body.data.id).toBe(user.id);
    });

    it('a ticket works once', async () => {
      const user = await verifiedUser(t);
      const res = await t.http().post('/api/me/identities/mock/link').set(user.auth).send({ return_to: SETTINGS }).expect(200);
      const url = new URL(res.body.data.authorize_url as string);
      await oidc.setIdentity(person());
      await walkFlow(t, `${url.pathname}${url.search}`);
      const again = await t.http().get(`${url.pathname}${url.search}`).expect(302);
      expect(again.headers.location).toBe(`${FRONTEND}/?oauth_error=invalid_state`);
    });

    it('needs proof, a verified address and an access token; refuses a return_to outside the list and an unknown provider', async () => {
      const unverified = await loggedInUser(t);
      await t.http().post('/api/me/identities/mock/link').set(unverified.auth).send({}).expect(403, NOT_PROVEN);
      const user = await verifiedUser(t);
      await ageLogins(t, user.id);
      await t.http().post('/api/me/identities/mock/link').set(user.auth).send({}).expect(403, RECENT_LOGIN);
      await t.http().post('/api/me/identities/mock/link').set(user.auth).send({ current_password: 'wrong password 123' }).expect(422);
      await t.http().post('/api/me/identities/mock/link').set(user.auth).send({ current_password: user.password, return_to: 'https://evil.example/' }).expect(422);
      await t.http().post('/api/me/identities/nope/link').set(user.auth).send({ current_password: user.password }).expect(404);
      await t.http().post('/api/me/identities/mock/link').set(user.auth).send({ current_password: user.password, return_to: SETTINGS }).expect(200);
      const key = await t.http().post('/api/client/account/api-keys').set(bearer(await freshToken(user))).send({ description: 'k' }).expect(200);
      await t.http().post('/api/me/identities/mock/link').set(bearer(key.body.meta.secret_token)).send({ current_password: user.password }).expect(403, { message: 'API keys cannot change credentials.' });
      expect(await identitiesOf(user.id)).toEqual([]);
    });

    it('an identity another account holds: identity_in_use, nothing changes', async () => {
      const holder = await verifiedUser(t);
      const who = person();
      await link(holder, who);
      const other = await verifiedUser(t);
      expect((await link(other, who)).searchParams.get('oauth_error')).toBe('identity_in_use');
      expect(await identitiesOf(other.id)).toEqual([]);
    });

    it('a password reset between the ticket and the callback ends the link', async () => {
      const user = await verifiedUser(t);
      await oidc.setIdentity(person());
      const res = await t.http().post('/api/me/identities/mock/link').set(user.auth).send({ return_to: SETTINGS }).expect(200);
      const url = new URL(res.body.data.authorize_url as string);
      // What a reset does to the account (AccountLifecycle.end raises the version, then every holder ends its part).
      await t.db.query(`UPDATE users SET credential_version = credential_version + 1 WHERE id = $1`, [user.id]);
      const landed = (await walkFlow(t, `${url.pathname}${url.search}`)).landed;
      expect(landed.searchParams.get('oauth_error')).toBe('invalid_state');
      expect(await identitiesOf(user.id)).toEqual([]);
    });
  });

  /** A new access token for the user (a recent sign-in). */
  async function freshToken(user: LoggedInUser): Promise<string> {
    return (await t.http().post('/api/login').send({ username: user.username, password: user.password }).expect(200)).body.token as string;
  }

  describe('unlinking', () => {
    it('refuses to unlink the only way into a passwordless account, and allows it once another identity is linked', async () => {
      const who = person();
      const token = await signInAs(who);
      const auth = bearer(token);
      const [identity] = (await t.http().get('/api/me/identities').set(auth).expect(200)).body.data;
      await t.http().delete(`/api/me/identities/${identity.id}`).set(auth).send({}).expect(422, LAST_METHOD);
      // A second identity (GitHub) linked from settings makes the first removable.
      github.user = { id: Math.floor(Math.random() * 1e9), login: uniqueName('octo'), name: 'Octo Cat', emails: [{ email: `${uniqueName('gh')}@example.net`, primary: true, verified: true }] };
      const ticket = await t.http().post('/api/me/identities/hub/link').set(auth).send({ return_to: SETTINGS }).expect(200);
      const url = new URL(ticket.body.data.authorize_url as string);
      expect((await walkFlow(t, `${url.pathname}${url.search}`)).landed.href).toBe(`${SETTINGS}?oauth_linked=1`);
      await t.http().delete(`/api/me/identities/${identity.id}`).set(auth).send({}).expect(200, { success: true });
      const left = (await t.http().get('/api/me/identities').set(auth).expect(200)).body.data;
      expect(left.map((entry: { provider: string }) => entry.provider)).toEqual(['hub']);
      await t.http().delete(`/api/me/identities/${left[0].id}`).set(auth).send({}).expect(422, LAST_METHOD);
    });

    it('with a password: proof rule, another user’s identity is 404, logged', async () => {
      const user = await verifiedUser(t);
      await link(user, person());
      const [identity] = await identitiesOf(user.id);
      const stranger = await verifiedUser(t);
      await t.http().delete(`/api/me/identities/${identity.id}`).set(stranger.auth).send({}).expect(404);
      await ageLogins(t, user.id);
      await t.http().delete(`/api/me/identities/${identity.id}`).set(user.auth).send({}).expect(403, RECENT_LOGIN);
      await t.http().delete(`/api/me/identities/${identity.id}`).set(user.auth).send({ current_password: user.password }).expect(200, { success: true });
      expect(await identitiesOf(user.id)).toEqual([]);
      expect(await eventsOf(t, user.id)).toContain('user:identity.unlinked');
    });
  });

  describe('recovery, export and deletion', () => {
    it('a password reset unlinks every identity, and the notice says so', async () => {
      const user = await verifiedUser(t);
      const who = person();
      await link(user, who);
      await resetPasswordByMail(t, user.email);
      expect(await identitiesOf(user.id)).toEqual([]);
      expect(await eventsOf(t, user.id)).toContain('user:identity.revoked');
      const [notice] = await mailTexts(t, user.email, 'Your password was reset');
      expect(notice).toContain('every sign-in through an identity provider unlinked (1)');
    });

    it('the export lists identities without any token or subject; deletion removes them', async () => {
      const user = await verifiedUser(t);
      const who = person();
      await link(user, who);
      const exported = await t.http().get('/api/me/export').set(user.auth).buffer(true).expect(200);
      const document = JSON.parse(exported.text);
      expect(document.identities).toEqual([
        { id: expect.any(Number), provider: 'mock', issuer: oidc.issuer, email: who.email, created_at: expect.any(String), last_used_at: null },
      ]);
      expect(exported.text).not.toContain(who.sub);
      await t.http().delete('/api/me').set(user.auth).send({ current_password: user.password }).expect(200);
      expect(await t.db.query(`SELECT id FROM identities WHERE subject = $1`, [who.sub])).toEqual([]);
    });
  });

  describe('admins', () => {
    it('list a user’s identities and unlink one with proof; the user is mailed', async () => {
      const admin = await loggedInAdmin(t);
      const user = await verifiedUser(t);
      await link(user, person());
      const listed = await t.http().get(`/api/users/${user.id}/identities`).set(admin.auth).expect(200);
      expect(listed.body.data).toHaveLength(1);
      await t.http().get(`/api/users/${user.id}/identities`).set(user.auth).expect(403);
      await ageLogins(t, admin.id);
      await t.http().delete(`/api/users/${user.id}/identities/${listed.body.data[0].id}`).set(admin.auth).send({}).expect(403, RECENT_LOGIN);
      await t.http().delete(`/api/users/${user.id}/identities/${listed.body.data[0].id}`).set(admin.auth).send({ current_password: admin.password }).expect(200, { success: true });
      expect(await identitiesOf(user.id)).toEqual([]);
      expect(await eventsOf(t, user.id)).toContain('admin:identity.unlinked');
      const [notice] = await mailTexts(t, user.email, 'An administrator changed your account');
      expect(notice).toContain('sign-in with Mock ID (unlinked)');
    });
  });

  describe('GitHub', () => {
    const signInWithGithub = async () => (await walkFlow(t, `/api/oauth/hub/authorize?return_to=${encodeURIComponent(RETURN)}`)).landed;

    it('a verified primary address creates an account keyed by the numeric id', async () => {
      const id = Math.floor(Math.random() * 1e9);
      const email = `${uniqueName('gh')}@example.net`;
      github.user = { id, login: uniqueName('octo'), name: 'Mona Lisa Octocat', emails: [{ email: `other-${email}`, primary: false, verified: true }, { email, primary: true, verified: true }] };
      const landed = await signInWithGithub();
      const signedIn = await t.http().post('/api/oauth/exchange').send({ code: landed.searchParams.get('oauth_code') }).expect(200);
      const me = (await t.http().get('/api/me').set(bearer(signedIn.body.token)).expect(200)).body.data;
      expect(me).toMatchObject({ email, username: github.user.login, first_name: 'Mona', last_name: 'Lisa Octocat' });
      expect(await identitiesOf(me.id)).toEqual([{ id: expect.any(Number), provider: 'hub', issuer: github.url, subject: String(id) }]);
    });

    it('an unverified primary address: email_not_verified, nothing created', async () => {
      github.user = { id: Math.floor(Math.random() * 1e9), login: uniqueName('octo'), name: 'X', emails: [{ email: `${uniqueName('gh')}@example.net`, primary: true, verified: false }] };
      const [before] = await t.db.query(`SELECT count(*)::int AS n FROM users`);
      expect((await signInWithGithub()).searchParams.get('oauth_error')).toBe('email_not_verified');
      expect((await t.db.query(`SELECT count(*)::int AS n FROM users`))[0]).toEqual(before);
    });
  });
});
