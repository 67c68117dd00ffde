import { randomBytes } from 'node:crypto';
import { Ajv } from 'ajv';
import addFormatsPlugin from 'ajv-formats';
import { EVENT_CATALOGUE, EVENT_DATA_SCHEMAS, type EventType } from '../../../src/core/events/event-catalogue.js';
import { OutboxService } from '../../../src/platform/outbox/outbox.service.js';
import { loggedInAdmin } from '../../support/admin-helpers.js';
import { bootMailingTestApp, type MailingTestApp } from '../../support/app.js';
import { loggedInUser, uniqueName, verifiedUser, type LoggedInUser } from '../../support/factories.js';
import { pngWithAlpha } from '../../support/images.js';
import { lastMailedToken } from '../../support/mail-helpers.js';
import { createOrganization } from '../../support/organization-helpers.js';
import { startWebhookReceiver, type ReceivedDelivery, type WebhookReceiver } from '../../support/webhook-receiver.js';

const FRONTEND_URL = 'https://app.example.test';
/** What a fetch from the SPA carries (the cross-site check lets it through). */
const FROM_SITE = { Origin: FRONTEND_URL, 'X-Requested-With': 'fetch', 'Sec-Fetch-Site': 'same-site' };

const ajv = new Ajv({ strict: false, allErrors: true });
addFormatsPlugin.default(ajv);
/** Each type's `data` schema as the catalogue (and the OpenAPI document) publishes it. */
const dataValidators = new Map(
  (Object.keys(EVENT_CATALOGUE) as EventType[]).map((type) => [type, ajv.compile(EVENT_DATA_SCHEMAS[EVENT_CATALOGUE[type].data])]),
);

describe('webhooks: organization and browser-session events', () => {
  let t: MailingTestApp;
  let receiver: WebhookReceiver;
  let admin: LoggedInUser;
  let secret: string;

  const flush = () => t.app.get(OutboxService).deliverDue();
  const uuidOf = async (userId: number): Promise<string> =>
    ((await t.db.query(`SELECT uuid FROM users WHERE id = $1`, [userId])) as Array<{ uuid: string }>)[0].uuid;
  /** The organization's deliveries, in the order they arrived, each checked: signed with the endpoint's secret, data as its schema says. */
  const eventsOf = (organizationId: string): ReceivedDelivery['event'][] => {
    const deliveries = receiver.deliveries.filter((d) => d.event.type.startsWith('organization.') && d.event.data.organization_id === organizationId);
    for (const delivery of deliveries) {
      expect(delivery.verifiedWith).toEqual([secret]);
      const validate = dataValidators.get(delivery.event.type as EventType)!;
      expect({ type: delivery.event.type, valid: validate(delivery.event.data), errors: validate.errors ?? null }).toEqual({
        type: delivery.event.type,
        valid: true,
        errors: null,
      });
    }
    return deliveries.map((delivery) => delivery.event);
  };
  const invite = async (owner: LoggedInUser, organizationId: string, email: string, organizationName = 'Acme') => {
    const res = await t.http().post(`/api/organizations/${organizationId}/invitations`).set(owner.auth).send({ email, role: 'member' }).expect(201);
    const token = await lastMailedToken(t, FRONTEND_URL, email, `Invitation to join ${organizationName}`, 'accept-invitation');
    return { id: res.body.data.id as string, token };
  };

  beforeAll(async () => {
    t = await bootMailingTestApp({ WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true', FRONTEND_URL, ORGANIZATIONS_PER_USER: '1000' });
    receiver = await startWebhookReceiver();
    admin = await loggedInAdmin(t);
  }, 120_000);
  beforeEach(async () => {
    const res = await t.http().post('/api/admin/webhooks').set(admin.auth).send({ url: `${receiver.url}/all` }).expect(201);
    secret = res.body.meta.secret as string;
    receiver.secrets.add(secret);
  });
  afterEach(async () => {
    // Endpoints are shared by every app on this worker's database: none may outlive the test that made it.
    await t.db.query(`DELETE FROM outbox WHERE channel = 'webhook'`);
    await t.db.query(`DELETE FROM webhook_endpoints`);
    receiver.deliveries.length = 0;
  });
  afterAll(async () => {
    await t?.db.query(`DELETE FROM webhook_endpoints`);
    await receiver?.close();
    await t?.close();
  });

  it('emits each organization change, signed, with the data its schema describes', async () => {
    const { id, owner } = await createOrganization(t);
    const ownerRef = { user_id: owner.id, user_uuid: await uuidOf(owner.id) };
    const org = { organization_id: id };

    await t.http().patch(`/api/organizations/${id}`).set(owner.auth).send({ name: 'Acme Two', settings: { public_profile: 1 } }).expect(200);
    // Sending what is already stored changes nothing, and emits nothing.
    await t.http().patch(`/api/organizations/${id}`).set(owner.auth).send({ name: 'Acme Two' }).expect(200);

    const invitee = await verifiedUser(t);
    const inviteeRef = { user_id: invitee.id, user_uuid: await uuidOf(invitee.id) };
    const invitation = await invite(owner, id, invitee.email, 'Acme Two');
    await t.http().post('/api/organization-invitations/accept').set(invitee.auth).send({ token: invitation.token }).expect(200);

    // A new account through the link.
    const newcomerEmail = `${uniqueName()}@example.com`;
    const second = await invite(owner, id, newcomerEmail, 'Acme Two');
    const password = `pw-${randomBytes(8).toString('hex')}`;
    const username = uniqueName();
    await t
      .http()
      .post('/api/register')
      .send({ username, email: newcomerEmail, password, password_confirmation: password, invitation_token: second.token })
      .expect(201);
    const [newcomer] = (await t.db.query(`SELECT id, uuid FROM users WHERE username = $1`, [username])) as Array<{ id: number; uuid: string }>;
    const newcomerRef = { user_id: newcomer.id, user_uuid: newcomer.uuid };

    await t.http().patch(`/api/organizations/${id}/members/${inviteeRef.user_uuid}`).set(owner.auth).send({ role: 'admin' }).expect(200);
    await t
      .http()
      .post(`/api/organizations/${id}/transfer-ownership`)
      .set(owner.auth)
      .send({ user_uuid: inviteeRef.user_uuid, current_password: owner.password })
      .expect(200);
    await t.http().delete(`/api/organizations/${id}/members/${newcomerRef.user_uuid}`).set(invitee.auth).expect(200);
    // The former owner (an admin now) leaves.
    await t.http().delete(`/api/organizations/${id}/members/${ownerRef.user_uuid}`).set(owner.auth).expect(200);
    await t.http().delete(`/api/organizations/${id}`).set(invitee.auth).send({ current_password: invitee.password }).expect(200);
    await flush();
    await receiver.waitFor((d) => d.event.type === 'organization.deleted' && d.event.data.organization_id === id);

    const expected = [
      { type: 'organization.created', data: { ...org, ...ownerRef } },
      { type: 'organization.member_added', data: { ...org, ...ownerRef, role: 'owner' } },
      {
        type: 'organization.updated',
        data: {
          ...org,
          ...ownerRef,
          changes: { name: 'Acme Two', settings: { public_profile: 1, public_badge_types: 0, public_learning_paths: 0, public_badge_templates: 0 } },
        },
      },
      { type: 'organization.invitation_created', data: { ...org, ...ownerRef, invitation_id: invitation.id } },
      { type: 'organization.invitation_accepted', data: { ...org, ...inviteeRef, invitation_id: invitation.id } },
      { type: 'organization.member_added', data: { ...org, ...inviteeRef, role: 'member' } },
      { type: 'organization.invitation_created', data: { ...org, ...ownerRef, invitation_id: second.id } },
      { type: 'organization.invitation_accepted', data: { ...org, ...newcomerRef, invitation_id: second.id } },
      { type: 'organization.member_added', data: { ...org, ...newcomerRef, role: 'member' } },
      { type: 'organization.member_role_changed', data: { ...org, ...inviteeRef, role: 'admin' } },
      { type: 'organization.member_role_changed', data: { ...org, ...inviteeRef, role: 'owner' } },
      { type: 'organization.member_role_changed', data: { ...org, ...ownerRef, role: 'admin' } },
      { type: 'organization.member_removed', data: { ...org, ...newcomerRef, role: 'member' } },
      { type: 'organization.member_removed', data: { ...org, ...ownerRef, role: 'admin' } },
      { type: 'organization.deleted', data: { ...org, ...inviteeRef } },
    ];
    const received = eventsOf(id).map(({ type, data }) => ({ type, data }));
    // Events about one user arrive in the order of their changes; those about different users may interleave.
    const byKey = (event: { type: string; data: object }) => JSON.stringify([event.type, Object.entries(event.data).sort()]);
    expect(received.map(byKey).sort()).toEqual(expected.map(byKey).sort());
    for (const userId of [owner.id, invitee.id, newcomer.id]) {
      expect(received.filter((event) => event.data.user_id === userId)).toEqual(expected.filter((event) => event.data.user_id === userId));
    }
    const bodies = JSON.stringify(receiver.deliveries.map((d) => d.event));
    for (const secretValue of [invitation.token, second.token, owner.password, invitee.password, password]) expect(bodies).not.toContain(secretValue);
  });

  it('reports a logo change as organization.updated with the new logo paths', async () => {
    const { id, owner } = await createOrganization(t);
    const uploaded = await t.http().post(`/api/organizations/${id}/logo`).set(owner.auth).attach('logo', await pngWithAlpha(64, 64), 'logo.png').expect(200);
    await t.http().delete(`/api/organizations/${id}/logo`).set(owner.auth).expect(200);
    await flush();
    await receiver.waitFor((d) => d.event.type === 'organization.updated' && (d.event.data.changes as Record<string, unknown>).logo_path === null);
    const updates = eventsOf(id).filter((event) => event.type === 'organization.updated');
    expect(updates.map((event) => event.data.changes)).toEqual([
      {
        logo_path: uploaded.body.data.logo_path,
        logo_high_path: uploaded.body.data.logo_high_path,
        logo_thumbnail_path: uploaded.body.data.logo_thumbnail_path,
      },
      { logo_path: null, logo_high_path: null, logo_thumbnail_path: null },
    ]);
  });

  it('emits organization.deleted when a platform admin deletes one, and when it goes with its only member’s account', async () => {
    const adminRef = { user_id: admin.id, user_uuid: await uuidOf(admin.id) };
    const byAdmin = await createOrganization(t);
    await t.http().delete(`/api/admin/organizations/${byAdmin.id}`).set(admin.auth).send({ current_password: admin.password }).expect(200);

    // The account owns one organization alone and is a member of another: the first goes with it, it leaves the second.
    const leaver = await verifiedUser(t);
    const leaverRef = { user_id: leaver.id, user_uuid: await uuidOf(leaver.id) };
    const alone = await createOrganization(t, leaver);
    const other = await createOrganization(t);
    const invitation = await invite(other.owner, other.id, leaver.email);
    await t.http().post('/api/organization-invitations/accept').set(leaver.auth).send({ token: invitation.token }).expect(200);
    await t.http().delete(`/api/users/${leaver.id}`).set(admin.auth).expect(200);
    await flush();
    const arrived = (type: string, organizationId: string) =>
      receiver.waitFor((d) => d.event.type === type && d.event.data.organization_id === organizationId);
    await Promise.all([
      arrived('organization.deleted', byAdmin.id),
      arrived('organization.deleted', alone.id),
      arrived('organization.member_removed', other.id),
    ]);

    const typed = (organizationId: string) => eventsOf(organizationId).map(({ type, data }) => ({ type, data }));
    expect(typed(byAdmin.id)).toContainEqual({ type: 'organization.deleted', data: { organization_id: byAdmin.id, ...adminRef } });
    expect(typed(alone.id)).toContainEqual({ type: 'organization.deleted', data: { organization_id: alone.id, ...leaverRef } });
    expect(typed(other.id)).toContainEqual({ type: 'organization.member_removed', data: { organization_id: other.id, ...leaverRef, role: 'member' } });
  });

  it('emits session.created and session.revoked for a browser (cookie) session as for a bearer one', async () => {
    const user = await loggedInUser(t);
    receiver.deliveries.length = 0;
    const login = await t.http().post('/api/login').set(FROM_SITE).send({ username: user.username, password: user.password, session: 'cookie' }).expect(200);
    const cookie = ([] as string[]).concat(login.headers['set-cookie'] ?? []).find((line) => line.startsWith('__Host-tessera_session='))!;
    const value = cookie.split(';')[0];
    const sessionId = value.slice(value.indexOf('=') + 1).split('.')[0];
    await t.http().post('/api/logout').set('Cookie', value).set(FROM_SITE).expect(200);
    await flush();
    await receiver.waitFor((d) => d.event.type === 'session.revoked' && d.event.data.session_id === sessionId);
    const userRef = { user_id: user.id, user_uuid: await uuidOf(user.id) };
    const mine = receiver.deliveries.filter((d) => d.event.data.session_id === sessionId);
    for (const delivery of mine) expect(delivery.verifiedWith).toEqual([secret]);
    expect(mine.map(({ event }) => ({ type: event.type, data: event.data }))).toEqual([
      { type: 'session.created', data: { ...userRef, session_id: sessionId } },
      { type: 'session.revoked', data: { ...userRef, session_id: sessionId } },
    ]);
  });
});
