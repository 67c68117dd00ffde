import { bootTestApp, type TestApp } from '../../support/app.js';
import { verifiedUser } from '../../support/factories.js';
import { queriesDuring } from '../../support/queries.js';
import { createOrganization, type OrganizationFixture } from '../../support/organization-helpers.js';

const MEMBERS = 5000;

describe('the member list of an organization with 5,000 members', () => {
  let t: TestApp;
  let organization: OrganizationFixture;

  beforeAll(async () => {
    t = await bootTestApp();
    organization = await createOrganization(t, await verifiedUser(t), 'Big');
    // Fixture rows straight into the tables: 4,999 users joined one second apart.
    await t.db.query(
      `WITH created AS (
         INSERT INTO users (username, email, password, role_id, status, first_name, last_name)
         SELECT 'bulk_' || n || '_' || substr(md5(random()::text), 1, 6), 'bulk_' || n || '_' || substr(md5(random()::text), 1, 6) || '@example.com',
                'x', (SELECT id FROM roles WHERE slug = 'user'), 'Active', 'First' || n, CASE WHEN n % 100 = 0 THEN 'Needle' ELSE 'Last' || n END
           FROM generate_series(1, $2::int - 1) AS n
         RETURNING id, first_name)
       INSERT INTO organization_memberships (organization_id, user_id, role, created_at)
       SELECT $1, id, 'member', now() + (substr(first_name, 6)::int * interval '1 second') FROM created`,
      [organization.id, MEMBERS],
    );
    await t.db.query('ANALYZE organization_memberships; ANALYZE users');
  });

  afterAll(async () => {
    await t.close();
  });

  it('pages through every member with no silent cap: the total is 5,000 and the last page holds the rest', async () => {
    const first = await t.http().get(`/api/organizations/${organization.id}/members?per_page=100`).set(organization.owner.auth).expect(200);
    expect(first.body.meta).toEqual({ current_page: 1, per_page: 100, total: MEMBERS, last_page: 50 });
    expect(first.body.data).toHaveLength(100);
    expect(first.body.data[0].user.username).toBe(organization.owner.username);
    const last = await t.http().get(`/api/organizations/${organization.id}/members?per_page=100&page=50`).set(organization.owner.auth).expect(200);
    expect(last.body.data).toHaveLength(100);
    const beyond = await t.http().get(`/api/organizations/${organization.id}/members?per_page=100&page=51`).set(organization.owner.auth).expect(200);
    expect(beyond.body).toEqual({ data: [], meta: { current_page: 51, per_page: 100, total: MEMBERS, last_page: 50 } });
    await t.http().get(`/api/organizations/${organization.id}/members?per_page=101`).set(organization.owner.auth).expect(422);
  });

  it('answers the first page with one statement for the page and one for the role and count (beside the credential read)', async () => {
    const url = `/api/organizations/${organization.id}/members?per_page=100`;
    await t.http().get(url).set(organization.owner.auth).expect(200);
    const statements = await queriesDuring(t, () => t.http().get(url).set(organization.owner.auth).expect(200));
    const sql = statements.filter((statement) => !statement.startsWith('(pool'));
    expect(sql).toHaveLength(3);
    expect(sql.filter((statement) => statement.includes('organization_memberships'))).toHaveLength(2);
  });

  it('searches usernames and names for every member, addresses for owners and admins only', async () => {
    const byName = await t.http().get(`/api/organizations/${organization.id}/members?search=needle&per_page=100`).set(organization.owner.auth).expect(200);
    expect(byName.body.meta.total).toBe(49);
    expect(byName.body.data.every((member: { email?: string }) => typeof member.email === 'string')).toBe(true);
    const [someone] = await t.db.query(`SELECT u.id, u.email FROM users u JOIN organization_memberships m ON m.user_id = u.id WHERE m.organization_id = $1 AND m.role = 'member' LIMIT 1`, [
      organization.id,
    ]);
    const member = await verifiedUser(t);
    await t.db.query(`INSERT INTO organization_memberships (organization_id, user_id, role) VALUES ($1, $2, 'member')`, [organization.id, member.id]);
    const local = String(someone.email).split('@')[0];
    const asOwner = await t.http().get(`/api/organizations/${organization.id}/members?search=${local}@example`).set(organization.owner.auth).expect(200);
    expect(asOwner.body.meta.total).toBe(1);
    const asMember = await t.http().get(`/api/organizations/${organization.id}/members?search=${local}@example`).set(member.auth).expect(200);
    expect(asMember.body.meta.total).toBe(0);
    const page = await t.http().get(`/api/organizations/${organization.id}/members`).set(member.auth).expect(200);
    expect(page.body.data.every((entry: object) => !('email' in entry))).toBe(true);
    await t.db.query(`DELETE FROM organization_memberships WHERE user_id = $1`, [member.id]);
  });
});
