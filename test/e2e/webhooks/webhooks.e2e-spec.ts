import { Webhook } from 'standardwebhooks';
import { EventsService } from '../../../src/core/events/events.service.js';
import { WebhookDeliverer } from '../../../src/capabilities/webhooks/webhook-deliverer.js';
import { OutboxService } from '../../../src/platform/outbox/outbox.service.js';
import { bootMailingTestApp, bootTestApp, type MailingTestApp, type TestApp } from '../../support/app.js';
import { FORBIDDEN, loggedInAdmin, UNAUTHENTICATED } from '../../support/admin-helpers.js';
import { loggedInUser, markEmailVerified, registerUser, type LoggedInUser } from '../../support/factories.js';
import { startWebhookReceiver, type ReceivedDelivery, type WebhookReceiver } from '../../support/webhook-receiver.js';

interface DeliveryRow {
  id: string;
  kind: string;
  status: string;
  attempts: number;
  last_error: string | null;
  response_status: number | null;
  next_attempt_at: Date;
  message_id: string;
}

const SECONDS = 1000;

describe('webhooks (issue 33)', () => {
  let t: MailingTestApp;
  let receiver: WebhookReceiver;
  let admin: LoggedInUser;

  const flush = (app: TestApp = t) => app.app.get(OutboxService).deliverDue();
  const create = async (body: Record<string, unknown>, app: TestApp = t): Promise<{ id: string; secret: string }> => {
    const res = await app.http().post('/api/admin/webhooks').set(admin.auth).send(body).expect(201);
    receiver.secrets.add(res.body.meta.secret as string);
    return { id: res.body.data.id as string, secret: res.body.meta.secret as string };
  };
  const rows = (endpointId: string): Promise<DeliveryRow[]> =>
    t.db.query(
      `SELECT id, kind, status, attempts, last_error, response_status, next_attempt_at, COALESCE(message_id, id::text) AS message_id
         FROM outbox WHERE channel = 'webhook' AND destination = $1 ORDER BY seq`,
      [endpointId],
    );
  /** Makes every waiting retry of the endpoint due now: the clock moves, nobody waits. */
  const makeDue = (endpointId: string) =>
    t.db.query(`UPDATE outbox SET next_attempt_at = now() WHERE channel = 'webhook' AND destination = $1 AND status = 'pending'`, [endpointId]);
  const of = (path: string, type?: string): ReceivedDelivery[] =>
    receiver.deliveries.filter((delivery) => delivery.path === path && (type === undefined || delivery.event.type === type));

  beforeAll(async () => {
    t = await bootMailingTestApp({ WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true', WEBHOOK_TIMEOUT_MS: '2000' });
    receiver = await startWebhookReceiver();
    admin = await loggedInAdmin(t);
  }, 120_000);
  afterEach(async () => {
    // Endpoints are shared by every app on this worker's database: none may outlive the test that made it.
    await t.db.query(`DELETE FROM outbox WHERE channel = 'webhook'`);
    await t.db.query(`DELETE FROM webhook_endpoints`);
    receiver.deliveries.length = 0;
    receiver.answerWith(() => ({ status: 200 }));
  });
  afterAll(async () => {
    await t?.db.query(`DELETE FROM webhook_endpoints`);
    await receiver?.close();
    await t?.close();
  });

  describe('endpoints', () => {
    it('creates an endpoint with a whsec_ secret shown once, kept encrypted, never listed', async () => {
      const res = await t
        .http()
        .post('/api/admin/webhooks')
        .set(admin.auth)
        .send({ url: `${receiver.url}/crm`, events: ['user.created', 'user.created', 'user.deleted'], description: 'CRM sync' })
        .expect(201);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.body.meta.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
      expect(res.body.data).toMatchObject({
        url: `${receiver.url}/crm`,
        events: ['user.created', 'user.deleted'],
        description: 'CRM sync',
        enabled: true,
        disabled_reason: null,
      });
      const id = res.body.data.id as string;
      const [stored] = (await t.db.query(`SELECT secret FROM webhook_endpoints WHERE id = $1`, [id])) as Array<{ secret: string }>;
      expect(stored.secret).not.toContain(res.body.meta.secret.slice('whsec_'.length, 20));
      expect(stored.secret).toMatch(/^v1:/);

      const listed = await t.http().get('/api/admin/webhooks').set(admin.auth).expect(200);
      expect(listed.body.data).toEqual([res.body.data]);
      expect(JSON.stringify(listed.body)).not.toContain('whsec_');
      const read = await t.http().get(`/api/admin/webhooks/${id}`).set(admin.auth).expect(200);
      expect(read.body).toEqual({ data: res.body.data });

      const patched = await t.http().patch(`/api/admin/webhooks/${id}`).set(admin.auth).send({ events: [], enabled: false }).expect(200);
      expect(patched.body.data).toMatchObject({ events: [], enabled: false, disabled_reason: 'admin' });
      const enabled = await t.http().patch(`/api/admin/webhooks/${id}`).set(admin.auth).send({ enabled: true }).expect(200);
      expect(enabled.body.data).toMatchObject({ enabled: true, disabled_reason: null });

      await t.http().delete(`/api/admin/webhooks/${id}`).set(admin.auth).expect(204);
      await t.http().get(`/api/admin/webhooks/${id}`).set(admin.auth).expect(404);
      await t.http().get('/api/admin/webhooks/not-a-uuid').set(admin.auth).expect(404);
    });

    it('is for admins only: 401 without a credential, 403 for a user and for an API key without the admin scope', async () => {
      const user = await loggedInUser(t);
      await markEmailVerified(t, user.id);
      await t.http().get('/api/admin/webhooks').expect(401, UNAUTHENTICATED);
      await t.http().post('/api/admin/webhooks').set(user.auth).send({ url: `${receiver.url}/x` }).expect(403, FORBIDDEN);
      const key = await t.http().post('/api/client/account/api-keys').set(user.auth).send({ description: 'probe' }).expect(200);
      await t.http().get('/api/admin/webhooks').set({ Authorization: `Bearer ${key.body.meta.secret_token}` }).expect(403);
      expect(await t.db.query(`SELECT id FROM webhook_endpoints`)).toEqual([]);
    });

    it('refuses unknown event types and bad URLs with a 422 that stores nothing', async () => {
      await t.http().post('/api/admin/webhooks').set(admin.auth).send({ url: `${receiver.url}/x`, events: ['user.exploded'] }).expect(422);
      await t.http().post('/api/admin/webhooks').set(admin.auth).send({ url: `${receiver.url}/x`, events: ['webhook.test'] }).expect(422);
      const res = await t.http().post('/api/admin/webhooks').set(admin.auth).send({ url: 'ftp://example.com/hook' }).expect(422);
      expect(res.body.errors).toHaveProperty('url');
      await t.http().post('/api/admin/webhooks').set(admin.auth).send({ url: 'https://user:pw@example.com/hook' }).expect(422);
      expect(await t.db.query(`SELECT id FROM webhook_endpoints`)).toEqual([]);
    });
  });

  describe('deliveries', () => {
    it('signs every delivery so that standardwebhooks verifies it, with {type, timestamp, data} and no secret', async () => {
      const { secret } = await create({ url: `${receiver.url}/all` });
      const user = await loggedInUser(t);
      await flush();
      const created = await receiver.waitFor((d) => d.event.type === 'user.created' && d.event.data.user_id === user.id);
      const session = await receiver.waitFor((d) => d.event.type === 'session.created' && d.event.data.user_id === user.id);
      for (const delivery of [created, session]) {
        expect(delivery.verifiedWith).toEqual([secret]);
        expect(Object.keys(delivery.event).sort()).toEqual(['data', 'timestamp', 'type']);
        expect(delivery.event.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
        expect(delivery.headers['webhook-id']).toMatch(/^msg_[0-9a-f]{32}$/);
        expect(Math.abs(Number(delivery.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(300);
        expect(delivery.headers['content-type']).toBe('application/json');
        expect(delivery.body).not.toContain(user.password);
        expect(delivery.body).not.toMatch(/token|secret|hash/i);
      }
      const [{ uuid }] = (await t.db.query(`SELECT uuid FROM users WHERE id = $1`, [user.id])) as Array<{ uuid: string }>;
      expect(created.event.data).toEqual({ user_id: user.id, user_uuid: uuid });
      expect(session.event.data).toEqual({ user_id: user.id, user_uuid: uuid, session_id: expect.any(String) });
      // A signature made with another secret does not verify: the check above can fail.
      expect(() =>
        new Webhook(`whsec_${Buffer.alloc(32, 7).toString('base64')}`).verify(created.body, {
          'webhook-id': String(created.headers['webhook-id']),
          'webhook-timestamp': String(created.headers['webhook-timestamp']),
          'webhook-signature': String(created.headers['webhook-signature']),
        }),
      ).toThrow();
    });

    it('sends each endpoint only the event types it subscribed to', async () => {
      await create({ url: `${receiver.url}/created`, events: ['user.created'] });
      await create({ url: `${receiver.url}/sessions`, events: ['session.created'] });
      const user = await loggedInUser(t);
      await flush();
      await receiver.waitFor((d) => d.path === '/created' && d.event.data.user_id === user.id);
      await receiver.waitFor((d) => d.path === '/sessions' && d.event.data.user_id === user.id);
      expect(new Set(of('/created').map((d) => d.event.type))).toEqual(new Set(['user.created']));
      expect(new Set(of('/sessions').map((d) => d.event.type))).toEqual(new Set(['session.created']));
    });

    it('emits the account events of the catalogue, each on its change', async () => {
      await create({ url: `${receiver.url}/all` });
      const user = await loggedInUser(t);
      await markEmailVerified(t, user.id);
      await t.http().patch('/api/me/details').set(user.auth).send({ first_name: 'Ada' }).expect(200);
      const key = await t.http().post('/api/client/account/api-keys').set(user.auth).send({ description: 'ci' }).expect(200);
      const identifier = key.body.attributes.identifier as string;
      await t.http().delete(`/api/client/account/api-keys/${identifier}`).set(user.auth).expect(204);
      const newPassword = `pw-${Date.now()}-changed`;
      await t
        .http()
        .patch('/api/me/details/auth')
        .set(user.auth)
        .send({ password: newPassword, password_confirmation: newPassword, current_password: user.password })
        .expect(200);
      await t.http().patch(`/api/users/${user.id}`).set(admin.auth).send({ status: 'Banned' }).expect(200);
      await flush();
      await t.http().delete(`/api/users/${user.id}`).set(admin.auth).expect(200);
      await flush();
      await receiver.waitFor((d) => d.event.type === 'user.deleted' && d.event.data.user_id === user.id);
      // The deletion took the settled deliveries about the account with it; only its last event's row is left.
      const left = (await t.db.query(`SELECT kind FROM outbox WHERE channel = 'webhook' AND ordering_key LIKE $1`, [`%:user:${user.id}`])) as Array<{
        kind: string;
      }>;
      expect(left).toEqual([{ kind: 'user.deleted' }]);

      const mine = receiver.deliveries.filter((d) => d.event.data.user_id === user.id).map((d) => d.event);
      const types = mine.map((event) => event.type);
      expect(types).toEqual([
        'user.created',
        'session.created',
        'user.updated',
        'api_key.created',
        'api_key.revoked',
        'user.password_changed',
        'user.banned',
        'session.revoked',
        'user.deleted',
      ]);
      expect(mine.find((e) => e.type === 'user.updated')!.data.changes).toEqual({ first_name: 'Ada' });
      expect(mine.find((e) => e.type === 'user.password_changed')!.data.changes).toEqual({ password: null });
      expect(mine.find((e) => e.type === 'api_key.created')!.data.api_key_identifier).toBe(identifier);
      expect(JSON.stringify(mine)).not.toContain(newPassword);
    });

    it('retries a 500 after about 5 s with the same webhook-id, and succeeds when the receiver is back', async () => {
      const { id } = await create({ url: `${receiver.url}/flaky` });
      receiver.answerWith(() => ({ status: 500 }));
      await t.app.get(EventsService).emit(t.db.manager, 'user.created', { user_id: 1, user_uuid: '00000000-0000-4000-8000-000000000001' });
      await flush();
      const [failed] = await rows(id);
      expect(failed).toMatchObject({ status: 'pending', attempts: 1, response_status: 500, last_error: 'http_500' });
      const wait = failed.next_attempt_at.getTime() - Date.now();
      expect(wait).toBeGreaterThan(3 * SECONDS);
      expect(wait).toBeLessThanOrEqual(6 * SECONDS);

      receiver.answerWith(() => ({ status: 204 }));
      await makeDue(id);
      await flush();
      const [settled] = await rows(id);
      expect(settled).toMatchObject({ status: 'sent', attempts: 2, response_status: 204, last_error: null });
      const attempts = of('/flaky');
      expect(attempts).toHaveLength(2);
      expect(attempts[1].headers['webhook-id']).toBe(attempts[0].headers['webhook-id']);
      expect(attempts[1].headers['webhook-id']).toBe(settled.message_id);
    });

    it("honours a 429's Retry-After", async () => {
      const { id } = await create({ url: `${receiver.url}/busy` });
      receiver.answerWith(() => ({ status: 429, headers: { 'Retry-After': '600' } }));
      await t.app.get(EventsService).enqueue(t.db.manager, id, 'webhook.test', { webhook_id: id });
      await flush();
      const [row] = await rows(id);
      expect(row).toMatchObject({ status: 'pending', attempts: 1, response_status: 429 });
      expect(row.next_attempt_at.getTime() - Date.now()).toBeGreaterThan(590 * SECONDS);
    });

    it('retries an attempt that timed out', async () => {
      const { id } = await create({ url: `${receiver.url}/slow` });
      receiver.answerWith(() => 'hang');
      await t.app.get(EventsService).enqueue(t.db.manager, id, 'webhook.test', { webhook_id: id });
      await flush();
      const [row] = await rows(id);
      expect(row).toMatchObject({ status: 'pending', attempts: 1, response_status: null, last_error: 'timeout' });
      receiver.answerWith(() => ({ status: 200 }));
      await makeDue(id);
      await flush();
      expect((await rows(id))[0]).toMatchObject({ status: 'sent', attempts: 2 });
    });

    it('retries a refused connection', async () => {
      const gone = await startWebhookReceiver();
      const url = `${gone.url}/down`;
      await gone.close();
      const { id } = await create({ url });
      await t.app.get(EventsService).enqueue(t.db.manager, id, 'webhook.test', { webhook_id: id });
      await flush();
      expect((await rows(id))[0]).toMatchObject({ status: 'pending', attempts: 1, last_error: 'ECONNREFUSED' });
    });

    it('does not follow redirects: a 3xx is a failed attempt', async () => {
      const { id } = await create({ url: `${receiver.url}/moved` });
      receiver.answerWith((path) => (path === '/moved' ? { status: 302, headers: { Location: `${receiver.url}/elsewhere` } } : { status: 200 }));
      await t.app.get(EventsService).enqueue(t.db.manager, id, 'webhook.test', { webhook_id: id });
      await flush();
      expect((await rows(id))[0]).toMatchObject({ status: 'pending', attempts: 1, response_status: 302, last_error: 'http_302' });
      expect(of('/elsewhere')).toEqual([]);
    });

    it('410 disables the endpoint, fails the delivery for good and mails the admins', async () => {
      const { id } = await create({ url: `${receiver.url}/gone` });
      receiver.answerWith(() => ({ status: 410 }));
      await t.app.get(EventsService).enqueue(t.db.manager, id, 'webhook.test', { webhook_id: id });
      await flush();
      expect((await rows(id))[0]).toMatchObject({ status: 'failed', attempts: 1, response_status: 410, last_error: 'gone' });
      const endpoint = await t.http().get(`/api/admin/webhooks/${id}`).set(admin.auth).expect(200);
      expect(endpoint.body.data).toMatchObject({ enabled: false, disabled_reason: 'gone' });
      await flush();
      await t.mail.waitFor((m) => m.to === admin.email && m.subject === 'A webhook endpoint was disabled');
      // A disabled endpoint gets no new events.
      await registerUser(t);
      await flush();
      expect(await rows(id)).toHaveLength(1);
    });

    it('disables an endpoint that kept failing for WEBHOOK_DISABLE_AFTER_HOURS and mails the admins', async () => {
      const { id } = await create({ url: `${receiver.url}/broken` });
      receiver.answerWith(() => ({ status: 503 }));
      await t.db.query(`UPDATE webhook_endpoints SET failing_since = now() - interval '119 hours' WHERE id = $1`, [id]);
      await t.app.get(EventsService).enqueue(t.db.manager, id, 'webhook.test', { webhook_id: id });
      await flush();
      // 119 h of failures: still on.
      expect((await t.http().get(`/api/admin/webhooks/${id}`).set(admin.auth).expect(200)).body.data.enabled).toBe(true);
      await t.db.query(`UPDATE webhook_endpoints SET failing_since = now() - interval '121 hours' WHERE id = $1`, [id]);
      await makeDue(id);
      await flush();
      expect((await t.http().get(`/api/admin/webhooks/${id}`).set(admin.auth).expect(200)).body.data).toMatchObject({
        enabled: false,
        disabled_reason: 'failing',
      });
      expect((await rows(id))[0]).toMatchObject({ status: 'failed', attempts: 2 });
      await flush();
      const mail = await t.mail.waitFor((m) => m.to === admin.email && m.subject === 'A webhook endpoint was disabled' && m.text.includes('/broken'));
      expect(mail.text).toContain('120 hours');
    });

    it('a success ends the run of failures', async () => {
      const { id } = await create({ url: `${receiver.url}/recovers` });
      await t.db.query(`UPDATE webhook_endpoints SET failing_since = now() - interval '100 hours' WHERE id = $1`, [id]);
      await t.app.get(EventsService).enqueue(t.db.manager, id, 'webhook.test', { webhook_id: id });
      await flush();
      expect(await t.db.query(`SELECT failing_since FROM webhook_endpoints WHERE id = $1`, [id])).toEqual([{ failing_since: null }]);
    });

    it('sends nothing for a change that rolled back', async () => {
      const { id } = await create({ url: `${receiver.url}/rollback` });
      await expect(
        t.db.transaction(async (manager) => {
          await t.app.get(EventsService).emit(manager, 'user.created', { user_id: 1, user_uuid: '00000000-0000-4000-8000-000000000001' });
          throw new Error('the change failed');
        }),
      ).rejects.toThrow('the change failed');
      await flush();
      expect(await rows(id)).toEqual([]);
      expect(of('/rollback')).toEqual([]);
    });
  });

  describe('secret rotation', () => {
    it('signs with the new and the previous secret for 24 h, then with the new one only', async () => {
      const { id, secret: old } = await create({ url: `${receiver.url}/rotating` });
      const rotated = await t.http().post(`/api/admin/webhooks/${id}/rotate-secret`).set(admin.auth).expect(200);
      const fresh = rotated.body.meta.secret as string;
      expect(fresh).toMatch(/^whsec_/);
      expect(fresh).not.toBe(old);
      receiver.secrets.add(fresh);

      await t.http().post(`/api/admin/webhooks/${id}/test`).set(admin.auth).expect(202);
      await flush();
      const during = await receiver.waitFor((d) => d.path === '/rotating');
      expect(String(during.headers['webhook-signature']).split(' ')).toHaveLength(2);
      expect(during.verifiedWith.sort()).toEqual([old, fresh].sort());

      const [{ expires }] = (await t.db.query(
        `SELECT EXTRACT(EPOCH FROM previous_secret_expires_at - now())::int AS expires FROM webhook_endpoints WHERE id = $1`,
        [id],
      )) as Array<{ expires: number }>;
      expect(expires).toBeGreaterThan(24 * 3600 - 60);
      expect(expires).toBeLessThanOrEqual(24 * 3600);

      // The overlap is over (the clock moved): only the new secret signs.
      await t.db.query(`UPDATE webhook_endpoints SET previous_secret_expires_at = now() - interval '1 second' WHERE id = $1`, [id]);
      receiver.deliveries.length = 0;
      await t.http().post(`/api/admin/webhooks/${id}/test`).set(admin.auth).expect(202);
      await flush();
      const after = await receiver.waitFor((d) => d.path === '/rotating');
      expect(String(after.headers['webhook-signature']).split(' ')).toHaveLength(1);
      expect(after.verifiedWith).toEqual([fresh]);
    });
  });

  describe('delivery log, retry and test', () => {
    it('lists deliveries newest first, sends a failed one again with its webhook-id, and sends a test to one endpoint only', async () => {
      const { id } = await create({ url: `${receiver.url}/log` });
      const other = await create({ url: `${receiver.url}/other` });
      receiver.answerWith((path) => (path === '/log' ? { status: 400 } : { status: 200 }));
      const test = await t.http().post(`/api/admin/webhooks/${id}/test`).set(admin.auth).expect(202);
      expect(test.body.data).toMatchObject({ event: 'webhook.test', status: 'pending', attempt: 0 });
      await flush();
      // A 400 is the receiver refusing this message: not retried on its own.
      const page = await t.http().get(`/api/admin/webhooks/${id}/deliveries`).set(admin.auth).expect(200);
      expect(page.body.meta.total).toBe(1);
      expect(page.body.data[0]).toMatchObject({
        id: test.body.data.id,
        message_id: test.body.data.message_id,
        event: 'webhook.test',
        attempt: 1,
        status: 'failed',
        response_status: 400,
        error: 'http_400',
        next_attempt_at: null,
      });
      expect(of('/log')[0].event.data).toEqual({ webhook_id: id });
      expect(of('/other')).toEqual([]);
      expect(await rows(other.id)).toEqual([]);

      receiver.answerWith(() => ({ status: 200 }));
      const retried = await t.http().post(`/api/admin/webhooks/${id}/deliveries/${test.body.data.id}/retry`).set(admin.auth).expect(202);
      expect(retried.body.data).toMatchObject({ status: 'pending', attempt: 1 });
      await flush();
      const again = of('/log');
      expect(again).toHaveLength(2);
      expect(again[1].headers['webhook-id']).toBe(again[0].headers['webhook-id']);
      expect(again[1].body).toBe(again[0].body);
      const settled = await t.http().get(`/api/admin/webhooks/${id}/deliveries`).set(admin.auth).expect(200);
      expect(settled.body.data[0]).toMatchObject({ status: 'succeeded', attempt: 2, response_status: 200, error: null });

      // Another endpoint's delivery is not found here; a delivery still waiting for its own retry cannot be pushed.
      await t.http().post(`/api/admin/webhooks/${other.id}/deliveries/${test.body.data.id}/retry`).set(admin.auth).expect(404);
      receiver.answerWith(() => ({ status: 500 }));
      const waiting = await t.http().post(`/api/admin/webhooks/${id}/test`).set(admin.auth).expect(202);
      await flush();
      await t.http().post(`/api/admin/webhooks/${id}/deliveries/${waiting.body.data.id}/retry`).set(admin.auth).expect(409);
    });
  });

  describe('ordering', () => {
    it("delivers one user's events in order while two workers drain the outbox at once", async () => {
      const second = await bootTestApp({ WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' });
      try {
        await create({ url: `${receiver.url}/ordered` });
        const events = t.app.get(EventsService);
        // Written in one transaction, so neither worker can start before all are there.
        await t.db.transaction(async (manager) => {
          for (let index = 0; index < 40; index += 1) {
            const user = index % 2;
            await events.emit(manager, 'user.updated', { user_id: 900_000 + user, user_uuid: '00000000-0000-4000-8000-00000000000' + user, changes: { n: index } });
          }
        });
        await Promise.all([flush(), flush(second), flush(), flush(second)]);
        await receiver.waitFor(() => of('/ordered').length >= 40);
        for (const user of [900_000, 900_001]) {
          const seen = of('/ordered')
            .filter((d) => d.event.data.user_id === user)
            .map((d) => (d.event.data.changes as { n: number }).n);
          expect(seen).toEqual([...seen].sort((a, b) => a - b));
          expect(seen).toHaveLength(20);
        }
      } finally {
        await second.close();
      }
    }, 120_000);
  });

  describe('targets (SSRF)', () => {
    let closed: TestApp;

    beforeAll(async () => {
      closed = await bootTestApp({ WEBHOOK_ALLOW_PRIVATE_TARGETS: 'false' });
    }, 120_000);
    afterAll(async () => {
      await closed?.close();
    });
    afterEach(() => {
      closed.app.get(WebhookDeliverer).resolver = t.app.get(WebhookDeliverer).resolver;
    });

    it.each([
      ['a loopback address', 'https://127.0.0.1/hook'],
      ['a host name that resolves to 127.0.0.1', 'https://localhost/hook'],
      ['IPv6 loopback', 'https://[::1]/hook'],
      ['an IPv4-mapped loopback', 'https://[::ffff:127.0.0.1]/hook'],
      ['a private address', 'https://10.1.2.3/hook'],
      ['a private address in decimal', 'https://167772161/hook'],
      ['the cloud metadata service', 'https://169.254.169.254/latest/meta-data'],
      ['carrier-grade NAT (a metadata range elsewhere)', 'https://100.100.100.200/'],
      ['a unique-local IPv6 address', 'https://[fd00:ec2::254]/'],
      ['plain http', 'http://93.184.216.34/hook'],
    ])('refuses %s without WEBHOOK_ALLOW_PRIVATE_TARGETS (422 on url, nothing stored)', async (_what, url) => {
      const res = await closed.http().post('/api/admin/webhooks').set(admin.auth).send({ url }).expect(422);
      expect(Object.keys(res.body.errors)).toEqual(['url']);
      expect(await closed.db.query(`SELECT id FROM webhook_endpoints`)).toEqual([]);
    });

    it('refuses the same on update', async () => {
      closed.app.get(WebhookDeliverer).resolver = async () => [{ address: '93.184.216.34', family: 4 }];
      const res = await closed.http().post('/api/admin/webhooks').set(admin.auth).send({ url: 'https://hooks.example.test/in' }).expect(201);
      await closed.http().patch(`/api/admin/webhooks/${res.body.data.id}`).set(admin.auth).send({ url: 'https://127.0.0.1/in' }).expect(422);
      expect((await closed.http().get(`/api/admin/webhooks/${res.body.data.id}`).set(admin.auth).expect(200)).body.data.url).toBe(
        'https://hooks.example.test/in',
      );
    });

    it('checks again at delivery: a target private now fails with blocked_target and is never called', async () => {
      // Saved where private targets are allowed (another instance), delivered by one where they are not.
      const { id } = await create({ url: `${receiver.url}/private` });
      await closed.http().post(`/api/admin/webhooks/${id}/test`).set(admin.auth).expect(202);
      await flush(closed);
      expect((await rows(id))[0]).toMatchObject({ status: 'pending', attempts: 1, last_error: 'blocked_target', response_status: null });
      expect(of('/private')).toEqual([]);
    });

    it('DNS rebinding: a name public when saved and private at delivery is blocked', async () => {
      let answers = 0;
      closed.app.get(WebhookDeliverer).resolver = async () => (answers++ === 0 ? [{ address: '93.184.216.34', family: 4 }] : [{ address: '127.0.0.1', family: 4 }]);
      const res = await closed.http().post('/api/admin/webhooks').set(admin.auth).send({ url: 'https://rebind.example.test/hook' }).expect(201);
      await closed.http().post(`/api/admin/webhooks/${res.body.data.id}/test`).set(admin.auth).expect(202);
      await flush(closed);
      expect((await rows(res.body.data.id))[0]).toMatchObject({ last_error: 'blocked_target' });
    });

    it('connects to the address it checked, never to a second resolution of the name', async () => {
      // The name exists only in this resolver: had the HTTP client resolved it again, the connection would fail.
      const port = new URL(receiver.url).port;
      const deliverer = t.app.get(WebhookDeliverer);
      const system = deliverer.resolver;
      const resolved: string[] = [];
      deliverer.resolver = async (hostname) => {
        resolved.push(hostname);
        return [{ address: '127.0.0.1', family: 4 }];
      };
      try {
        const { id } = await create({ url: `http://pinned.example.test:${port}/pinned` });
        await t.app.get(EventsService).enqueue(t.db.manager, id, 'webhook.test', { webhook_id: id });
        await flush();
        expect((await rows(id))[0]).toMatchObject({ status: 'sent' });
        expect(of('/pinned')[0].headers.host).toBe(`pinned.example.test:${port}`);
        expect(resolved).toEqual(['pinned.example.test', 'pinned.example.test']);
      } finally {
        deliverer.resolver = system;
      }
    });
  });
});
