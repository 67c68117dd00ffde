import { randomBytes } from 'node:crypto';
import type { Response } from 'supertest';
import { OutboxService } from '../../../src/platform/outbox/outbox.service.js';
import { loggedInAdmin } from '../../support/admin-helpers.js';
import { bootMailingTestApp, type MailingTestApp } from '../../support/app.js';
import { bearer, uniqueName, verifiedUser, type LoggedInUser } from '../../support/factories.js';
import { mockProviderEnv, startOidcProvider, walkFlow, type OidcProvider } from '../../support/identity-providers.js';
import { resetPasswordByMail } from '../../support/mail-helpers.js';
import { enableTotp, totpCode } from '../../support/two-factor-helpers.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../support/webhook-receiver.js';

const FRONTEND = 'http://localhost:5173';
const RETURN = `${FRONTEND}/auth/done`;
const SETTINGS = `${FRONTEND}/auth/settings`;
const COOKIE_NAME = '__Host-tessera_session';
/** What a fetch from the SPA carries: its origin, the custom header, Fetch Metadata's verdict. */
const FROM_SITE = { Origin: FRONTEND, 'X-Requested-With': 'fetch', 'Sec-Fetch-Site': 'same-site' };
const FOREIGN = { Origin: 'https://evil.example.net', 'X-Requested-With': 'fetch', 'Sec-Fetch-Site': 'cross-site' };
const REFUSED = { message: 'Cross-site request refused.' };

const person = (overrides: Record<string, unknown> = {}) => {
  const name = uniqueName('idp');
  return { sub: `sub-${randomBytes(6).toString('hex')}`, email: `${name}@example.org`, email_verified: true, preferred_username: name, ...overrides };
};

/** The `Cookie` header that sends back the session cookie a response set. */
function sessionCookieOf(res: Response): string {
  const setCookie = ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((line) => line.startsWith(`${COOKIE_NAME}=`));
  if (!setCookie) throw new Error(`no session cookie in ${JSON.stringify(res.headers['set-cookie'])}`);
  return setCookie.split(';')[0];
}

describe('identity sign-ins in cookie mode, and identity webhook events', () => {
  let oidc: OidcProvider;
  let t: MailingTestApp;
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    oidc = await startOidcProvider();
    receiver = await startWebhookReceiver();
    t = await bootMailingTestApp(mockProviderEnv(oidc, FRONTEND, { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' }));
  });
  afterAll(async () => {
    await t?.db.query(`DELETE FROM webhook_endpoints`);
    await t?.close();
    await receiver?.close();
    await oidc?.close();
  });

  /** Walks the provider flow as `who`; the oauth_code the browser lands with. */
  async function codeFor(who: { sub: string }): Promise<string> {
    await oidc.setIdentity(who);
    const landed = (await walkFlow(t, `/api/oauth/mock/authorize?return_to=${encodeURIComponent(RETURN)}`)).landed;
    const code = landed.searchParams.get('oauth_code');
    if (!code) throw new Error(`no code: ${landed.href}`);
    return code;
  }

  describe('POST /api/oauth/exchange with session: "cookie"', () => {
    it('answers no token, sets the session cookie, and the cookie reads /api/me', async () => {
      const who = person();
      const res = await t.http().post('/api/oauth/exchange').set(FROM_SITE).send({ code: await codeFor(who), session: 'cookie' }).expect(200);
      expect(res.body).toEqual({ authenticated: true, expires_in: expect.any(Number), device_token: expect.any(String) });
      const me = await t.http().get('/api/me').set('Cookie', sessionCookieOf(res)).expect(200);
      expect(me.body.data.email).toBe(who.email);
    });

    it('refuses a cross-site exchange before the code is spent; the SPA can still exchange it', async () => {
      const code = await codeFor(person());
      await t.http().post('/api/oauth/exchange').set(FOREIGN).send({ code, session: 'cookie' }).expect(403, REFUSED);
      // No headers at all (a form post from anywhere) is refused the same.
      const refused = await t.http().post('/api/oauth/exchange').send({ code, session: 'cookie' }).expect(403, REFUSED);
      expect(refused.headers['set-cookie']).toBeUndefined();
      const [row] = await t.db.query(`SELECT count(*)::int AS n FROM oauth_sign_in_codes`);
      expect(row.n).toBeGreaterThan(0);
      const res = await t.http().post('/api/oauth/exchange').set(FROM_SITE).send({ code, session: 'cookie' }).expect(200);
      await t.http().get('/api/me').set('Cookie', sessionCookieOf(res)).expect(200);
    });

    it('two-factor: the challenge remembers the mode, and its completion sets the cookie', async () => {
      const owner = await verifiedUser(t);
      const { secret } = await enableTotp(t, owner);
      const started = await t.http().post('/api/oauth/exchange').set(FROM_SITE).send({ code: await codeFor(person({ email: owner.email })), session: 'cookie' }).expect(200);
      expect(started.body).toEqual({ two_factor_required: true, challenge_token: expect.any(String), method: 'totp' });
      expect(started.headers['set-cookie']).toBeUndefined();
      const done = await t.http().post('/api/login/two-factor').set(FROM_SITE).send({ challenge_token: started.body.challenge_token, code: totpCode(secret, 1) }).expect(200);
      expect(done.body).toEqual({ authenticated: true, expires_in: expect.any(Number), device_token: expect.any(String) });
      expect((await t.http().get('/api/me').set('Cookie', sessionCookieOf(done)).expect(200)).body.data.id).toBe(owner.id);
    });

    it('without session, answers tokens as before, whatever the headers', async () => {
      const res = await t.http().post('/api/oauth/exchange').set(FOREIGN).send({ code: await codeFor(person()) }).expect(200);
      expect(res.body.token).toEqual(expect.any(String));
      expect(res.headers['set-cookie']).toBeUndefined();
    });
  });

  describe('webhook events', () => {
    let admin: LoggedInUser;
    const path = `/identities-${randomBytes(4).toString('hex')}`;
    beforeAll(async () => {
      admin = await loggedInAdmin(t);
      const res = await t
        .http()
        .post('/api/admin/webhooks')
        .set(admin.auth)
        .send({ url: `${receiver.url}${path}`, events: ['user.created', 'user.identity_linked', 'user.identity_unlinked'] })
        .expect(201);
      receiver.secrets.add(res.body.meta.secret as string);
    });

    /** Delivers what is due; once `last` has arrived, the events the receiver got about `userId`, in order. */
    async function eventsAbout(userId: number, last: { type: string; data: Record<string, unknown> }): Promise<Array<{ type: string; data: Record<string, unknown> }>> {
      await t.app.get(OutboxService).deliverDue();
      await receiver.waitFor((delivery) => delivery.path === path && delivery.event.type === last.type && JSON.stringify(delivery.event.data) === JSON.stringify(last.data));
      return receiver.deliveries
        .filter((delivery) => delivery.path === path && delivery.event.data.user_id === userId)
        .map((delivery) => {
          expect(delivery.verifiedWith).toHaveLength(1);
          return { type: delivery.event.type, data: delivery.event.data };
        });
    }
    const uuidOf = async (userId: number): Promise<string> => (await t.db.query(`SELECT uuid FROM users WHERE id = $1`, [userId]))[0].uuid;
    const identityIdsOf = async (userId: number): Promise<string[]> =>
      (await t.db.query(`SELECT id FROM identities WHERE user_id = $1 ORDER BY id`, [userId])).map((row: { id: number }) => String(row.id));

    it('a new account through a provider: user.created, then user.identity_linked; a user unlink: user.identity_unlinked', async () => {
      const who = person();
      const signedIn = await t.http().post('/api/oauth/exchange').send({ code: await codeFor(who) }).expect(200);
      const me = (await t.http().get('/api/me').set(bearer(signedIn.body.token)).expect(200)).body.data;
      const [identityId] = await identityIdsOf(me.id);
      const user = { user_id: me.id, user_uuid: await uuidOf(me.id) };
      const linked = { type: 'user.identity_linked', data: { ...user, provider: 'mock', identity_id: identityId } };
      expect(await eventsAbout(me.id, linked)).toEqual([{ type: 'user.created', data: user }, linked]);
      // A password set makes the identity removable; its unlinking is announced.
      await t.db.query(`UPDATE users SET password = (SELECT password FROM users WHERE id = $1) WHERE id = $2`, [admin.id, me.id]);
      await t.http().delete(`/api/me/identities/${identityId}`).set(bearer(signedIn.body.token)).send({}).expect(200);
      const unlinked = { type: 'user.identity_unlinked', data: { ...user, provider: 'mock', identity_id: identityId } };
      expect((await eventsAbout(me.id, unlinked)).slice(2)).toEqual([unlinked]);
    });

    it('auto-link by a verified address, a link ticket, an admin unlink and a password reset each send their event', async () => {
      const owner = await verifiedUser(t);
      const user = { user_id: owner.id, user_uuid: await uuidOf(owner.id) };
      // Auto-link at the callback (the account's verified address).
      await codeFor(person({ email: owner.email }));
      // A link ticket from settings.
      await oidc.setIdentity(person());
      const ticket = await t.http().post('/api/me/identities/mock/link').set(owner.auth).send({ return_to: SETTINGS }).expect(200);
      const url = new URL(ticket.body.data.authorize_url as string);
      expect((await walkFlow(t, `${url.pathname}${url.search}`)).landed.href).toBe(`${SETTINGS}?oauth_linked=1`);
      const [autoLinked, ticketLinked] = await identityIdsOf(owner.id);
      // An admin unlinks the first.
      await t.http().delete(`/api/users/${owner.id}/identities/${autoLinked}`).set(admin.auth).send({ current_password: admin.password }).expect(200);
      // A password reset unlinks the rest.
      await resetPasswordByMail(t, owner.email);
      expect(await identityIdsOf(owner.id)).toEqual([]);
      const identity = (id: string) => ({ ...user, provider: 'mock', identity_id: id });
      const received = await eventsAbout(owner.id, { type: 'user.identity_unlinked', data: identity(ticketLinked) });
      // The first is the registration's user.created.
      expect(received.slice(1)).toEqual([
        { type: 'user.identity_linked', data: identity(autoLinked) },
        { type: 'user.identity_linked', data: identity(ticketLinked) },
        { type: 'user.identity_unlinked', data: identity(autoLinked) },
        { type: 'user.identity_unlinked', data: identity(ticketLinked) },
      ]);
    });
  });
});
