/** Fixtures of the organization e2e files (issue 30): seed 001's organization, and building organizations with members. */
import type { TestApp } from './app.js';
import { verifiedUser, type LoggedInUser } from './factories.js';

/** Seed 001's `organization`, as the seed shows it. */
export const SEED_ORGANIZATION = {
  id: '0f11feda-07f8-4202-9133-4a4e780e857d',
  type: 'public_local_national',
  activity: 'school',
  name: 'LearnQuest Academyyyyy',
  description:
    "<p><em>Welcome to </em><strong>LearnQuest Academy</strong><em>, where education meets innovation! At LearnQuest, we offer a diverse array of courses designed to expand your knowledge and skills across various topics. Upon successful completion of each course, students earn distinctive badges, showcasing their achievements and expertise. Whether you're delving into technology, arts, sciences, or personal development, our engaging curriculum and dedicated instructors ensure a comprehensive learning experience. Join us at LearnQuest Academy and start earning your badges today!!!</em></p>",
  address_info: {
    city: 'Example City',
    state: 'Example State',
    region: 'Example Region',
    street: '123 Example Street',
    country: 'Example Country',
    postcode: '12345',
  },
  billing_info: {
    vat: 'VAT123456',
    email: 'billing@open-badge.eu',
    code_dest: 'CODE123',
    fiscal_code: 'FISCAL123',
    certified_email: 'certified@open-badge.eu',
    legal_name: 'LearnQuest Academy s.r.l.',
  },
  language: 'en',
  website: 'https://www.example.com',
  status: 'enabled',
  contact_info: {
    name: 'John',
    email: 'contact@open-badge.eu',
    mobile: '+001234567890',
    last_name: 'Doe',
    tech_email: 'tech@open-badge.eu',
    legal_email: 'legal@open-badge.eu',
  },
  settings: { public_profile: 1, public_badge_types: 1, public_learning_paths: 0, public_badge_templates: 1 },
  logo_path:
    'https://storage.googleapis.com/openbadge-public/open-badges-dev/organizations/0f11feda-07f8-4202-9133-4a4e780e857d/organization-logos/fOwXBgxG9qxoizXXZlkrCKaldkFdI8Ez6TWRIn35.png',
  logo_high_path:
    'https://storage.googleapis.com/openbadge-public/open-badges-dev/organizations/0f11feda-07f8-4202-9133-4a4e780e857d/organization-logos/fOwXBgxG9qxoizXXZlkrCKaldkFdI8Ez6TWRIn35_high.png',
  logo_thumbnail_path:
    'https://storage.googleapis.com/openbadge-public/open-badges-dev/organizations/0f11feda-07f8-4202-9133-4a4e780e857d/organization-logos/fOwXBgxG9qxoizXXZlkrCKaldkFdI8Ez6TWRIn35_thumbnail.png',
  credits_left: 38422,
  badge_templates_count: 24,
  badges_count: 739,
  created_at: '2024-07-03T15:02:45.000000Z',
  updated_at: '2024-09-16T15:42:31.000000Z',
  public_url: 'https://openbadges.open-badge.eu/public/issuers/0f11feda-07f8-4202-9133-4a4e780e857d',
  stripe_customer_id: 'cus_QpT1CW2JIJb9fL',
  subscription_id: null,
  subscription_status: 'active',
  current_period_start: '2024-09-16 13:29:49',
  current_period_end: '2024-10-16 13:29:49',
};

/** The seed's public page, as ORGANIZATION_PUBLIC_URL. */
export const SEED_PUBLIC_URL_TEMPLATE = 'https://openbadges.open-badge.eu/public/issuers/{id}';

/** What members may send (the seed's descriptive fields). */
export const SEED_DESCRIPTIVE = {
  name: SEED_ORGANIZATION.name,
  type: SEED_ORGANIZATION.type,
  activity: SEED_ORGANIZATION.activity,
  description: SEED_ORGANIZATION.description,
  language: SEED_ORGANIZATION.language,
  website: SEED_ORGANIZATION.website,
  address_info: SEED_ORGANIZATION.address_info,
  billing_info: SEED_ORGANIZATION.billing_info,
  contact_info: SEED_ORGANIZATION.contact_info,
  settings: SEED_ORGANIZATION.settings,
};

/** What only platform admins may send (the host application's fields). */
export const SEED_HOST_FIELDS = {
  status: SEED_ORGANIZATION.status,
  credits_left: SEED_ORGANIZATION.credits_left,
  badge_templates_count: SEED_ORGANIZATION.badge_templates_count,
  badges_count: SEED_ORGANIZATION.badges_count,
  stripe_customer_id: SEED_ORGANIZATION.stripe_customer_id,
  subscription_id: SEED_ORGANIZATION.subscription_id,
  subscription_status: SEED_ORGANIZATION.subscription_status,
  current_period_start: SEED_ORGANIZATION.current_period_start,
  current_period_end: SEED_ORGANIZATION.current_period_end,
};

export interface OrganizationFixture {
  id: string;
  owner: LoggedInUser;
}

/** A verified user creates an organization through the API. */
export async function createOrganization(t: TestApp, owner?: LoggedInUser, name = 'Acme'): Promise<OrganizationFixture> {
  const creator = owner ?? (await verifiedUser(t));
  const res = await t.http().post('/api/organizations').set(creator.auth).send({ name }).expect(201);
  return { id: res.body.data.id as string, owner: creator };
}

/** Fixture only: puts a user in an organization with a role, as an accepted invitation would (those are tested through the API). */
export async function addMember(t: TestApp, organizationId: string, userId: number, role: 'owner' | 'admin' | 'member'): Promise<void> {
  await t.db.query(`INSERT INTO organization_memberships (organization_id, user_id, role) VALUES ($1, $2, $3)`, [organizationId, userId, role]);
}

export async function roleOf(t: TestApp, organizationId: string, userId: number): Promise<string | null> {
  const [row] = await t.db.query(`SELECT role FROM organization_memberships WHERE organization_id = $1 AND user_id = $2`, [organizationId, userId]);
  return (row?.role as string | undefined) ?? null;
}

export async function uuidOf(t: TestApp, userId: number): Promise<string> {
  const [row] = await t.db.query(`SELECT uuid FROM users WHERE id = $1`, [userId]);
  return row.uuid as string;
}
