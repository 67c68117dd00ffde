import { randomBytes } from 'node:crypto';
import { bootMailingTestApp, type MailingTestApp } from '../../support/app.js';
import { bearer, loggedInUser, login, uniqueName, verifiedUser, type LoggedInUser } from '../../support/factories.js';
import { lastMailedToken } from '../../support/mail-helpers.js';
import { eventsOf } from '../../support/profile-helpers.js';
import { createOrganization, roleOf } from '../../support/organization-helpers.js';

const FRONTEND = 'https://app.example.test';
/** The address with its local part upper-cased (addresses compare case-insensitively; mailers lower-case the domain). */
const shouted = (email: string): string => email.replace(/^[^@]+/, (local) => local.toUpperCase());
const INVALID = { message: 'This invitation is invalid or has expired.' };
const OTHER_ADDRESS = { message: 'This invitation was sent to another address.' };

describe('organization invitations', () => {
  let t: MailingTestApp;

  beforeAll(async () => {
    t = await bootMailingTestApp({ FRONTEND_URL: FRONTEND, ORGANIZATIONS_PER_USER: '1000' });
  });

  afterAll(async () => {
    await t.close();
  });

  async function invite(owner: LoggedInUser, id: string, email: string, role = 'member'): Promise<{ invitationId: string; token: string }> {
    const res = await t.http().post(`/api/organizations/${id}/invitations`).set(owner.auth).send({ email, role });
    expect([200, 201]).toContain(res.status);
    const token = await lastMailedToken(t, FRONTEND, email, `Invitation to join ${'Acme'}`, 'accept-invitation');
    return { invitationId: res.body.data.id as string, token };
  }

  it('mails a single-use link bound to the address; the invitee previews, accepts and becomes a member (and current)', async () => {
    const { id, owner } = await createOrganization(t);
    const invitee = await verifiedUser(t);
    const created = await t.http().post(`/api/organizations/${id}/invitations`).set(owner.auth).send({ email: shouted(invitee.email), role: 'admin' }).expect(201);
    expect(created.body.data).toMatchObject({ email: shouted(invitee.email), role: 'admin', status: 'pending', invited_by: { username: owner.username } });
    const token = await lastMailedToken(t, FRONTEND, shouted(invitee.email), 'Invitation to join Acme', 'accept-invitation');
    expect(token).not.toBe(created.body.data.id);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    // Only a hash of the token is stored.
    const [row] = await t.db.query(`SELECT token_hash FROM organization_invitations WHERE id = $1`, [created.body.data.id]);
    expect(row.token_hash).not.toContain(token);
    const preview = await t.http().post('/api/organization-invitations/preview').send({ token }).expect(200);
    expect(preview.body).toEqual({ data: { organization: { id, name: 'Acme', logo_thumbnail_path: null }, role: 'admin', expires_at: expect.any(String) } });
    expect(JSON.stringify(preview.body)).not.toContain(invitee.email);
    const accepted = await t.http().post('/api/organization-invitations/accept').set(invitee.auth).send({ token }).expect(200);
    expect(accepted.body.data.id).toBe(id);
    expect(await roleOf(t, id, invitee.id)).toBe('admin');
    expect((await t.http().get('/api/v1/auth/user').set(invitee.auth).expect(200)).body.organization.id).toBe(id);
    expect(await eventsOf(t, invitee.id)).toEqual(expect.arrayContaining(['organization:invitation.accepted', 'organization:member.added']));
    // Spent: the link works once.
    await t.http().post('/api/organization-invitations/accept').set(invitee.auth).send({ token }).expect(400, INVALID);
    await t.http().post('/api/organization-invitations/preview').send({ token }).expect(400, INVALID);
    const list = await t.http().get(`/api/organizations/${id}/invitations?status=accepted`).set(owner.auth).expect(200);
    expect(list.body.data.map((invitation: { id: string }) => invitation.id)).toEqual([created.body.data.id]);
  });

  it('refuses another signed-in address (403) and changes nothing', async () => {
    const { id, owner } = await createOrganization(t);
    const invitee = `${uniqueName()}@example.com`;
    const { token } = await invite(owner, id, invitee);
    const stranger = await verifiedUser(t);
    await t.http().post('/api/organization-invitations/accept').set(stranger.auth).send({ token }).expect(403, OTHER_ADDRESS);
    await t.http().post('/api/organization-invitations/decline').set(stranger.auth).send({ token }).expect(403, OTHER_ADDRESS);
    expect(await roleOf(t, id, stranger.id)).toBeNull();
    await t.http().post('/api/organization-invitations/preview').send({ token }).expect(200);
  });

  it('refuses revoked, expired, declined, guessed and id-as-token invitations (400)', async () => {
    const { id, owner } = await createOrganization(t);
    const revokedUser = await verifiedUser(t);
    const revoked = await invite(owner, id, revokedUser.email);
    await t.http().delete(`/api/organizations/${id}/invitations/${revoked.invitationId}`).set(owner.auth).expect(200, { success: true });
    await t.http().post('/api/organization-invitations/accept').set(revokedUser.auth).send({ token: revoked.token }).expect(400, INVALID);
    await t.http().delete(`/api/organizations/${id}/invitations/${revoked.invitationId}`).set(owner.auth).expect(404);

    const lateUser = await verifiedUser(t);
    const late = await invite(owner, id, lateUser.email);
    await t.db.query(`UPDATE organization_invitations SET expires_at = now() - interval '1 second' WHERE id = $1`, [late.invitationId]);
    await t.http().post('/api/organization-invitations/accept').set(lateUser.auth).send({ token: late.token }).expect(400, INVALID);
    const expiredList = await t.http().get(`/api/organizations/${id}/invitations?status=expired`).set(owner.auth).expect(200);
    expect(expiredList.body.data.map((invitation: { id: string; status: string }) => [invitation.id, invitation.status])).toEqual([[late.invitationId, 'expired']]);

    const decliner = await verifiedUser(t);
    const declined = await invite(owner, id, decliner.email);
    await t.http().post('/api/organization-invitations/decline').set(decliner.auth).send({ token: declined.token }).expect(200, { success: true });
    await t.http().post('/api/organization-invitations/accept').set(decliner.auth).send({ token: declined.token }).expect(400, INVALID);

    const guesser = await verifiedUser(t);
    const target = await invite(owner, id, guesser.email);
    for (const guess of [target.invitationId, randomBytes(32).toString('base64url'), target.token.slice(0, -1) + (target.token.endsWith('A') ? 'B' : 'A')]) {
      await t.http().post('/api/organization-invitations/accept').set(guesser.auth).send({ token: guess }).expect(400, INVALID);
    }
    for (const user of [revokedUser, lateUser, decliner, guesser]) expect(await roleOf(t, id, user.id)).toBeNull();
  });

  it('keeps one pending invitation per address: inviting again answers 200 with it, renewed, and the old link stops working', async () => {
    const { id, owner } = await createOrganization(t);
    const invitee = await verifiedUser(t);
    const first = await invite(owner, id, invitee.email);
    const again = await t.http().post(`/api/organizations/${id}/invitations`).set(owner.auth).send({ email: shouted(invitee.email), role: 'admin' }).expect(200);
    expect(again.body.data.id).toBe(first.invitationId);
    const second = await lastMailedToken(t, FRONTEND, shouted(invitee.email), 'Invitation to join Acme', 'accept-invitation');
    expect(second).not.toBe(first.token);
    await t.http().post('/api/organization-invitations/accept').set(invitee.auth).send({ token: first.token }).expect(400, INVALID);
    await t.http().post('/api/organization-invitations/accept').set(invitee.auth).send({ token: second }).expect(200);
    expect(await roleOf(t, id, invitee.id)).toBe('admin');
    const [{ count }] = await t.db.query(`SELECT count(*)::int AS count FROM organization_invitations WHERE organization_id = $1`, [id]);
    expect(count).toBe(1);
  });

  it("refuses a member's address (422) and stops at ORGANIZATION_PENDING_INVITATIONS_MAX (422)", async () => {
    const small = await bootMailingTestApp({ FRONTEND_URL: FRONTEND, ORGANIZATION_PENDING_INVITATIONS_MAX: '2' });
    try {
      const { id, owner } = await createOrganization(small);
      const memberAddress = await small.http().post(`/api/organizations/${id}/invitations`).set(owner.auth).send({ email: owner.email, role: 'member' }).expect(422);
      expect(Object.keys(memberAddress.body.errors)).toEqual(['email']);
      await small.http().post(`/api/organizations/${id}/invitations`).set(owner.auth).send({ email: 'a@example.com', role: 'member' }).expect(201);
      await small.http().post(`/api/organizations/${id}/invitations`).set(owner.auth).send({ email: 'b@example.com', role: 'member' }).expect(201);
      await small.http().post(`/api/organizations/${id}/invitations`).set(owner.auth).send({ email: 'c@example.com', role: 'member' }).expect(422);
      // An owner is never invited: ownership is transferred.
      await small.http().post(`/api/organizations/${id}/invitations`).set(owner.auth).send({ email: 'd@example.com', role: 'owner' }).expect(422);
    } finally {
      await small.close();
    }
  });

  it('two accepts of one invitation at once make one membership', async () => {
    const { id, owner } = await createOrganization(t);
    const invitee = await verifiedUser(t);
    const { token } = await invite(owner, id, invitee.email);
    const other = bearer((await login(t, invitee, 'second-device')).token);
    const answers = await Promise.all([
      t.http().post('/api/organization-invitations/accept').set(invitee.auth).send({ token }),
      t.http().post('/api/organization-invitations/accept').set(other).send({ token }),
    ]);
    expect(answers.map((res) => res.status).sort()).toEqual([200, 400]);
    const [{ count }] = await t.db.query(`SELECT count(*)::int AS count FROM organization_memberships WHERE organization_id = $1 AND user_id = $2`, [id, invitee.id]);
    expect(count).toBe(1);
  });

  it('accepting with an unverified address that matches verifies it', async () => {
    const { id, owner } = await createOrganization(t);
    const invitee = await loggedInUser(t);
    const { token } = await invite(owner, id, invitee.email);
    await t.http().post('/api/organization-invitations/accept').set(invitee.auth).send({ token }).expect(200);
    const [row] = await t.db.query(`SELECT email_verified_at, status FROM users WHERE id = $1`, [invitee.id]);
    expect(row.email_verified_at).not.toBeNull();
    expect(row.status).toBe('Active');
  });

  it('registers a new account through the link: verified, a member, no verification mail; another address is refused', async () => {
    const { id, owner } = await createOrganization(t);
    const email = `${uniqueName()}@example.com`;
    const { token } = await invite(owner, id, email);
    const password = `pw-${randomBytes(8).toString('hex')}`;
    const other = `${uniqueName()}@example.com`;
    await t
      .http()
      .post('/api/register')
      .send({ username: uniqueName(), email: other, password, password_confirmation: password, invitation_token: token })
      .expect(422);
    await t
      .http()
      .post('/api/register')
      .send({ username: uniqueName(), email, password, password_confirmation: password, invitation_token: 'x'.repeat(43) })
      .expect(400, INVALID);
    const username = uniqueName();
    await t.http().post('/api/register').send({ username, email, password, password_confirmation: password, invitation_token: token }).expect(201, { requires_email_confirmation: false });
    const [row] = await t.db.query(`SELECT id, email_verified_at, status, current_organization_id FROM users WHERE username = $1`, [username]);
    expect(row).toMatchObject({ status: 'Active', current_organization_id: id });
    expect(row.email_verified_at).not.toBeNull();
    expect(await roleOf(t, id, row.id as number)).toBe('member');
    await t.http().post('/api/register').send({ username: uniqueName(), email, password, password_confirmation: password, invitation_token: token }).expect(400, INVALID);
  });

  it('lets the landing page preview only 30 times a minute per address', async () => {
    // An app of its own: its in-process limiter has counted nothing yet.
    const fresh = await bootMailingTestApp({ FRONTEND_URL: FRONTEND });
    try {
      for (let i = 0; i < 30; i++) await fresh.http().post('/api/organization-invitations/preview').send({ token: `guess-${i}` }).expect(400, INVALID);
      const limited = await fresh.http().post('/api/organization-invitations/preview').send({ token: 'guess-31' }).expect(429);
      expect(limited.headers['retry-after']).toBeDefined();
    } finally {
      await fresh.close();
    }
  });
});
