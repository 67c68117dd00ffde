import { bootTestApp, type TestApp } from '../../support/app.js';
import { bearer, makeAdmin, registerUser, verifiedUser, type LoggedInUser } from '../../support/factories.js';
import { SoftwareAuthenticator, type AuthenticationResponse } from '../../support/software-authenticator.js';
import { enableTotp, startChallenge } from '../../support/two-factor-helpers.js';
import { ageLogins } from '../../support/profile-helpers.js';

const ORIGIN = 'https://app.example.test';
const RP_ID = 'app.example.test';
const CREDENTIALS_REFUSED = {
  message: 'The given data was invalid.',
  errors: { username: ['These credentials do not match our records.'] },
};

describe('Passkeys (WebAuthn)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await bootTestApp({ FRONTEND_URL: ORIGIN });
  });

  afterAll(async () => {
    await t?.close();
  });

  const registrationOptions = (auth: { Authorization: string }, body: object = {}) =>
    t.http().post('/api/me/passkeys/options').set(auth).send(body);
  const signInOptions = (body: object = {}) => t.http().post('/api/login/passkey/options').send(body);
  const signIn = (body: object) => t.http().post('/api/login/passkey').send(body);

  /** Registers a passkey of `user` in `authenticator` through the API; returns the stored passkey. */
  async function registerPasskey(user: LoggedInUser, authenticator: SoftwareAuthenticator, name = 'Laptop', app = t) {
    const options = await app.http().post('/api/me/passkeys/options').set(user.auth).send({}).expect(200);
    const response = authenticator.create(options.body.data);
    const created = await app.http().post('/api/me/passkeys').set(user.auth).send({ name, response }).expect(201);
    return { passkey: created.body.data, credentialId: response.id };
  }

  async function assertionFor(authenticator: SoftwareAuthenticator, body: object = {}, app = t) {
    const options = await app.http().post('/api/login/passkey/options').send(body).expect(200);
    return { token: options.body.challenge_token as string, options: options.body.options, response: (o = {}) => authenticator.get(options.body.options, o) };
  }

  async function activity(userId: number): Promise<Array<{ event: string; properties: Record<string, unknown> }>> {
    return t.db.query(`SELECT event, properties FROM activity_logs WHERE user_id = $1 ORDER BY id`, [userId]);
  }

  describe('registration', () => {
    it('answers creation options for the configured RP, registers the passkey and lists it', async () => {
      const user = await verifiedUser(t);
      const authenticator = new SoftwareAuthenticator(ORIGIN);
      const options = await registrationOptions(user.auth).expect(200);
      expect(options.headers['cache-control']).toBe('no-store');
      const data = options.body.data;
      expect(data.rp).toEqual({ id: RP_ID, name: 'Tessera' });
      expect(data.user.name).toBe(user.username);
      expect(data.pubKeyCredParams.map((param: { alg: number }) => param.alg)).toEqual([-7, -257]);
      expect(data.authenticatorSelection).toMatchObject({ residentKey: 'preferred', userVerification: 'required' });
      expect(data.excludeCredentials).toEqual([]);
      expect(data.timeout).toBe(300000);

      const response = authenticator.create(data);
      const created = await t.http().post('/api/me/passkeys').set(user.auth).send({ name: 'MacBook', response }).expect(201);
      expect(created.body.data).toEqual({
        id: expect.any(Number),
        name: 'MacBook',
        created_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/),
        last_used_at: null,
        device_type: 'singleDevice',
        backed_up: false,
        transports: ['internal'],
      });
      const listed = await t.http().get('/api/me/passkeys').set(user.auth).expect(200);
      expect(listed.body.data).toEqual([created.body.data]);
      // The new passkey is excluded from the next registration, so one authenticator is not registered twice.
      const next = await registrationOptions(user.auth).expect(200);
      expect(next.body.data.excludeCredentials).toEqual([{ id: response.id, type: 'public-key', transports: ['internal'] }]);
      expect((await activity(user.id)).map((entry) => entry.event)).toContain('user:passkey.create');
    });

    it('needs a recent sign-in or the current password, and refuses API keys whatever they send', async () => {
      const user = await verifiedUser(t);
      const key = await t.http().post('/api/client/account/api-keys').set(user.auth).send({ description: 'script' }).expect(200);
      const apiKey = bearer(key.body.meta.secret_token as string);
      await registrationOptions(apiKey, { current_password: user.password }).expect(403, { message: 'API keys cannot change credentials.' });

      await ageLogins(t, user.id);
      const stale = await registrationOptions(user.auth).expect(403);
      expect(stale.body.message).toBe('This action requires a recent login. Send your current_password to confirm it.');
      const wrong = await registrationOptions(user.auth, { current_password: 'not-the-password' }).expect(422);
      expect(Object.keys(wrong.body.errors)).toEqual(['current_password']);
      const options = await registrationOptions(user.auth, { current_password: user.password }).expect(200);
      const response = new SoftwareAuthenticator(ORIGIN).create(options.body.data);
      await t.http().post('/api/me/passkeys').set(user.auth).send({ name: 'Key', response }).expect(403);
      await t.http().post('/api/me/passkeys').set(user.auth).send({ name: 'Key', response, current_password: user.password }).expect(201);
    });

    it('refuses a wrong origin, a reused or expired challenge, and a challenge of another session', async () => {
      const user = await verifiedUser(t);
      const authenticator = new SoftwareAuthenticator(ORIGIN);
      const refused = { message: 'The given data was invalid.', errors: { response: ['The passkey could not be verified. Ask for new options and try again.'] } };

      const phished = await registrationOptions(user.auth).expect(200);
      const fromPhishingPage = authenticator.create(phished.body.data, { origin: 'https://app-example.test' });
      await t.http().post('/api/me/passkeys').set(user.auth).send({ name: 'x', response: fromPhishingPage }).expect(422, refused);

      const options = await registrationOptions(user.auth).expect(200);
      const response = authenticator.create(options.body.data);
      await t.http().post('/api/me/passkeys').set(user.auth).send({ name: 'once', response }).expect(201);
      // Replaying the same response: its challenge was consumed.
      const again = authenticator.create(options.body.data);
      await t.http().post('/api/me/passkeys').set(user.auth).send({ name: 'twice', response: again }).expect(422, refused);

      const expiring = await registrationOptions(user.auth).expect(200);
      await t.db.query(`UPDATE webauthn_challenges SET expires_at = now() - interval '1 second' WHERE user_id = $1`, [user.id]);
      await t.http().post('/api/me/passkeys').set(user.auth).send({ name: 'late', response: authenticator.create(expiring.body.data) }).expect(422, refused);

      const otherSession = bearer((await t.http().post('/api/login').send({ username: user.username, password: user.password }).expect(200)).body.token);
      const mine = await registrationOptions(user.auth).expect(200);
      await t.http().post('/api/me/passkeys').set(otherSession).send({ name: 'stolen', response: authenticator.create(mine.body.data) }).expect(422, refused);

      const listed = await t.http().get('/api/me/passkeys').set(user.auth).expect(200);
      expect(listed.body.data.map((passkey: { name: string }) => passkey.name)).toEqual(['once']);
    });

    it("keeps one open registration challenge per session, and sweeps expired challenges", async () => {
      const user = await verifiedUser(t);
      const authenticator = new SoftwareAuthenticator(ORIGIN);
      const first = await registrationOptions(user.auth).expect(200);
      const second = await registrationOptions(user.auth).expect(200);
      await t.http().post('/api/me/passkeys').set(user.auth).send({ name: 'old', response: authenticator.create(first.body.data) }).expect(422);
      await t.http().post('/api/me/passkeys').set(user.auth).send({ name: 'new', response: authenticator.create(second.body.data) }).expect(201);

      await registrationOptions(user.auth).expect(200);
      await t.db.query(`UPDATE webauthn_challenges SET expires_at = now() - interval '1 second' WHERE user_id = $1`, [user.id]);
      // Each new challenge sweeps a batch of expired rows (of anyone, in no order): enough of them reach this one.
      const [{ expired }] = await t.db.query(`SELECT count(*)::int AS expired FROM webauthn_challenges WHERE expires_at <= now()`);
      for (let swept = 0; swept <= expired; swept += 20) await signInOptions().expect(200);
      const [{ count }] = await t.db.query(`SELECT count(*)::int AS count FROM webauthn_challenges WHERE user_id = $1`, [user.id]);
      expect(count).toBe(0);
    });

    it('refuses a credential ID another account registered already', async () => {
      const victim = await verifiedUser(t);
      const attacker = await verifiedUser(t);
      const victimAuthenticator = new SoftwareAuthenticator(ORIGIN);
      const { credentialId } = await registerPasskey(victim, victimAuthenticator);
      const options = await registrationOptions(attacker.auth).expect(200);
      // The attacker's own authenticator, attesting a new key under the victim's credential ID.
      const claimed = new SoftwareAuthenticator(ORIGIN).create(options.body.data, { credentialId });
      const res = await t.http().post('/api/me/passkeys').set(attacker.auth).send({ name: 'mine now', response: claimed }).expect(422);
      expect(res.body.errors).toEqual({ response: ['This passkey is already registered.'] });
      // The JSON naming one ID while the signed authenticator data names another is refused too.
      const again = await registrationOptions(attacker.auth).expect(200);
      const relabelled = { ...new SoftwareAuthenticator(ORIGIN).create(again.body.data), id: credentialId, rawId: credentialId };
      await t.http().post('/api/me/passkeys').set(attacker.auth).send({ name: 'relabelled', response: relabelled }).expect(422);
      const [{ count }] = await t.db.query(`SELECT count(*)::int AS count FROM passkeys WHERE credential_id = $1`, [credentialId]);
      expect(count).toBe(1);
    });

    it('stops at 25 passkeys per account', async () => {
      const user = await verifiedUser(t);
      const authenticator = new SoftwareAuthenticator(ORIGIN);
      const options = await registrationOptions(user.auth).expect(200);
      await t.db.query(
        `INSERT INTO passkeys (user_id, credential_id, public_key, name, device_type, backed_up, aaguid)
         SELECT $1::int, 'seeded-' || $1::text || '-' || n, '\\x00', 'seeded', 'singleDevice', false, '00000000-0000-0000-0000-000000000000'
           FROM generate_series(1, 25) n`,
        [user.id],
      );
      const full = { message: 'You cannot register more than 25 passkeys.' };
      await registrationOptions(user.auth).expect(400, full);
      // Options asked for before the limit was reached do not get past it either.
      await t.http().post('/api/me/passkeys').set(user.auth).send({ name: '26th', response: authenticator.create(options.body.data) }).expect(400, full);
    });

    it('validates the body: unknown fields, wrong types, a missing name', async () => {
      const user = await verifiedUser(t);
      const res = await t.http().post('/api/me/passkeys').set(user.auth).send({ response: { id: 'a', rawId: 'a', type: 'password', response: {}, clientExtensionResults: {} }, extra: 1 }).expect(422);
      expect(Object.keys(res.body.errors).sort()).toEqual(
        ['extra', 'name', 'response.response.attestationObject', 'response.response.clientDataJSON', 'response.type'].sort(),
      );
    });
  });

  describe('signing in', () => {
    let user: LoggedInUser;
    let authenticator: SoftwareAuthenticator;
    let credentialId: string;

    beforeAll(async () => {
      user = await verifiedUser(t);
      authenticator = new SoftwareAuthenticator(ORIGIN);
      ({ credentialId } = await registerPasskey(user, authenticator));
    });

    it('signs in without a username (discoverable credential): the token pair of POST /api/login, a recent sign-in', async () => {
      const ceremony = await assertionFor(authenticator);
      expect(ceremony.options).toMatchObject({ rpId: RP_ID, allowCredentials: [], userVerification: 'required', timeout: 300000 });
      const res = await signIn({ challenge_token: ceremony.token, response: ceremony.response(), device_name: 'Phone' }).expect(200);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.body).toEqual({
        token: expect.any(String),
        token_type: 'Bearer',
        expires_in: expect.any(Number),
        refresh_token: expect.any(String),
        device_token: expect.any(String),
      });
      const me = await t.http().get('/api/me').set(bearer(res.body.token)).expect(200);
      expect(me.body.data.id).toBe(user.id);
      // A passkey sign-in is a recent sign-in: credential changes need no password in this session.
      await registrationOptions(bearer(res.body.token)).expect(200);
      const login = (await activity(user.id)).filter((entry) => entry.event === 'auth:login').at(-1);
      expect(login?.properties).toEqual({ method: 'passkey' });
      const [passkey] = (await t.http().get('/api/me/passkeys').set(user.auth).expect(200)).body.data;
      expect(passkey.last_used_at).not.toBeNull();
    });

    it('signs in with a username: only that account\'s passkeys are allowed', async () => {
      const ceremony = await assertionFor(authenticator, { username: user.username.toUpperCase() });
      expect(ceremony.options.allowCredentials).toEqual([{ id: credentialId, type: 'public-key', transports: ['internal'] }]);
      await signIn({ challenge_token: ceremony.token, response: ceremony.response() }).expect(200);
    });

    it('does not tell whether a username exists or has passkeys', async () => {
      const withoutPasskey = await registerUser(t);
      for (const username of [withoutPasskey.username, 'nobody-by-this-name']) {
        const res = await signInOptions({ username }).expect(200);
        expect(res.body.options.allowCredentials).toEqual([{ id: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), type: 'public-key', transports: ['internal', 'hybrid'] }]);
        // The same made-up credential every time, as a real one would be.
        const again = await signInOptions({ username }).expect(200);
        expect(again.body.options.allowCredentials).toEqual(res.body.options.allowCredentials);
      }
      // Every spelling of one account gets the same one, as its real passkeys would be listed for each.
      const byName = await signInOptions({ username: withoutPasskey.username }).expect(200);
      const byEmail = await signInOptions({ username: withoutPasskey.email.toUpperCase() }).expect(200);
      expect(byEmail.body.options.allowCredentials).toEqual(byName.body.options.allowCredentials);
    });

    it('refuses an assertion made on another origin (phishing) with the 422 of a wrong password', async () => {
      const ceremony = await assertionFor(authenticator);
      await signIn({ challenge_token: ceremony.token, response: ceremony.response({ origin: 'https://app-example.test' }) }).expect(422, CREDENTIALS_REFUSED);
      const wrongPassword = await t.http().post('/api/login').send({ username: user.username, password: 'wrong-password' }).expect(422);
      expect(wrongPassword.body).toEqual(CREDENTIALS_REFUSED);
    });

    it('refuses a reused challenge token and an expired one', async () => {
      const ceremony = await assertionFor(authenticator);
      const response = ceremony.response();
      await signIn({ challenge_token: ceremony.token, response }).expect(200);
      const reused = await signIn({ challenge_token: ceremony.token, response }).expect(422);
      expect(Object.keys(reused.body.errors)).toEqual(['challenge_token']);
      // A fresh assertion over the used challenge does not revive it either.
      await signIn({ challenge_token: ceremony.token, response: ceremony.response() }).expect(422);

      const late = await assertionFor(authenticator);
      await t.db.query(`UPDATE webauthn_challenges SET expires_at = now() - interval '1 second' WHERE purpose = 'sign_in' AND expires_at > now()`);
      const expired = await signIn({ challenge_token: late.token, response: late.response() }).expect(422);
      expect(Object.keys(expired.body.errors)).toEqual(['challenge_token']);
    });

    it('refuses an assertion signed over another challenge than the token names', async () => {
      const first = await assertionFor(authenticator);
      const second = await assertionFor(authenticator);
      await signIn({ challenge_token: first.token, response: second.response() }).expect(422, CREDENTIALS_REFUSED);
    });

    it("refuses another user's credential when a username was given, and an unknown credential", async () => {
      const other = await verifiedUser(t);
      const otherAuthenticator = new SoftwareAuthenticator(ORIGIN);
      const { credentialId: otherCredential } = await registerPasskey(other, otherAuthenticator);
      const ceremony = await assertionFor(otherAuthenticator, { username: user.username });
      const foreign = ceremony.response({ credentialId: otherCredential });
      await signIn({ challenge_token: ceremony.token, response: foreign }).expect(422, CREDENTIALS_REFUSED);

      const stranger = new SoftwareAuthenticator(ORIGIN);
      stranger.create({ challenge: 'AAAA', rp: { id: RP_ID }, user: { id: 'AAAA' } });
      const unknown = await assertionFor(stranger);
      await signIn({ challenge_token: unknown.token, response: unknown.response() }).expect(422, CREDENTIALS_REFUSED);
    });

    it('answers garbage in well-formed fields with a 422, never a 500', async () => {
      const junk = { id: credentialId, rawId: credentialId, type: 'public-key', clientExtensionResults: {} };
      for (const response of [
        { clientDataJSON: 'bm90IGpzb24', authenticatorData: 'AAAA', signature: 'AAAA' },
        { clientDataJSON: Buffer.from('{"type":"webauthn.get","challenge":7}').toString('base64url'), authenticatorData: 'AA', signature: 'x' },
        { clientDataJSON: 'e30', authenticatorData: 'AAAA', signature: 'AAAA', userHandle: null },
      ]) {
        const ceremony = await assertionFor(authenticator);
        await signIn({ challenge_token: ceremony.token, response: { ...junk, response } }).expect(422, CREDENTIALS_REFUSED);
      }
      const registering = await verifiedUser(t);
      await registrationOptions(registering.auth).expect(200);
      const attestation = { ...junk, response: { clientDataJSON: 'e30', attestationObject: 'oWNmbXRkbm9uZQ' } };
      await t.http().post('/api/me/passkeys').set(registering.auth).send({ name: 'junk', response: attestation }).expect(422);
    });

    it('refuses an assertion whose user handle names another account', async () => {
      const ceremony = await assertionFor(authenticator);
      const response: AuthenticationResponse = ceremony.response();
      response.response.userHandle = Buffer.alloc(16, 7).toString('base64url');
      await signIn({ challenge_token: ceremony.token, response }).expect(422, CREDENTIALS_REFUSED);
    });

    it('refuses a counter that goes backwards (a cloned authenticator) and records it', async () => {
      const victim = await verifiedUser(t);
      const original = new SoftwareAuthenticator(ORIGIN);
      const { credentialId: cloned } = await registerPasskey(victim, original);
      for (let i = 0; i < 3; i++) {
        const ceremony = await assertionFor(original);
        await signIn({ challenge_token: ceremony.token, response: ceremony.response() }).expect(200);
      }
      const clone = new SoftwareAuthenticator(ORIGIN);
      original.cloneInto(clone, cloned);
      const [before] = await t.db.query(`SELECT counter FROM passkeys WHERE credential_id = $1`, [cloned]);
      expect(Number(before.counter)).toBe(3);

      for (const counter of [2, 3]) {
        const ceremony = await assertionFor(clone);
        await signIn({ challenge_token: ceremony.token, response: ceremony.response({ counter }) }).expect(422, CREDENTIALS_REFUSED);
      }
      const [after] = await t.db.query(`SELECT counter FROM passkeys WHERE credential_id = $1`, [cloned]);
      expect(Number(after.counter)).toBe(3);
      const regressions = (await activity(victim.id)).filter((entry) => entry.event === 'auth:passkey-counter-regressed');
      expect(regressions.map((entry) => entry.properties.presented_counter)).toEqual([2, 3]);
    });

    it('refuses a banned user with 403 after a valid assertion', async () => {
      const banned = await verifiedUser(t);
      const bannedAuthenticator = new SoftwareAuthenticator(ORIGIN);
      await registerPasskey(banned, bannedAuthenticator);
      await t.db.query(`UPDATE users SET status = 'Banned' WHERE id = $1`, [banned.id]);
      const ceremony = await assertionFor(bannedAuthenticator);
      await signIn({ challenge_token: ceremony.token, response: ceremony.response() }).expect(403, { message: 'Your account is banned by administrator.' });
    });

    it('is not followed by a two-factor challenge for a user with two-factor on', async () => {
      const strong = await verifiedUser(t);
      await enableTotp(t, strong);
      const strongAuthenticator = new SoftwareAuthenticator(ORIGIN);
      await registerPasskey(strong, strongAuthenticator);
      const ceremony = await assertionFor(strongAuthenticator);
      const res = await signIn({ challenge_token: ceremony.token, response: ceremony.response() }).expect(200);
      expect(res.body.token).toEqual(expect.any(String));
      expect(res.body.two_factor_required).toBeUndefined();
    });
  });

  describe('throttling', () => {
    let limited: TestApp;

    beforeAll(async () => {
      limited = await bootTestApp({ FRONTEND_URL: ORIGIN, TRUST_PROXY: 'loopback', RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT_IP: '3' });
    });

    afterAll(async () => {
      await limited?.close();
    });

    it("counts failed passkey sign-ins as failed logins of the credential's account: past the limit even a valid one is 429", async () => {
      const user = await verifiedUser(limited);
      const authenticator = new SoftwareAuthenticator(ORIGIN);
      await registerPasskey(user, authenticator, 'Laptop', limited);
      const ip = `10.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;
      const attempt = async (origin?: string) => {
        const ceremony = await assertionFor(authenticator, {}, limited);
        return limited.http().post('/api/login/passkey').set('X-Forwarded-For', ip).send({ challenge_token: ceremony.token, response: ceremony.response({ origin }) });
      };
      for (let i = 0; i < 3; i++) expect((await attempt('https://phish.example.test')).status).toBe(422);
      const blocked = await attempt();
      expect(blocked.status).toBe(429);
      expect(blocked.headers['retry-after']).toEqual(expect.stringMatching(/^\d+$/));
      // The same account from another address is not locked by this one's failures.
      const elsewhere = await assertionFor(authenticator, {}, limited);
      await limited.http().post('/api/login/passkey').set('X-Forwarded-For', '192.0.2.77').send({ challenge_token: elsewhere.token, response: elsewhere.response() }).expect(200);
    });
  });

  describe('two instances', () => {
    let t2: TestApp;

    beforeAll(async () => {
      t2 = await bootTestApp({ FRONTEND_URL: ORIGIN });
    });

    afterAll(async () => {
      await t2?.close();
    });

    it('finish on one instance what the other started: registration and sign-in', async () => {
      const user = await verifiedUser(t);
      const authenticator = new SoftwareAuthenticator(ORIGIN);
      const options = await t.http().post('/api/me/passkeys/options').set(user.auth).send({}).expect(200);
      await t2.http().post('/api/me/passkeys').set(user.auth).send({ name: 'Elsewhere', response: authenticator.create(options.body.data) }).expect(201);
      const ceremony = await assertionFor(authenticator, {}, t2);
      await signIn({ challenge_token: ceremony.token, response: ceremony.response() }).expect(200);
    });
  });

  describe('as a second factor', () => {
    it('answers the login challenge with a passkey instead of a code', async () => {
      const user = await verifiedUser(t);
      await enableTotp(t, user);
      const authenticator = new SoftwareAuthenticator(ORIGIN);
      const { credentialId } = await registerPasskey(user, authenticator);

      const challenge = await startChallenge(t, user);
      const options = await t.http().post('/api/login/two-factor/passkey-options').send({ challenge_token: challenge.challenge_token }).expect(200);
      expect(options.body.options).toMatchObject({ rpId: RP_ID, allowCredentials: [{ id: credentialId, type: 'public-key' }], userVerification: 'preferred' });
      const passkey = authenticator.get(options.body.options);
      const res = await t.http().post('/api/login/two-factor').send({ challenge_token: challenge.challenge_token, passkey }).expect(200);
      expect(res.body.token).toEqual(expect.any(String));
      const login = (await activity(user.id)).filter((entry) => entry.event === 'auth:login').at(-1);
      expect(login?.properties).toEqual({ method: 'password', second_factor: 'passkey' });
      // The login challenge is spent.
      await t.http().post('/api/login/two-factor').send({ challenge_token: challenge.challenge_token, passkey: authenticator.get(options.body.options) }).expect(422);
    });

    it("refuses another user's passkey, an assertion for another login challenge, and both a code and a passkey", async () => {
      const user = await verifiedUser(t);
      await enableTotp(t, user);
      const authenticator = new SoftwareAuthenticator(ORIGIN);
      await registerPasskey(user, authenticator);
      const other = await verifiedUser(t);
      const otherAuthenticator = new SoftwareAuthenticator(ORIGIN);
      const { credentialId: otherCredential } = await registerPasskey(other, otherAuthenticator);

      const challenge = await startChallenge(t, user);
      const options = await t.http().post('/api/login/two-factor/passkey-options').send({ challenge_token: challenge.challenge_token }).expect(200);
      const foreign = otherAuthenticator.get({ ...options.body.options, allowCredentials: [] }, { credentialId: otherCredential });
      const refused = await t.http().post('/api/login/two-factor').send({ challenge_token: challenge.challenge_token, passkey: foreign }).expect(422);
      expect(refused.body.errors).toEqual({ passkey: ['The passkey could not be verified.'] });
      // The refused assertion spent its WebAuthn challenge: the user's own passkey cannot answer it afterwards.
      const [{ open }] = await t.db.query(`SELECT count(*)::int AS open FROM webauthn_challenges WHERE purpose = 'second_factor' AND user_id = $1`, [user.id]);
      expect(open).toBe(0);

      // A WebAuthn challenge of one login challenge does not answer another.
      const second = await startChallenge(t, user);
      const assertion = authenticator.get(options.body.options);
      await t.http().post('/api/login/two-factor').send({ challenge_token: second.challenge_token, passkey: assertion }).expect(422);

      const both = await t.http().post('/api/login/two-factor').send({ challenge_token: challenge.challenge_token, code: '123456', passkey: assertion }).expect(422);
      expect(Object.keys(both.body.errors)).toEqual(['passkey']);
      const [{ attempts }] = await t.db.query(`SELECT attempts FROM two_factor_challenges WHERE user_id = $1 ORDER BY id LIMIT 1`, [user.id]);
      expect(attempts).toBe(1);
      const failures = (await activity(user.id)).filter((entry) => entry.event === 'auth:two-factor-failed');
      expect(failures.map((entry) => entry.properties.method)).toEqual(['passkey', 'passkey']);
    });

    it('has no passkey options for an account without passkeys', async () => {
      const user = await verifiedUser(t);
      await enableTotp(t, user);
      const challenge = await startChallenge(t, user);
      const res = await t.http().post('/api/login/two-factor/passkey-options').send({ challenge_token: challenge.challenge_token }).expect(422);
      expect(Object.keys(res.body.errors)).toEqual(['challenge_token']);
      await t.http().post('/api/login/two-factor/passkey-options').send({ challenge_token: 'not-a-challenge' }).expect(422);
    });
  });

  describe('managing', () => {
    it("renames and deletes (proof rule); another user's passkey is 404", async () => {
      const user = await verifiedUser(t);
      const other = await verifiedUser(t);
      const { passkey } = await registerPasskey(user, new SoftwareAuthenticator(ORIGIN));
      const renamed = await t.http().patch(`/api/me/passkeys/${passkey.id}`).set(user.auth).send({ name: 'Work laptop' }).expect(200);
      expect(renamed.body.data).toEqual({ ...passkey, name: 'Work laptop' });
      await t.http().patch(`/api/me/passkeys/${passkey.id}`).set(other.auth).send({ name: 'mine' }).expect(404, { message: 'Not Found.' });
      await t.http().delete(`/api/me/passkeys/${passkey.id}`).set(other.auth).send({}).expect(404);
      await t.http().delete('/api/me/passkeys/abc').set(user.auth).send({}).expect(404);

      await ageLogins(t, user.id);
      await t.http().delete(`/api/me/passkeys/${passkey.id}`).set(user.auth).send({}).expect(403);
      await t.http().delete(`/api/me/passkeys/${passkey.id}`).set(user.auth).send({ current_password: user.password }).expect(200, { success: true });
      expect((await t.http().get('/api/me/passkeys').set(user.auth).expect(200)).body.data).toEqual([]);
      expect((await activity(user.id)).map((entry) => entry.event)).toContain('user:passkey.delete');
    });

    it('lets an admin list and remove a user\'s passkeys; others get 403', async () => {
      const admin = await verifiedUser(t);
      await makeAdmin(t, admin.id);
      const user = await verifiedUser(t);
      const authenticator = new SoftwareAuthenticator(ORIGIN);
      const { passkey } = await registerPasskey(user, authenticator);
      await t.http().get(`/api/users/${user.id}/passkeys`).set(user.auth).expect(403);
      const listed = await t.http().get(`/api/users/${user.id}/passkeys`).set(admin.auth).expect(200);
      expect(listed.body.data).toEqual([passkey]);
      await t.http().get('/api/users/2147483647/passkeys').set(admin.auth).expect(404);
      await t.http().delete(`/api/users/${user.id}/passkeys/${passkey.id}`).set(admin.auth).expect(200, { success: true });
      await t.http().delete(`/api/users/${user.id}/passkeys/${passkey.id}`).set(admin.auth).expect(404);
      // Removed: it signs nobody in any more.
      const ceremony = await assertionFor(authenticator);
      await signIn({ challenge_token: ceremony.token, response: ceremony.response() }).expect(422, CREDENTIALS_REFUSED);
    });

    it('is in the data export as metadata only: no credential ID, public key or counter', async () => {
      const user = await verifiedUser(t);
      const { passkey, credentialId } = await registerPasskey(user, new SoftwareAuthenticator(ORIGIN), 'Exported');
      const res = await t.http().get('/api/me/export').set(user.auth).buffer(true).expect(200);
      const doc = JSON.parse(res.text);
      expect(doc.passkeys).toEqual([
        {
          id: passkey.id,
          name: 'Exported',
          device_type: 'singleDevice',
          backed_up: false,
          transports: ['internal'],
          created_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
          last_used_at: null,
        },
      ]);
      const [{ key }] = await t.db.query(`SELECT encode(public_key, 'base64') AS key FROM passkeys WHERE id = $1`, [passkey.id]);
      expect(res.text).not.toContain(credentialId);
      expect(res.text).not.toContain(key);
    });

    it('goes with its account: deleting the user deletes its passkeys', async () => {
      const user = await verifiedUser(t);
      await registerPasskey(user, new SoftwareAuthenticator(ORIGIN));
      await t.db.query(`DELETE FROM users WHERE id = $1`, [user.id]);
      const [{ count }] = await t.db.query(`SELECT count(*)::int AS count FROM passkeys WHERE user_id = $1`, [user.id]);
      expect(count).toBe(0);
    });
  });
});
