// Organizations for the bench (issue 30): half the seeded users get a current organization of their own, so
// GET /api/v1/auth/user can be measured with one and without one from the same run; one organization of 5,000
// members measures the member list.

const EMPTY_INFO = {
  address: { city: null, state: null, region: null, street: null, country: null, postcode: null },
  billing: { vat: null, email: null, code_dest: null, fiscal_code: null, certified_email: null, legal_name: null },
  contact: { name: null, email: null, mobile: null, last_name: null, tech_email: null, legal_email: null },
  settings: { public_profile: 1, public_badge_types: 1, public_learning_paths: 0, public_badge_templates: 1 },
};

export const BIG_ORGANIZATION_MEMBERS = 5000;

/**
 * @param {import('pg').Client} db
 * @param {{ users: {id:number}[], tokens: string[], apiKeys: string[] }} seeded
 * @returns {Promise<{ withOrganization: { tokens: string[] }, without: { tokens: string[], apiKeys: string[] }, memberList: { path: string, tokens: string[] } }>}
 */
export async function seedOrganizations(db, seeded) {
  const odd = seeded.users.filter((_user, index) => index % 2 === 1);
  await db.query(
    `WITH owners AS (SELECT unnest($1::int[]) AS user_id),
          created AS (
            INSERT INTO organizations (name, type, activity, description, address_info, billing_info, contact_info, settings, website, created_by_user_id)
            SELECT 'Bench organization ' || user_id, 'public_local_national', 'school', '<p><em>Welcome</em> to a <strong>bench</strong> organization.</p>',
                   $2::jsonb, $3::jsonb, $4::jsonb, $5::jsonb, 'https://www.example.com', user_id
              FROM owners
            RETURNING id, created_by_user_id),
          joined AS (INSERT INTO organization_memberships (organization_id, user_id, role) SELECT id, created_by_user_id, 'owner' FROM created)
     UPDATE users SET current_organization_id = created.id FROM created WHERE users.id = created.created_by_user_id`,
    [odd.map((user) => user.id), JSON.stringify(EMPTY_INFO.address), JSON.stringify(EMPTY_INFO.billing), JSON.stringify(EMPTY_INFO.contact), JSON.stringify(EMPTY_INFO.settings)],
  );

  // The big organization: owned by the first user, with the other users of even index as members (those without a
  // current organization), topped up with users of no session to 5,000. The members' own tokens call the list, so
  // the per-user request budget (RATE_LIMIT_API_PER_MINUTE) is spread as real clients spread it.
  const evenUsers = seeded.users.filter((_user, index) => index % 2 === 0);
  const owner = evenUsers[0];
  const { rows: [big] } = await db.query(
    `INSERT INTO organizations (name, address_info, billing_info, contact_info, settings, created_by_user_id)
     VALUES ('Bench big organization', $1::jsonb, $2::jsonb, $3::jsonb, $4::jsonb, $5) RETURNING id`,
    [JSON.stringify(EMPTY_INFO.address), JSON.stringify(EMPTY_INFO.billing), JSON.stringify(EMPTY_INFO.contact), JSON.stringify(EMPTY_INFO.settings), owner.id],
  );
  const callers = evenUsers.slice(0, BIG_ORGANIZATION_MEMBERS);
  await db.query(
    `INSERT INTO organization_memberships (organization_id, user_id, role, created_at)
     SELECT $1, user_id, CASE WHEN n = 1 THEN 'owner' ELSE 'member' END, now() + n * interval '1 millisecond'
       FROM unnest($2::int[]) WITH ORDINALITY AS callers(user_id, n)`,
    [big.id, callers.map((user) => user.id)],
  );
  await db.query(
    `WITH members AS (
       INSERT INTO users (username, email, password, first_name, last_name, role_id, status)
       SELECT 'member' || i, 'member' || i || '@example.com', 'x', 'Member', 'Number ' || i, 2, 'Active' FROM generate_series(1, $2::int) AS i
       RETURNING id)
     INSERT INTO organization_memberships (organization_id, user_id, role, created_at)
     SELECT $1, id, 'member', now() + interval '1 hour' + (row_number() OVER (ORDER BY id)) * interval '1 millisecond' FROM members`,
    [big.id, BIG_ORGANIZATION_MEMBERS - callers.length],
  );
  await db.query('ANALYZE organizations; ANALYZE organization_memberships; ANALYZE users');

  const even = (list) => list.filter((_item, index) => index % 2 === 0);
  return {
    withOrganization: { tokens: seeded.tokens.filter((_token, index) => index % 2 === 1) },
    without: { tokens: even(seeded.tokens), apiKeys: even(seeded.apiKeys) },
    memberList: { path: `/api/organizations/${big.id}/members?per_page=15`, tokens: even(seeded.tokens).slice(0, callers.length) },
  };
}
