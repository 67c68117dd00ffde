/**
 * Issue 28, attack 2: chained email changes defeated the revert. With a stolen fresh token the attacker changed the
 * address to a1 and confirmed it, changed it on to a2 and confirmed that, then used the cancel link mailed to a1: the
 * revert restored a1 and mailed a1 the reset link, while the owner's own cancel link answered 400. Now one change
 * is in progress at a time (pending, or confirmed and still revertible), and a revert restores the address the
 * account had before the first change of its window.
 */
import { createHash, randomBytes } from 'node:crypto';
import { bootMailingTestApp, type MailingTestApp } from '../../support/app.js';
import { bearer, login, uniqueName, verifiedUser as verifiedUserOf, type LoggedInUser } from '../../support/factories.js';
import { lastMailedToken, mailTexts } from '../../support/mail-helpers.js';
import { activityOf } from '../../support/admin-helpers.js';
import { userRow } from '../../support/profile-helpers.js';

const FRONTEND_URL = 'https://spa.example.test';
const IN_PROGRESS = 'An email change is already in progress; confirm or cancel it first.';
const CHANGE_REQUESTED = 'Your email address is about to change';
const CONFIRM_NEW = 'Confirm your new email address';
const RESET = 'Reset your password';

const sha256 = (value: string): string => createHash('sha256').update(value).digest('hex');

describe('email change: one at a time, and a revert that gives the address back to its owner (issue 28)', () => {
  let t: MailingTestApp;

  beforeAll(async () => {
    t = await bootMailingTestApp({ FRONTEND_URL });
  });
  afterAll(async () => {
    await t?.close();
  });

  const mailedToken = (to: string, subject: string, path: string): Promise<string> => lastMailedToken(t, FRONTEND_URL, to, subject, path);
  const mailsTo = async (to: string, subject: string): Promise<number> => (await mailTexts(t, to, subject)).length;
  const verifiedUser = (): Promise<LoggedInUser> => verifiedUserOf(t);

  const newAddress = (prefix: string): string => `${uniqueName(prefix)}@example.com`;
  const changeEmail = (auth: { Authorization: string }, email: string) => t.http().patch('/api/me/details/auth').set(auth).send({ email });
  const confirm = async (address: string) =>
    t.http().post('/api/email/verify').send({ token: await mailedToken(address, CONFIRM_NEW, 'verify-email') }).expect(200);
  const cancel = (token: string) => t.http().post('/api/email/cancel-change').send({ token });
  const changeRows = (userId: number): Promise<unknown[]> => t.db.query(`SELECT id FROM email_changes WHERE user_id = $1`, [userId]);

  it('attack: a stolen fresh token cannot chain a second change, and the owner’s cancel link still restores the account', async () => {
    const victim = await verifiedUser();
    const stolen = victim.auth;
    const a1 = newAddress('evil-one');
    const a2 = newAddress('evil-two');

    await changeEmail(stolen, a1).expect(200);
    await confirm(a1);
    // Moving the address on from a1 would get the attacker a cancel link of their own (mailed to a1).
    const chained = await changeEmail(stolen, a2).expect(422);
    expect(chained.body).toEqual({ message: 'The given data was invalid.', errors: { email: [IN_PROGRESS] } });
    expect(await mailsTo(a1, CHANGE_REQUESTED)).toBe(0);
    expect(await mailsTo(a2, CONFIRM_NEW)).toBe(0);
    expect(await changeRows(victim.id)).toHaveLength(1);

    // The owner's link, mailed to their address before anything else happened, undoes the change.
    await cancel(await mailedToken(victim.email, CHANGE_REQUESTED, 'cancel-email-change')).expect(200, { success: true });
    expect(await userRow(t, victim.id)).toMatchObject({ email: victim.email, email_verified_at: expect.any(Date) });
    await t.http().get('/api/me').set(stolen).expect(401);
    const reset = await mailedToken(victim.email, RESET, 'reset-password');
    await t.http().post('/api/password/reset').send({ token: reset, email: victim.email, password: 'the owner again', password_confirmation: 'the owner again' }).expect(200);
    await login(t, { username: victim.email, password: 'the owner again' });
    expect(await mailsTo(a1, RESET)).toBe(0);
  });

  it('attack: the cancel link of a later change in a chain (left by the code before this rule) restores the address from before the first one', async () => {
    const victim = await verifiedUser();
    const a1 = newAddress('evil-one');
    const a2 = newAddress('evil-two');
    await changeEmail(victim.auth, a1).expect(200);
    await confirm(a1);
    // The second change, confirmed, as the code before this rule let a stolen token make it: its cancel link went to a1.
    const attackersCancel = randomBytes(32).toString('base64url');
    await t.db.query(`UPDATE users SET email = $2 WHERE id = $1`, [victim.id, a2]);
    await t.db.query(
      `INSERT INTO email_changes (user_id, old_email, new_email, confirm_token_hash, cancel_token_hash, expires_at, confirmed_at, revert_until)
       VALUES ($1, $2, $3, $4, $5, now() + interval '1 day', now(), now() + interval '7 days')`,
      [victim.id, a1, a2, sha256(randomBytes(32).toString('base64url')), sha256(attackersCancel)],
    );

    await cancel(attackersCancel).expect(200, { success: true });
    expect(await userRow(t, victim.id)).toMatchObject({ email: victim.email, email_verified_at: expect.any(Date) });
    await mailedToken(victim.email, RESET, 'reset-password');
    expect(await mailsTo(a1, RESET)).toBe(0);
    const restored = await t.mail.waitFor((m) => m.to === victim.email && m.subject === 'Your email address was restored');
    expect(restored.text).toContain(a2);
    // Every change of the window is gone with the revert; the owner's own link has nothing left to undo.
    expect(await changeRows(victim.id)).toHaveLength(0);
    await cancel(await mailedToken(victim.email, CHANGE_REQUESTED, 'cancel-email-change')).expect(400, { message: 'This email change token is invalid.' });
    expect((await activityOf(t, victim.id, 'user:account.email-change-reverted')).length).toBe(1);
  });

  it('refuses a second change while one is pending, in every family; the same address respelled, or an expired change, does not count', async () => {
    const user = await verifiedUser();
    const first = newAddress('first');
    await changeEmail(user.auth, first).expect(200);

    await changeEmail(user.auth, newAddress('second')).expect(422, { message: 'The given data was invalid.', errors: { email: [IN_PROGRESS] } });
    const client = await t.http().put('/api/client/account/email').set(user.auth).send({ email: newAddress('second'), password: user.password }).expect(422);
    expect(client.body.errors).toEqual([expect.objectContaining({ status: '422', detail: IN_PROGRESS, meta: expect.objectContaining({ source_field: 'email' }) })]);
    await t.http().put('/api/v1/auth/user').set(user.auth).send({ email: newAddress('second') }).expect(422, { message: 'The given data was invalid.', errors: { email: [IN_PROGRESS] } });
    // Nothing else of a refused request is written.
    const username = uniqueName('renamed');
    await t.http().patch('/api/me/details/auth').set(user.auth).send({ username, email: newAddress('second') }).expect(422);
    expect(await userRow(t, user.id)).toMatchObject({ username: user.username, email: user.email });
    expect(await mailsTo(user.email, CHANGE_REQUESTED)).toBe(1);

    // Another spelling of the address of record is no new address.
    await changeEmail(user.auth, user.email.toUpperCase()).expect(200);
    expect(await userRow(t, user.id)).toMatchObject({ email: user.email.toUpperCase() });

    // A change whose confirmation link expired is over: a new one replaces it.
    await t.db.query(`UPDATE email_changes SET expires_at = now() - interval '1 second' WHERE user_id = $1`, [user.id]);
    const third = newAddress('third');
    await changeEmail(user.auth, third).expect(200);
    await confirm(third);
    expect(await userRow(t, user.id)).toMatchObject({ email: third });
  });

  it('refuses a new change while the confirmed one can still be reverted, and allows it once the window closed', async () => {
    const user = await verifiedUser();
    const moved = newAddress('moved');
    await changeEmail(user.auth, moved).expect(200);
    await confirm(moved);

    await changeEmail(user.auth, newAddress('again')).expect(422, { message: 'The given data was invalid.', errors: { email: [IN_PROGRESS] } });
    await t.db.query(`UPDATE email_changes SET revert_until = now() - interval '1 second' WHERE user_id = $1`, [user.id]);
    const again = newAddress('again');
    await changeEmail(user.auth, again).expect(200);
    expect(await mailsTo(moved, CHANGE_REQUESTED)).toBe(1);
    await confirm(again);
    expect(await userRow(t, user.id)).toMatchObject({ email: again });
  });

  it('counts no change for concurrent requests beyond one: exactly one of them is pending', async () => {
    const user = await verifiedUser();
    const results = await Promise.all([0, 1, 2, 3].map((n) => changeEmail(user.auth, newAddress(`race${n}`))));
    expect(results.map((res) => res.status).sort()).toEqual([200, 422, 422, 422]);
    expect(await changeRows(user.id)).toHaveLength(1);
  });

  it('ends every API key with the revert, as well as the sessions', async () => {
    const user = await verifiedUser();
    const created = await t.http().post('/api/client/account/api-keys').set(user.auth).send({ description: 'taker key' }).expect(200);
    const key = bearer(created.body.meta.secret_token as string);
    const moved = newAddress('moved');
    await changeEmail(user.auth, moved).expect(200);
    await confirm(moved);
    await cancel(await mailedToken(user.email, CHANGE_REQUESTED, 'cancel-email-change')).expect(200);
    await t.http().get('/api/client/account').set(key).expect(401);
    expect(await t.db.query(`SELECT id FROM api_keys WHERE user_id = $1`, [user.id])).toHaveLength(0);
  });
});
