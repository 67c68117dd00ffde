import { randomBytes } from 'node:crypto';
import { bootMailingTestApp, bootTestApp, type MailingTestApp, type TestApp } from '../../support/app.js';
import { bearer, registerUser, uniqueName, verifiedUser } from '../../support/factories.js';
import { mockProviderEnv, startOidcProvider, walkFlow, type OidcProvider } from '../../support/identity-providers.js';
import { mailTexts } from '../../support/mail-helpers.js';
import { eventsOf } from '../../support/profile-helpers.js';
import { enableTotp } from '../../support/two-factor-helpers.js';

const RETURN = 'http://localhost:5173/auth/done';
const FRONTEND = 'http://localhost:5173';

const providerEnv = (oidc: OidcProvider, extra: Record<string, string> = {}) => mockProviderEnv(oidc, FRONTEND, extra);

const authorizePath = (returnTo = RETURN) => `/api/oauth/mock/authorize?return_to=${encodeURIComponent(returnTo)}`;

/** A person at the provider: a fresh subject and address. */
function person(overrides: Record<string, unknown> = {}) {
  const name = uniqueName('idp');
  return { sub: `sub-${randomBytes(6).toString('hex')}`, email: `${name}@example.org`, email_verified: true, preferred_username: name, given_name: 'Ida', family_name: 'Provider', ...overrides };
}

async function counts(t: TestApp): Promise<{ users: number; identities: number; codes: number }> {
  const [row] = await t.db.query(
    `SELECT (SELECT count(*) FROM users)::int AS users, (SELECT count(*) FROM identities)::int AS identities, (SELECT count(*) FROM oauth_sign_in_codes)::int AS codes`,
  );
  return row;
}

describe('sign-in with an OpenID Connect provider', () => {
  let oidc: OidcProvider;
  let t: MailingTestApp;
  beforeAll(async () => {
    oidc = await startOidcProvider();
    t = await bootMailingTestApp(providerEnv(oidc));
  });
  afterAll(async () => {
    await t.close();
    await oidc.close();
  });

  /** Signs in through the provider as `who`; the oauth_code (or the error) the browser lands with. */
  async function signInAs(who: Record<string, unknown>): Promise<URL> {
    await oidc.setIdentity(who as { sub: string });
    return (await walkFlow(t, authorizePath())).landed;
  }

  it('lists the configured providers', async () => {
    const res = await t.http().get('/api/oauth/providers').expect(200);
    expect(res.body).toEqual({ data: [{ id: 'mock', name: 'Mock ID' }] });
  });

  it('redirects to the provider with PKCE S256, state and nonce, and binds the flow to the browser by an HttpOnly cookie', async () => {
    const res = await t.http().get(authorizePath()).expect(302);
    const location = new URL(res.headers.location as string);
    expect(`${location.origin}${location.pathname}`).toBe(`${oidc.issuer}/authorize`);
    expect(Object.fromEntries(location.searchParams)).toEqual({
      client_id: 'tessera-test',
      redirect_uri: `${t.config.appUrl}/api/oauth/mock/callback`,
      response_type: 'code',
      scope: 'openid email profile',
      code_challenge: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      code_challenge_method: 'S256',
      state: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      nonce: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
    });
    const cookie = (res.headers['set-cookie'] as unknown as string[])[0];
    expect(cookie).toMatch(/^tessera_oauth_state=[A-Za-z0-9_-]{43}; Max-Age=600; Path=\/api\/oauth; HttpOnly; Secure; SameSite=Lax$/);
    // Only hashes are stored: neither the state nor the cookie's value appears in the row.
    const [flow] = await t.db.query(`SELECT state_hash, browser_hash, code_verifier FROM oauth_flows ORDER BY id DESC LIMIT 1`);
    expect(flow.state_hash).not.toContain(location.searchParams.get('state'));
    expect(flow.code_verifier).toMatch(/^v1:/);
  });

  it('refuses a return_to outside OAUTH_RETURN_URLS with 422 JSON (no redirect, nothing stored), and an unknown provider with 404', async () => {
    const before = (await t.db.query(`SELECT count(*)::int AS n FROM oauth_flows`))[0].n;
    for (const outside of ['https://evil.example/auth', 'http://localhost:5173.evil.example/auth', 'http://localhost:5173/other', 'http://evil.example@localhost:5173/auth']) {
      const res = await t.http().get(authorizePath(outside)).expect(422);
      expect(res.headers.location).toBeUndefined();
      expect(res.body.errors.return_to).toEqual(['The return_to URL is not one this service may return to.']);
    }
    expect((await t.db.query(`SELECT count(*)::int AS n FROM oauth_flows`))[0].n).toBe(before);
    expect((await t.http().get('/api/oauth/nope/authorize').expect(404)).body).toEqual({ message: 'Not Found.' });
  });

  describe('who gets which account', () => {
    it('a new identity with a verified address creates a verified account without a password, and the code signs in once', async () => {
      const who = person();
      const landed = await signInAs(who);
      expect(`${landed.origin}${landed.pathname}`).toBe(RETURN);
      const code = landed.searchParams.get('oauth_code')!;
      expect(code).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const signedIn = await t.http().post('/api/oauth/exchange').send({ code, device_name: 'Laptop' }).expect(200);
      expect(signedIn.body).toEqual({ token: expect.any(String), token_type: 'Bearer', expires_in: expect.any(Number), refresh_token: expect.any(String), device_token: expect.any(String) });
      const me = await t.http().get('/api/me').set(bearer(signedIn.body.token)).expect(200);
      expect(me.body.data).toMatchObject({ email: who.email, username: who.preferred_username, first_name: 'Ida', last_name: 'Provider', status: 'Active' });
      const [row] = await t.db.query(`SELECT password, email_verified_at FROM users WHERE lower(email) = lower($1)`, [who.email]);
      expect(row.password).toBeNull();
      expect(row.email_verified_at).not.toBeNull();
      // The code is spent: a second exchange is refused.
      expect((await t.http().post('/api/oauth/exchange').send({ code }).expect(400)).body).toEqual({ message: 'This sign-in code is invalid or has expired.' });
      // The same identity later signs in to the same account (no second account).
      const again = await signInAs(who);
      const second = await t.http().post('/api/oauth/exchange').send({ code: again.searchParams.get('oauth_code') }).expect(200);
      expect((await t.http().get('/api/me').set(bearer(second.body.token)).expect(200)).body.data.id).toBe(me.body.data.id);
      // A password login of a passwordless account fails like a wrong password.
      await t.http().post('/api/login').send({ username: who.email, password: 'anything at all 123' }).expect(422);
    });

    it('a code older than 60 seconds, or unknown, is refused', async () => {
      const landed = await signInAs(person());
      const code = landed.searchParams.get('oauth_code')!;
      await t.db.query(`UPDATE oauth_sign_in_codes SET expires_at = now() - interval '1 second'`);
      await t.http().post('/api/oauth/exchange').send({ code }).expect(400);
      await t.http().post('/api/oauth/exchange').send({ code: randomBytes(32).toString('base64url') }).expect(400);
    });

    it('an unverified provider address ends with email_not_verified whether or not an account has it; nothing is created', async () => {
      const owner = await verifiedUser(t);
      const before = await counts(t);
      const withAccount = await signInAs(person({ email: owner.email, email_verified: false }));
      const withoutAccount = await signInAs(person({ email_verified: false }));
      const noAddress = await signInAs(person({ email: undefined, email_verified: undefined }));
      expect([withAccount, withoutAccount, noAddress].map((landed) => landed.searchParams.get('oauth_error'))).toEqual(['email_not_verified', 'email_not_verified', 'email_not_verified']);
      expect(await counts(t)).toEqual(before);
    });

    it('an existing verified account and a verified provider address: linked, announced to the owner, logged', async () => {
      const owner = await verifiedUser(t);
      const landed = await signInAs(person({ email: owner.email.toUpperCase() }));
      const signedIn = await t.http().post('/api/oauth/exchange').send({ code: landed.searchParams.get('oauth_code') }).expect(200);
      expect((await t.http().get('/api/me').set(bearer(signedIn.body.token)).expect(200)).body.data.id).toBe(owner.id);
      const mails = await mailTexts(t, owner.email, 'Sign-in with Mock ID was linked to your account');
      expect(mails).toHaveLength(1);
      expect(mails[0]).toContain('unlink it');
      expect(await eventsOf(t, owner.id)).toEqual(expect.arrayContaining(['user:identity.linked', 'auth:login']));
    });

    it('an existing unverified account: account_exists, and nothing for whoever registered the address', async () => {
      // The attacker registers the victim's address first and waits (pre-account takeover).
      const squatter = await registerUser(t);
      const before = await counts(t);
      const landed = await signInAs(person({ email: squatter.email }));
      expect(landed.searchParams.get('oauth_error')).toBe('account_exists');
      expect(landed.searchParams.get('oauth_code')).toBeNull();
      expect(await counts(t)).toEqual(before);
      expect(await t.db.query(`SELECT id FROM identities WHERE user_id = $1`, [squatter.id])).toEqual([]);
    });

    it('a banned account gets banned at the callback, and a code issued before the ban is refused', async () => {
      const who = person();
      const first = await signInAs(who);
      const [user] = await t.db.query(`SELECT id FROM users WHERE lower(email) = lower($1)`, [who.email]);
      const pending = await signInAs(who);
      await t.db.query(`UPDATE users SET status = 'Banned' WHERE id = $1`, [user.id]);
      expect((await signInAs(who)).searchParams.get('oauth_error')).toBe('banned');
      expect((await t.http().post('/api/oauth/exchange').send({ code: pending.searchParams.get('oauth_code') }).expect(403)).body).toEqual({
        message: 'Your account is banned by administrator.',
      });
      expect(first.searchParams.get('oauth_code')).not.toBeNull();
    });

    it('two-factor still challenges: the exchange answers the challenge, not tokens', async () => {
      const owner = await verifiedUser(t);
      await enableTotp(t, owner);
      const landed = await signInAs(person({ email: owner.email }));
      const res = await t.http().post('/api/oauth/exchange').send({ code: landed.searchParams.get('oauth_code') }).expect(200);
      expect(res.body).toEqual({ two_factor_required: true, challenge_token: expect.any(String), method: 'totp' });
    });

    it('an identity sign-in is a recent, strong sign-in for the proof rule', async () => {
      const landed = await signInAs(person());
      const signedIn = await t.http().post('/api/oauth/exchange').send({ code: landed.searchParams.get('oauth_code') }).expect(200);
      // Linking needs proof: no current_password, and the session's sign-in is recent enough.
      await t.http().post('/api/me/identities/mock/link').set(bearer(signedIn.body.token)).send({ return_to: RETURN }).expect(200);
    });
  });

  describe('attacks on the flow', () => {
    it('a tampered or unknown state: invalid_state, sent to FRONTEND_URL’s origin; nothing created', async () => {
      await oidc.setIdentity(person());
      const before = await counts(t);
      const walk = await walkFlow(t, authorizePath(), { alterCallback: (callback) => callback.searchParams.set('state', `${callback.searchParams.get('state')}x`) });
      expect(walk.landed.href).toBe(`${FRONTEND}/?oauth_error=invalid_state`);
      const missing = await t.http().get('/api/oauth/mock/callback?code=abc').expect(302);
      expect(missing.headers.location).toBe(`${FRONTEND}/?oauth_error=invalid_state`);
      expect(await counts(t)).toEqual(before);
    });

    it('another browser’s state (login CSRF): invalid_state at return_to, and the state is spent', async () => {
      await oidc.setIdentity(person());
      const before = await counts(t);
      const attacker = await walkFlow(t, authorizePath(), { callbackCookie: 'tessera_oauth_state=' + randomBytes(32).toString('base64url').slice(0, 43) });
      expect(attacker.landed.searchParams.get('oauth_error')).toBe('invalid_state');
      expect(await counts(t)).toEqual(before);
      // Replaying the same callback with the right cookie finds the state spent.
      const replay = await t.http().get(attacker.callback).set('Cookie', attacker.cookie).expect(302);
      expect(replay.headers.location).toBe(`${FRONTEND}/?oauth_error=invalid_state`);
    });

    it('a reused callback (code and state) is refused', async () => {
      await oidc.setIdentity(person());
      const walk = await walkFlow(t, authorizePath());
      expect(walk.landed.searchParams.get('oauth_code')).not.toBeNull();
      const replay = await t.http().get(walk.callback).set('Cookie', walk.cookie).expect(302);
      expect(replay.headers.location).toBe(`${FRONTEND}/?oauth_error=invalid_state`);
    });

    it('an expired flow (older than 10 minutes) is refused', async () => {
      await oidc.setIdentity(person());
      const begun = await t.http().get(authorizePath()).expect(302);
      await t.db.query(`UPDATE oauth_flows SET expires_at = now() - interval '1 second' WHERE state_hash IS NOT NULL`);
      const atProvider = await fetch(begun.headers.location as string, { redirect: 'manual' });
      const callback = new URL(atProvider.headers.get('location')!);
      const cookie = (begun.headers['set-cookie'] as unknown as string[])[0].split(';')[0];
      const back = await t.http().get(`${callback.pathname}${callback.search}`).set('Cookie', cookie).expect(302);
      expect(new URL(back.headers.location as string).searchParams.get('oauth_error')).toBe('invalid_state');
    });

    const now = () => Math.floor(Date.now() / 1000);
    it.each([
      ['a wrong nonce', () => ({ payload: { nonce: 'not-the-nonce' } })],
      ['no nonce', () => ({ remove: ['nonce'] })],
      ['a wrong audience', () => ({ payload: { aud: 'another-client' } })],
      ['a wrong issuer', () => ({ payload: { iss: 'http://127.0.0.1:1/other' } })],
      ['an expired ID token', () => ({ payload: { iat: now() - 7200, nbf: now() - 7200, exp: now() - 3600 } })],
      ['a key the provider does not publish', () => ({ header: { kid: 'unknown-key' } })],
    ])('%s: provider_error, nothing created', async (_case, change) => {
      await oidc.setIdentity(person());
      const before = await counts(t);
      await oidc.tamperNextIdToken(change());
      const walk = await walkFlow(t, authorizePath());
      expect(walk.landed.href).toBe(`${RETURN}?oauth_error=provider_error`);
      expect(await counts(t)).toEqual(before);
    });

    it('an unsigned ID token (alg none) or one with a forged signature: provider_error, nothing created', async () => {
      for (const spoil of ['alg-none', 'forged-signature'] as const) {
        await oidc.setIdentity(person());
        const before = await counts(t);
        await oidc.spoilNextTokenResponse(spoil);
        const walk = await walkFlow(t, authorizePath());
        expect(walk.landed.searchParams.get('oauth_error')).toBe('provider_error');
        expect(await counts(t)).toEqual(before);
      }
    });

    it('the provider refusing the code exchange, or the user refusing at the provider', async () => {
      await oidc.setIdentity(person());
      await oidc.spoilNextTokenResponse({ status: 400, body: { error: 'invalid_grant' } });
      expect((await walkFlow(t, authorizePath())).landed.searchParams.get('oauth_error')).toBe('provider_error');
      const denied = await walkFlow(t, authorizePath(), {
        alterCallback: (callback) => {
          callback.searchParams.delete('code');
          callback.searchParams.set('error', 'access_denied');
        },
      });
      expect(denied.landed.href).toBe(`${RETURN}?oauth_error=access_denied`);
    });
  });
});

describe('a provider that is down', () => {
  it('the app starts, and a sign-in ends with provider_error; once the provider answers, sign-ins work (discovered on first use)', async () => {
    // A port nothing listens on: the provider's address before it comes up.
    const probe = await startOidcProvider();
    const port = Number(new URL(probe.issuer).port);
    await probe.close();
    const t = await bootTestApp(providerEnv({ issuer: probe.issuer } as OidcProvider));
    let oidc: OidcProvider | undefined;
    try {
      const before = await counts(t);
      const res = await t.http().get(authorizePath()).expect(302);
      expect(res.headers.location).toBe(`${RETURN}?oauth_error=provider_error`);
      expect(await counts(t)).toEqual(before);
      oidc = await startOidcProvider(port);
      await oidc.setIdentity(person());
      const walk = await walkFlow(t, authorizePath());
      expect(walk.landed.searchParams.get('oauth_code')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    } finally {
      await t.close();
      await oidc?.close();
    }
  });
});

describe('sign-in limits count identity sign-ins', () => {
  it('past RATE_LIMIT_LOGIN_PER_ACCOUNT the exchange answers 429', async () => {
    const oidc = await startOidcProvider();
    const t = await bootTestApp(providerEnv(oidc, { RATE_LIMIT_LOGIN_PER_ACCOUNT: '2' }));
    try {
      await oidc.setIdentity(person());
      const statuses: number[] = [];
      for (let attempt = 0; attempt < 3; attempt += 1) {
        const landed = (await walkFlow(t, authorizePath())).landed;
        statuses.push((await t.http().post('/api/oauth/exchange').send({ code: landed.searchParams.get('oauth_code') })).status);
      }
      expect(statuses).toEqual([200, 200, 429]);
    } finally {
      await t.close();
      await oidc.close();
    }
  });
});
