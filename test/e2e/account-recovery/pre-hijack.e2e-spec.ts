import { randomBytes } from 'node:crypto';
import { MailService } from '../../../src/platform/mail/mail.service.js';
import { bootMailingTestApp, type MailingTestApp } from '../../support/app.js';
import { bearer, loggedInUser, uniqueName, verifiedUser, type LoggedInUser } from '../../support/factories.js';
import { SoftwareAuthenticator } from '../../support/software-authenticator.js';

const ORIGIN = 'https://app.example.test';
const NEW_PASSWORD = 'the owner took it back';
const ATTACKER_PASSWORD = `taken-${randomBytes(8).toString('hex')}`;

/**
 * Pre-hijack through a passkey (issue 28, attack 1): whoever registers first on someone else's address, or holds a
 * stolen fresh session, must not keep a way in once the owner resets the password through the mailed link.
 * Each attack records every step's status, so a failure shows the whole chain as it ran.
 */
describe('a password reset leaves the attacker nothing', () => {
  let t: MailingTestApp;

  beforeAll(async () => {
    t = await bootMailingTestApp({ FRONTEND_URL: ORIGIN });
  });
  afterAll(async () => {
    await t?.close();
  });

  /** The owner's "forgot password" through the mailed link; the reset's status. */
  async function ownerResets(email: string): Promise<number> {
    await t.http().post('/api/password/remind').send({ email }).expect(200);
    await t.app.get(MailService).flush();
    const mail = [...t.mail.messages].reverse().find((message) => message.to === email && message.subject === 'Reset your password');
    const link = new URL(/https:\/\/\S+\/reset-password\?\S+/.exec(mail?.text ?? '')?.[0] ?? `${ORIGIN}/reset-password`);
    const token = link.searchParams.get('token');
    const res = await t
      .http()
      .post('/api/password/reset')
      .send({ token, email: link.searchParams.get('email'), password: NEW_PASSWORD, password_confirmation: NEW_PASSWORD });
    return res.status;
  }

  /** Adds a passkey with `session`; the statuses of the options and of the registration. */
  async function addPasskey(session: { Authorization: string }, authenticator: SoftwareAuthenticator): Promise<number[]> {
    const options = await t.http().post('/api/me/passkeys/options').set(session).send({});
    if (options.status !== 200) return [options.status];
    const created = await t.http().post('/api/me/passkeys').set(session).send({ name: 'not yours', response: authenticator.create(options.body.data) });
    return [options.status, created.status];
  }

  /**
   * Signs in with the passkey, then sets a password without `current_password` (a passkey sign-in is recent);
   * the statuses, stopping at the first refusal.
   */
  async function takeOverWithPasskey(authenticator: SoftwareAuthenticator): Promise<number[]> {
    const options = await t.http().post('/api/login/passkey/options').send({}).expect(200);
    const signIn = await t.http().post('/api/login/passkey').send({ challenge_token: options.body.challenge_token, response: authenticator.get(options.body.options) });
    if (signIn.status !== 200) return [signIn.status];
    const takeover = await t.http().patch('/api/me/details/auth').set(bearer(signIn.body.token as string)).send({ password: ATTACKER_PASSWORD, password_confirmation: ATTACKER_PASSWORD });
    return [signIn.status, takeover.status];
  }

  const passkeysOf = async (userId: number): Promise<number> =>
    (await t.db.query(`SELECT count(*)::int AS n FROM passkeys WHERE user_id = $1`, [userId]))[0].n as number;

  it('refuses a passkey on an address nobody proved, so the owner’s reset leaves no way in', async () => {
    // The attacker registers on the victim's address (never verified) and signs in: a fresh sign-in is proof.
    const victimAddress = `${uniqueName('victim')}@example.com`;
    const attacker = await loggedInUser(t, { email: victimAddress });
    const authenticator = new SoftwareAuthenticator(ORIGIN);
    const added = await addPasskey(attacker.auth, authenticator);
    // The victim later resets the password from their mailbox: the address is now verified.
    const reset = await ownerResets(victimAddress);
    const takeover = added.at(-1) === 201 ? await takeOverWithPasskey(authenticator) : [];
    expect({ added, reset, takeover, passkeys: await passkeysOf(attacker.id) }).toEqual({ added: [403], reset: 200, takeover: [], passkeys: 0 });

    const refused = await t.http().post('/api/me/passkeys/options').set(attacker.auth).send({});
    // The reset ended the attacker's session; before it, the same request was refused with the proof of address missing.
    expect(refused.status).toBe(401);
  });

  it('answers 403 “Verify your email address first.” before any passkey work', async () => {
    const unverified = await loggedInUser(t);
    const options = await t.http().post('/api/me/passkeys/options').set(unverified.auth).send({}).expect(403);
    expect(options.body).toEqual({ message: 'Verify your email address first.' });
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM webauthn_challenges WHERE user_id = $1`, [unverified.id]);
    expect(n).toBe(0);
  });

  it('removes the passkey a stolen fresh session added, and the open WebAuthn challenges, when the owner resets', async () => {
    const victim: LoggedInUser = await verifiedUser(t);
    // The attacker holds the victim's fresh access token (under 15 minutes old: no password asked).
    const authenticator = new SoftwareAuthenticator(ORIGIN);
    const added = await addPasskey(victim.auth, authenticator);
    // A sign-in ceremony the attacker opened before the reset, to finish after it.
    const early = await t.http().post('/api/login/passkey/options').send({ username: victim.username }).expect(200);
    const reset = await ownerResets(victim.email);
    const late = await t.http().post('/api/login/passkey').send({ challenge_token: early.body.challenge_token, response: authenticator.get(early.body.options) });
    const takeover = await takeOverWithPasskey(authenticator);
    expect({ added, reset, late: late.status, takeover, passkeys: await passkeysOf(victim.id) }).toEqual({
      added: [200, 201],
      reset: 200,
      late: 422,
      takeover: [422],
      passkeys: 0,
    });
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM webauthn_challenges WHERE user_id = $1`, [victim.id]);
    expect(n).toBe(0);
    // The owner signs in with the new password.
    await t.http().post('/api/login').send({ username: victim.username, password: NEW_PASSWORD }).expect(200);
  });
});
