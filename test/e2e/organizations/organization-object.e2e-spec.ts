import { bootTestApp, type TestApp } from '../../support/app.js';
import { loggedInAdmin } from '../../support/admin-helpers.js';
import { loggedInUser, verifiedUser } from '../../support/factories.js';
import { queriesDuring } from '../../support/queries.js';
import { DATE_TIME, LARAVEL_TIMESTAMP, shapeOf } from '../../support/profile-helpers.js';
import { SEED_DESCRIPTIVE, SEED_HOST_FIELDS, SEED_ORGANIZATION, SEED_PUBLIC_URL_TEMPLATE } from '../../support/organization-helpers.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('the 001 organization object', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await bootTestApp({ ORGANIZATION_PUBLIC_URL: SEED_PUBLIC_URL_TEMPLATE });
  });

  afterAll(async () => {
    await t.close();
  });

  it('is null for a user without a current organization', async () => {
    const user = await loggedInUser(t);
    const res = await t.http().get('/api/v1/auth/user').set(user.auth).expect(200);
    expect(res.body.organization).toBeNull();
  });

  it("comes back from GET /api/v1/auth/user field for field as the seed's example, filled in through the API", async () => {
    const owner = await verifiedUser(t);
    const admin = await loggedInAdmin(t);
    const created = await t.http().post('/api/organizations').set(owner.auth).send(SEED_DESCRIPTIVE).expect(201);
    const id = created.body.data.id as string;
    await t.http().patch(`/api/admin/organizations/${id}`).set(admin.auth).send(SEED_HOST_FIELDS).expect(200);

    const res = await t.http().get('/api/v1/auth/user').set(owner.auth).expect(200);
    const organization = res.body.organization as Record<string, unknown>;
    // Same keys, in the seed's order.
    expect(Object.keys(organization)).toEqual(Object.keys(SEED_ORGANIZATION));
    for (const key of ['address_info', 'billing_info', 'contact_info', 'settings'] as const) {
      expect(Object.keys(organization[key] as object)).toEqual(Object.keys(SEED_ORGANIZATION[key]));
    }
    // Same values, but what the server decides: the id, the timestamps, and the logo (none uploaded here).
    const decided = ['id', 'created_at', 'updated_at', 'public_url', 'logo_path', 'logo_high_path', 'logo_thumbnail_path'];
    const strip = (value: Record<string, unknown>) => Object.fromEntries(Object.entries(value).filter(([key]) => !decided.includes(key)));
    expect(strip(organization)).toEqual(strip(SEED_ORGANIZATION));
    expect(organization.id).toMatch(UUID);
    expect(organization.created_at).toMatch(LARAVEL_TIMESTAMP);
    expect(organization.updated_at).toMatch(LARAVEL_TIMESTAMP);
    expect(organization.current_period_start).toMatch(DATE_TIME);
    expect(organization.public_url).toBe(SEED_PUBLIC_URL_TEMPLATE.replace('{id}', id));
    expect(organization.logo_path).toBeNull();
  });

  it('has the seed shape with every optional field empty, as a new organization starts', async () => {
    const owner = await verifiedUser(t);
    const created = await t.http().post('/api/organizations').set(owner.auth).send({ name: 'Bare' }).expect(201);
    const bare = created.body.data;
    expect(bare).toMatchObject({
      type: null,
      activity: null,
      description: null,
      language: 'en',
      website: null,
      status: 'enabled',
      settings: { public_profile: 0, public_badge_types: 0, public_learning_paths: 0, public_badge_templates: 0 },
      address_info: { city: null, state: null, region: null, street: null, country: null, postcode: null },
      credits_left: 0,
      badge_templates_count: 0,
      badges_count: 0,
      stripe_customer_id: null,
      subscription_id: null,
      subscription_status: null,
      current_period_start: null,
      current_period_end: null,
    });
    // Every key of the seed, no other.
    expect(Object.keys(shapeOf(bare) as object)).toEqual(Object.keys(shapeOf(SEED_ORGANIZATION) as object));
  });

  it('adds one statement to GET /api/v1/auth/user with a current organization, none without', async () => {
    const without = await loggedInUser(t);
    const owner = await verifiedUser(t);
    await t.http().post('/api/organizations').set(owner.auth).send(SEED_DESCRIPTIVE).expect(201);
    // Warm: the prepared statements are parsed once per connection.
    await t.http().get('/api/v1/auth/user').set(without.auth).expect(200);
    await t.http().get('/api/v1/auth/user').set(owner.auth).expect(200);
    const base = await queriesDuring(t, () => t.http().get('/api/v1/auth/user').set(without.auth).expect(200));
    const withOrganization = await queriesDuring(t, () => t.http().get('/api/v1/auth/user').set(owner.auth).expect(200));
    expect(base.filter((q) => !q.startsWith('(pool'))).toHaveLength(1);
    expect(withOrganization.filter((q) => !q.startsWith('(pool'))).toHaveLength(2);
  });

  it('follows PUT /api/me/organization, and null takes it away', async () => {
    const owner = await verifiedUser(t);
    const first = (await t.http().post('/api/organizations').set(owner.auth).send({ name: 'First' }).expect(201)).body.data;
    const second = (await t.http().post('/api/organizations').set(owner.auth).send({ name: 'Second' }).expect(201)).body.data;
    // The first became current (the user had none); the second did not.
    expect((await t.http().get('/api/v1/auth/user').set(owner.auth).expect(200)).body.organization.id).toBe(first.id);
    const switched = await t.http().put('/api/me/organization').set(owner.auth).send({ organization_id: second.id }).expect(200);
    expect(switched.body.data.id).toBe(second.id);
    expect((await t.http().get('/api/v1/auth/user').set(owner.auth).expect(200)).body.organization.name).toBe('Second');
    const mine = await t.http().get('/api/me/organizations').set(owner.auth).expect(200);
    expect(mine.body.data.map((entry: { organization: { id: string }; current: boolean; role: string }) => [entry.organization.id, entry.current, entry.role])).toEqual([
      [first.id, false, 'owner'],
      [second.id, true, 'owner'],
    ]);
    await t.http().put('/api/me/organization').set(owner.auth).send({ organization_id: null }).expect(200, { data: null });
    expect((await t.http().get('/api/v1/auth/user').set(owner.auth).expect(200)).body.organization).toBeNull();
  });

  it("refuses another user's organization as current (404) and changes nothing", async () => {
    const owner = await verifiedUser(t);
    const stranger = await verifiedUser(t);
    const mine = (await t.http().post('/api/organizations').set(stranger.auth).send({ name: 'Mine' }).expect(201)).body.data;
    const theirs = (await t.http().post('/api/organizations').set(owner.auth).send({ name: 'Theirs' }).expect(201)).body.data;
    await t.http().put('/api/me/organization').set(stranger.auth).send({ organization_id: theirs.id }).expect(404, { message: 'Not Found.' });
    expect((await t.http().get('/api/v1/auth/user').set(stranger.auth).expect(200)).body.organization.id).toBe(mine.id);
  });

  it('keeps the host application fields to platform admins: a member sending one gets 422 naming it', async () => {
    const owner = await verifiedUser(t);
    const { id } = (await t.http().post('/api/organizations').set(owner.auth).send({ name: 'Host' }).expect(201)).body.data;
    for (const [field, value] of Object.entries(SEED_HOST_FIELDS)) {
      const res = await t.http().patch(`/api/organizations/${id}`).set(owner.auth).send({ [field]: value }).expect(422);
      expect(res.body.errors).toEqual({ [field]: [`The ${field} field is not allowed.`] });
    }
    const after = (await t.http().get(`/api/organizations/${id}`).set(owner.auth).expect(200)).body.data;
    expect(after).toMatchObject({ status: 'enabled', credits_left: 0, stripe_customer_id: null });
  });

  it('validates the sub-objects: addresses, settings, unknown sub-fields, website', async () => {
    const owner = await verifiedUser(t);
    const { id } = (await t.http().post('/api/organizations').set(owner.auth).send({ name: 'Valid' }).expect(201)).body.data;
    const cases: Array<[object, string]> = [
      [{ billing_info: { email: 'not-an-address' } }, 'billing_info.email'],
      [{ contact_info: { tech_email: 'x@' } }, 'contact_info.tech_email'],
      [{ settings: { public_profile: 2 } }, 'settings.public_profile'],
      [{ address_info: { planet: 'Mars' } }, 'address_info.planet'],
      [{ address_info: 'Main street' }, 'address_info'],
      [{ website: 'javascript:alert(1)' }, 'website'],
      [{ website: 'ftp://example.com' }, 'website'],
      [{ type: 'Not Lower Case' }, 'type'],
      [{ name: '' }, 'name'],
      [{ name: 'x'.repeat(151) }, 'name'],
    ];
    for (const [body, field] of cases) {
      const res = await t.http().patch(`/api/organizations/${id}`).set(owner.auth).send(body).expect(422);
      expect(Object.keys(res.body.errors)).toContain(field);
    }
  });

  it('replaces the sub-fields a PATCH sends and keeps the others', async () => {
    const owner = await verifiedUser(t);
    const { id } = (await t.http().post('/api/organizations').set(owner.auth).send(SEED_DESCRIPTIVE).expect(201)).body.data;
    const res = await t
      .http()
      .patch(`/api/organizations/${id}`)
      .set(owner.auth)
      .send({ address_info: { city: 'Novi Sad', postcode: null }, settings: { public_learning_paths: 1 } })
      .expect(200);
    expect(res.body.data.address_info).toEqual({ ...SEED_ORGANIZATION.address_info, city: 'Novi Sad', postcode: null });
    expect(res.body.data.settings).toEqual({ ...SEED_ORGANIZATION.settings, public_learning_paths: 1 });
    expect(res.body.data.billing_info).toEqual(SEED_ORGANIZATION.billing_info);
  });

  it('sanitises the description on write: scripts, handlers, javascript: links and styles are gone', async () => {
    const owner = await verifiedUser(t);
    const description =
      '<p onclick="steal()" style="position:fixed">Hi<script>alert(1)</script> <a href="javascript:alert(1)">x</a> <a href="https://ok.example" target="_blank">ok</a></p><style>*{}</style><img src=x onerror=alert(1)>';
    const res = await t.http().post('/api/organizations').set(owner.auth).send({ name: 'Clean', description }).expect(201);
    expect(res.body.data.description).toBe('<p>Hi <a>x</a> <a href="https://ok.example">ok</a></p>');
    const [row] = await t.db.query(`SELECT description FROM organizations WHERE id = $1`, [res.body.data.id]);
    expect(row.description).toBe(res.body.data.description);
  });

  it('needs a verified address to create one (403), and stops at ORGANIZATIONS_PER_USER (422 on name)', async () => {
    const unverified = await loggedInUser(t);
    await t.http().post('/api/organizations').set(unverified.auth).send({ name: 'Nope' }).expect(403, { message: 'Verify your email address first.' });
    const limited = await bootTestApp({ ORGANIZATIONS_PER_USER: '2' });
    try {
      const owner = await verifiedUser(limited);
      await limited.http().post('/api/organizations').set(owner.auth).send({ name: 'One' }).expect(201);
      await limited.http().post('/api/organizations').set(owner.auth).send({ name: 'Two' }).expect(201);
      const res = await limited.http().post('/api/organizations').set(owner.auth).send({ name: 'Three' }).expect(422);
      expect(Object.keys(res.body.errors)).toEqual(['name']);
      const [{ count }] = await limited.db.query(`SELECT count(*)::int AS count FROM organizations WHERE created_by_user_id = $1`, [owner.id]);
      expect(count).toBe(2);
    } finally {
      await limited.close();
    }
  });
});
