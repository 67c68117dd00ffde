import { bootMailingTestApp, type MailingTestApp } from '../../support/app.js';
import { verifiedUser } from '../../support/factories.js';
import { lastMailedToken } from '../../support/mail-helpers.js';
import { addMember, createOrganization, roleOf } from '../../support/organization-helpers.js';

const FRONTEND = 'https://app.example.test';

describe('organizations in account deletion and export', () => {
  let t: MailingTestApp;

  beforeAll(async () => {
    t = await bootMailingTestApp({ FRONTEND_URL: FRONTEND });
  });

  afterAll(async () => {
    await t.close();
  });

  const exists = async (id: string): Promise<boolean> => (await t.db.query(`SELECT 1 FROM organizations WHERE id = $1`, [id])).length === 1;

  it('refuses to delete the last owner of an organization with other members (409 naming it), in every family; nothing changes', async () => {
    const { id, owner } = await createOrganization(t, undefined, 'Needed Org');
    const member = await verifiedUser(t);
    await addMember(t, id, member.id, 'member');
    const refusal = { message: 'Transfer ownership of Needed Org first.' };
    await t.http().delete('/api/me').set(owner.auth).expect(409, refusal);
    await t.http().delete('/api/v1/auth/user').set(owner.auth).expect(409, refusal);
    const client = await t.http().delete('/api/client/account').set(owner.auth).send({ password: owner.password }).expect(409);
    expect(client.body.errors[0].detail).toBe('Transfer ownership of Needed Org first.');
    expect(await exists(id)).toBe(true);
    expect(await roleOf(t, id, owner.id)).toBe('owner');
    // With another owner, the account goes and the organization stays.
    await addMember(t, id, (await verifiedUser(t)).id, 'owner');
    await t.http().delete('/api/me').set(owner.auth).expect(200, { success: true });
    expect(await exists(id)).toBe(true);
    expect(await roleOf(t, id, member.id)).toBe('member');
  });

  it('deletes an organization whose only member is the deleted account', async () => {
    const { id, owner } = await createOrganization(t, undefined, 'Alone');
    await t.http().delete('/api/me').set(owner.auth).expect(200);
    expect(await exists(id)).toBe(false);
  });

  it('exports the memberships and the invitations received, never a token', async () => {
    const { id, owner } = await createOrganization(t, undefined, 'Acme');
    const invitee = await verifiedUser(t);
    await t.http().post(`/api/organizations/${id}/invitations`).set(owner.auth).send({ email: invitee.email, role: 'admin' }).expect(201);
    const token = await lastMailedToken(t, FRONTEND, invitee.email, 'Invitation to join Acme', 'accept-invitation');
    await t.http().post('/api/organization-invitations/accept').set(invitee.auth).send({ token }).expect(200);
    const res = await t.http().get('/api/me/export').set(invitee.auth).buffer(true).expect(200);
    const doc = JSON.parse(res.text);
    expect(doc.organizations).toEqual([{ organization_id: id, organization_name: 'Acme', role: 'admin', current: true, joined_at: expect.any(String) }]);
    expect(doc.organization_invitations).toEqual([
      {
        id: expect.any(String),
        organization_id: id,
        organization_name: 'Acme',
        email: invitee.email,
        role: 'admin',
        status: 'accepted',
        created_at: expect.any(String),
        expires_at: expect.any(String),
      },
    ]);
    expect(res.text).not.toContain(token);
  });
});
