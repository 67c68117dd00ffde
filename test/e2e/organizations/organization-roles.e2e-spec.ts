import type { Response } from 'supertest';
import { bootTestApp, type TestApp } from '../../support/app.js';
import { loggedInAdmin } from '../../support/admin-helpers.js';
import { bearer, login, registerUser, verifiedUser, type LoggedInUser, type TestUser } from '../../support/factories.js';
import { pngWithAlpha } from '../../support/images.js';
import { addMember, roleOf, uuidOf } from '../../support/organization-helpers.js';

type Caller = 'owner' | 'admin' | 'member' | 'outsider';
/** Who calls, in this order: a destructive route (delete, transfer) reaches the owner last. */
const CALLERS: Caller[] = ['outsider', 'member', 'admin', 'owner'];

interface Context {
  t: TestApp;
  id: string;
  owner: LoggedInUser;
  /** A plain member the route acts on, added fresh for each caller. */
  target: { id: number; uuid: string };
}

interface RouteCase {
  route: string;
  call: (ctx: Context, as: { Authorization: string }) => PromiseLike<Response>;
  expected: Record<Caller, number>;
}

const FORBIDDEN = 'You do not have permission to do this in this organization.';

/**
 * The role matrix: each route of an organization and what each role gets. Generated into one test per route and
 * role below; the statuses are the route table of docs/api/organizations.md read per role (non-members learn nothing: 404).
 */
const MATRIX: RouteCase[] = [
  { route: 'GET /organizations/{id}', call: ({ t, id }, as) => t.http().get(`/api/organizations/${id}`).set(as), expected: { owner: 200, admin: 200, member: 200, outsider: 404 } },
  {
    route: 'PATCH /organizations/{id}',
    call: ({ t, id }, as) => t.http().patch(`/api/organizations/${id}`).set(as).send({ name: 'Renamed' }),
    expected: { owner: 200, admin: 200, member: 403, outsider: 404 },
  },
  {
    route: 'POST /organizations/{id}/logo',
    call: async ({ t, id }, as) => t.http().post(`/api/organizations/${id}/logo`).set(as).attach('logo', await pngWithAlpha(64, 64), 'logo.png'),
    expected: { owner: 200, admin: 200, member: 403, outsider: 404 },
  },
  { route: 'DELETE /organizations/{id}/logo', call: ({ t, id }, as) => t.http().delete(`/api/organizations/${id}/logo`).set(as), expected: { owner: 200, admin: 200, member: 403, outsider: 404 } },
  { route: 'GET /organizations/{id}/members', call: ({ t, id }, as) => t.http().get(`/api/organizations/${id}/members`).set(as), expected: { owner: 200, admin: 200, member: 200, outsider: 404 } },
  {
    route: 'PATCH /organizations/{id}/members/{user_uuid}',
    call: ({ t, id, target }, as) => t.http().patch(`/api/organizations/${id}/members/${target.uuid}`).set(as).send({ role: 'admin' }),
    expected: { owner: 200, admin: 200, member: 403, outsider: 404 },
  },
  {
    route: 'DELETE /organizations/{id}/members/{user_uuid}',
    call: ({ t, id, target }, as) => t.http().delete(`/api/organizations/${id}/members/${target.uuid}`).set(as),
    expected: { owner: 200, admin: 200, member: 403, outsider: 404 },
  },
  {
    route: 'POST /organizations/{id}/invitations',
    call: ({ t, id }, as) => t.http().post(`/api/organizations/${id}/invitations`).set(as).send({ email: `inv_${Math.random().toString(36).slice(2)}@example.com`, role: 'member' }),
    expected: { owner: 201, admin: 201, member: 403, outsider: 404 },
  },
  { route: 'GET /organizations/{id}/invitations', call: ({ t, id }, as) => t.http().get(`/api/organizations/${id}/invitations`).set(as), expected: { owner: 200, admin: 200, member: 403, outsider: 404 } },
  {
    route: 'DELETE /organizations/{id}/invitations/{invitation_id}',
    call: async ({ t, id, owner }, as) => {
      const invited = await t.http().post(`/api/organizations/${id}/invitations`).set(owner.auth).send({ email: `rv_${Math.random().toString(36).slice(2)}@example.com`, role: 'member' });
      return t.http().delete(`/api/organizations/${id}/invitations/${invited.body.data.id}`).set(as);
    },
    expected: { owner: 200, admin: 200, member: 403, outsider: 404 },
  },
  {
    route: 'POST /organizations/{id}/transfer-ownership',
    call: ({ t, id, target }, as) => t.http().post(`/api/organizations/${id}/transfer-ownership`).set(as).send({ user_uuid: target.uuid }),
    expected: { owner: 200, admin: 403, member: 403, outsider: 404 },
  },
  { route: 'DELETE /organizations/{id}', call: ({ t, id }, as) => t.http().delete(`/api/organizations/${id}`).set(as), expected: { owner: 200, admin: 403, member: 403, outsider: 404 } },
  {
    route: 'PUT /me/organization',
    call: ({ t, id }, as) => t.http().put('/api/me/organization').set(as).send({ organization_id: id }),
    expected: { owner: 200, admin: 200, member: 200, outsider: 404 },
  },
];

describe('organization roles', () => {
  let t: TestApp;
  let owner: LoggedInUser;
  let users: Record<Exclude<Caller, 'owner'>, LoggedInUser>;
  let spares: TestUser[];

  beforeAll(async () => {
    t = await bootTestApp({ ORGANIZATIONS_PER_USER: '1000' });
    const [first, admin, member, outsider] = await Promise.all([verifiedUser(t), verifiedUser(t), verifiedUser(t), verifiedUser(t)]);
    owner = first;
    users = { admin, member, outsider };
    spares = await Promise.all(CALLERS.map(() => registerUser(t)));
  });

  afterAll(async () => {
    await t.close();
  });

  describe.each(MATRIX)('$route', ({ call, expected }) => {
    it(`answers ${CALLERS.map((caller) => `${caller} ${expected[caller]}`).join(', ')}`, async () => {
      const created = await t.http().post('/api/organizations').set(owner.auth).send({ name: 'Matrix' }).expect(201);
      const id = created.body.data.id as string;
      await addMember(t, id, users.admin.id, 'admin');
      await addMember(t, id, users.member.id, 'member');
      const answers: Record<string, number> = {};
      for (const [index, caller] of CALLERS.entries()) {
        const spare = spares[index];
        await addMember(t, id, spare.id, 'member');
        const as = caller === 'owner' ? owner.auth : users[caller].auth;
        const res = await call({ t, id, owner, target: { id: spare.id, uuid: await uuidOf(t, spare.id) } }, as);
        answers[caller] = res.status;
        if (res.status === 403) expect(res.body).toEqual({ message: FORBIDDEN });
        if (res.status === 404) expect(res.body).toEqual({ message: 'Not Found.' });
      }
      expect(answers).toEqual(expected);
    });
  });

  it('reads the role from the database on every request: a demotion counts on the next request', async () => {
    const { id } = (await t.http().post('/api/organizations').set(owner.auth).send({ name: 'Demote' }).expect(201)).body.data;
    await addMember(t, id, users.admin.id, 'admin');
    await t.http().patch(`/api/organizations/${id}`).set(users.admin.auth).send({ name: 'By admin' }).expect(200);
    await t.http().patch(`/api/organizations/${id}/members/${await uuidOf(t, users.admin.id)}`).set(owner.auth).send({ role: 'member' }).expect(200);
    await t.http().patch(`/api/organizations/${id}`).set(users.admin.auth).send({ name: 'Again' }).expect(403, { message: FORBIDDEN });
    await t.http().delete(`/api/organizations/${id}/members/${await uuidOf(t, users.admin.id)}`).set(owner.auth).expect(200);
    await t.http().get(`/api/organizations/${id}`).set(users.admin.auth).expect(404);
  });

  it('keeps one owner: the last owner can be neither demoted nor removed, nor leave; an admin cannot touch owners or make one', async () => {
    const { id } = (await t.http().post('/api/organizations').set(owner.auth).send({ name: 'Owners' }).expect(201)).body.data;
    await addMember(t, id, users.admin.id, 'admin');
    const ownerUuid = await uuidOf(t, owner.id);
    const needsOwner = { message: 'An organization needs an owner; transfer ownership first.' };
    await t.http().patch(`/api/organizations/${id}/members/${ownerUuid}`).set(owner.auth).send({ role: 'admin' }).expect(422, needsOwner);
    await t.http().delete(`/api/organizations/${id}/members/${ownerUuid}`).set(owner.auth).expect(422, needsOwner);
    await t.http().patch(`/api/organizations/${id}/members/${ownerUuid}`).set(users.admin.auth).send({ role: 'member' }).expect(403);
    await t.http().delete(`/api/organizations/${id}/members/${ownerUuid}`).set(users.admin.auth).expect(403);
    await t.http().patch(`/api/organizations/${id}/members/${await uuidOf(t, users.admin.id)}`).set(users.admin.auth).send({ role: 'owner' }).expect(403);
    expect(await roleOf(t, id, owner.id)).toBe('owner');
    expect(await roleOf(t, id, users.admin.id)).toBe('admin');
    // Any member leaves by removing themself.
    await t.http().delete(`/api/organizations/${id}/members/${await uuidOf(t, users.admin.id)}`).set(users.admin.auth).expect(200, { success: true });
    expect(await roleOf(t, id, users.admin.id)).toBeNull();
  });

  it('two owners demoting each other at once still leave an owner', async () => {
    const first = await verifiedUser(t);
    const second = await verifiedUser(t);
    for (let round = 0; round < 5; round++) {
      const { id } = (await t.http().post('/api/organizations').set(first.auth).send({ name: `Race ${round}` }).expect(201)).body.data;
      await addMember(t, id, second.id, 'owner');
      const [a, b] = await Promise.all([
        t.http().patch(`/api/organizations/${id}/members/${await uuidOf(t, second.id)}`).set(first.auth).send({ role: 'member' }),
        t.http().patch(`/api/organizations/${id}/members/${await uuidOf(t, first.id)}`).set(second.auth).send({ role: 'member' }),
      ]);
      expect([a.status, b.status].sort()).toEqual([200, 422]);
      const [{ owners }] = await t.db.query(`SELECT count(*)::int AS owners FROM organization_memberships WHERE organization_id = $1 AND role = 'owner'`, [id]);
      expect(owners).toBe(1);
    }
  });

  it('transfers ownership with proof only: a stale session needs current_password, a wrong one is 422, an API key is refused', async () => {
    const holder = await verifiedUser(t);
    const heir = await verifiedUser(t);
    const { id } = (await t.http().post('/api/organizations').set(holder.auth).send({ name: 'Heritage' }).expect(201)).body.data;
    await addMember(t, id, heir.id, 'member');
    const heirUuid = await uuidOf(t, heir.id);
    await t.db.query(`UPDATE sessions SET logged_in_at = now() - interval '20 minutes' WHERE user_id = $1`, [holder.id]);
    await t
      .http()
      .post(`/api/organizations/${id}/transfer-ownership`)
      .set(holder.auth)
      .send({ user_uuid: heirUuid })
      .expect(403, { message: 'This action requires a recent login. Send your current_password to confirm it.' });
    const wrong = await t.http().post(`/api/organizations/${id}/transfer-ownership`).set(holder.auth).send({ user_uuid: heirUuid, current_password: 'not-it-at-all' }).expect(422);
    expect(Object.keys(wrong.body.errors)).toEqual(['current_password']);
    const key = await t.http().post('/api/client/account/api-keys').set(bearer((await login(t, holder)).token)).send({ description: 'org key' }).expect(200);
    const apiKey = bearer(key.body.meta.secret_token);
    await t.http().post(`/api/organizations/${id}/transfer-ownership`).set(apiKey).send({ user_uuid: heirUuid, current_password: holder.password }).expect(403, { message: 'API keys cannot change credentials.' });
    await t.http().delete(`/api/organizations/${id}`).set(apiKey).send({ current_password: holder.password }).expect(403, { message: 'API keys cannot change credentials.' });
    expect(await roleOf(t, id, holder.id)).toBe('owner');
    // The key's default scopes open the other member routes.
    await t.http().get(`/api/organizations/${id}/members`).set(apiKey).expect(200);
    await t.http().patch(`/api/organizations/${id}`).set(apiKey).send({ activity: 'school' }).expect(200);
    const moved = await t.http().post(`/api/organizations/${id}/transfer-ownership`).set(holder.auth).send({ user_uuid: heirUuid, current_password: holder.password }).expect(200);
    expect(moved.body.data).toMatchObject({ role: 'owner', user: { uuid: heirUuid } });
    expect(await roleOf(t, id, holder.id)).toBe('admin');
  });

  it('refuses API keys without the organizations scopes', async () => {
    const holder = await verifiedUser(t);
    const { id } = (await t.http().post('/api/organizations').set(holder.auth).send({ name: 'Scoped' }).expect(201)).body.data;
    const key = await t.http().post('/api/client/account/api-keys').set(holder.auth).send({ description: 'read only', scopes: ['organizations.read'] }).expect(200);
    const apiKey = bearer(key.body.meta.secret_token);
    await t.http().get(`/api/organizations/${id}`).set(apiKey).expect(200);
    await t.http().patch(`/api/organizations/${id}`).set(apiKey).send({ name: 'x' }).expect(403, { message: 'This API key lacks the scope organizations.write.' });
  });

  it('a disabled organization can be read and left by its members and changed by platform admins only', async () => {
    const admin = await loggedInAdmin(t);
    const { id } = (await t.http().post('/api/organizations').set(owner.auth).send({ name: 'Frozen' }).expect(201)).body.data;
    await addMember(t, id, users.member.id, 'member');
    await t.http().patch(`/api/admin/organizations/${id}`).set(admin.auth).send({ status: 'disabled' }).expect(200);
    const disabled = { message: 'This organization is disabled.' };
    await t.http().get(`/api/organizations/${id}`).set(owner.auth).expect(200);
    await t.http().get(`/api/organizations/${id}/members`).set(users.member.auth).expect(200);
    await t.http().get(`/api/organizations/${id}/invitations`).set(owner.auth).expect(200);
    await t.http().patch(`/api/organizations/${id}`).set(owner.auth).send({ name: 'Thawed' }).expect(403, disabled);
    await t.http().post(`/api/organizations/${id}/invitations`).set(owner.auth).send({ email: 'x@example.com', role: 'member' }).expect(403, disabled);
    await t.http().post(`/api/organizations/${id}/transfer-ownership`).set(owner.auth).send({ user_uuid: await uuidOf(t, users.member.id) }).expect(403, disabled);
    await t.http().delete(`/api/organizations/${id}/members/${await uuidOf(t, users.member.id)}`).set(users.member.auth).expect(200);
    await t.http().patch(`/api/admin/organizations/${id}`).set(admin.auth).send({ name: 'Admin renamed' }).expect(200);
  });
});
