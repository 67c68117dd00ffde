import { MailService } from '../../../src/platform/mail/mail.service.js';
import { OutboxService } from '../../../src/platform/outbox/outbox.service.js';
import { loggedInAdmin } from '../../support/admin-helpers.js';
import { bootTestApp, type TestApp } from '../../support/app.js';
import { loggedInUser, registerUser } from '../../support/factories.js';
import { startSmtpSink, type SmtpSink } from '../../support/smtp-sink.js';

interface OutboxRecord {
  id: string;
  status: string;
  payload: string | null;
  attempts: number;
  last_error: string | null;
}

/** The mail outbox in one app: rows on the change's transaction, encrypted, settled, listed for admins. */
describe('the mail outbox', () => {
  let sink: SmtpSink;
  let t: TestApp;
  const mail = () => t.app.get(MailService);
  /** The reset mails to `to` (registration wrote a verification mail too). */
  const rowsTo = (to: string) =>
    t.db.query(`SELECT id, status, payload, attempts, last_error FROM outbox WHERE destination = $1 AND kind = 'password-reset' ORDER BY created_at`, [
      to,
    ]) as Promise<OutboxRecord[]>;

  beforeAll(async () => {
    sink = await startSmtpSink();
    t = await bootTestApp({ SMTP_URL: sink.url, MAIL_FROM: 'Tessera <accounts@example.test>', OUTBOX_RETRY_FIRST_DELAY_MS: '50' });
  });
  afterAll(async () => {
    await t?.close();
    await sink?.close();
  });

  it('writes the reset mail with its token encrypted, sends it once with the row as Message-ID, then drops the payload', async () => {
    const user = await registerUser(t);
    await t.http().post('/api/password/remind').send({ email: user.email }).expect(200);
    const [pending] = await rowsTo(user.email);
    expect(pending.payload).toMatch(/^v1:/);
    expect(pending.payload).not.toContain(user.email);

    await mail().flush();
    const sent = sink.messages.filter((m) => m.to === user.email && m.subject === 'Reset your password');
    expect(sent).toHaveLength(1);
    expect(sent[0].headers['message-id']).toBe(`<${pending.id}@example.test>`);
    const token = /token=([^&\s]+)/.exec(sent[0].text)![1];
    expect(pending.payload).not.toContain(token);
    expect(await rowsTo(user.email)).toEqual([expect.objectContaining({ id: pending.id, status: 'sent', payload: null, attempts: 1 })]);
  });

  it('writes nothing for a change that rolls back', async () => {
    const to = `rolled-back-${Date.now()}@example.test`;
    const rolledBack = t.db.transaction(async (manager) => {
      await mail().sendPasswordReset(manager, to, { token: 'never-sent', email: to, name: 'Ana' });
      throw new Error('the change failed after its mail was written');
    });
    await expect(rolledBack).rejects.toThrow('the change failed');
    await mail().flush();
    expect(await rowsTo(to)).toEqual([]);
    expect(sink.messages.filter((m) => m.to === to)).toEqual([]);
  });

  it('keeps a mail the server refuses until its window is over, then lists it as failed for admins only, without the token', async () => {
    const down = await startSmtpSink();
    await down.close();
    const refused = await bootTestApp({ SMTP_URL: down.url, OUTBOX_RETRY_FIRST_DELAY_MS: '50' });
    try {
      const user = await registerUser(refused);
      const before = await refused.app.get(OutboxService).stats();
      await refused.http().post('/api/password/remind').send({ email: user.email }).expect(200);
      await refused.app.get(MailService).flush();
      const [retrying] = await rowsTo(user.email);
      expect(retrying).toMatchObject({ status: 'pending', attempts: expect.any(Number) as unknown, last_error: expect.stringMatching(/ECONNREFUSED/) as unknown });
      expect(retrying.payload).toMatch(/^v1:/);

      // The retry window (MAIL_RETRY_HOURS) runs out.
      await t.db.query(`UPDATE outbox SET give_up_at = now(), next_attempt_at = now() WHERE id = $1`, [retrying.id]);
      await refused.app.get(MailService).flush();
      const [failed] = await rowsTo(user.email);
      expect(failed).toMatchObject({ status: 'failed', payload: null });
      expect((await refused.app.get(OutboxService).stats()).failed).toBe(before.failed + 1);
      expect((await refused.http().get('/health/ready').expect(200)).body.details.mail_outbox.failed).toBeGreaterThanOrEqual(1);

      const admin = await loggedInAdmin(refused);
      const page = await refused.http().get('/api/admin/mail?status=failed&per_page=100').set(admin.auth).expect(200);
      const listed = (page.body.data as Array<Record<string, unknown>>).find((row) => row.id === retrying.id);
      expect(listed).toEqual({
        id: retrying.id,
        kind: 'password-reset',
        to: user.email,
        status: 'failed',
        attempts: failed.attempts,
        last_error: expect.stringMatching(/ECONNREFUSED/) as unknown,
        created_at: expect.any(String) as unknown,
        next_attempt_at: null,
        settled_at: expect.any(String) as unknown,
      });
      expect(page.body.meta).toMatchObject({ current_page: 1, per_page: 100 });

      const someone = await loggedInUser(refused);
      await refused.http().get('/api/admin/mail').set(someone.auth).expect(403);
      await refused.http().get('/api/admin/mail').expect(401);
      await refused.http().get('/api/admin/mail?status=lost').set(admin.auth).expect(422);
    } finally {
      await refused.close();
    }
  });

  it('prunes sent rows older than OUTBOX_PRUNE_SENT_AFTER_HOURS', async () => {
    const user = await registerUser(t);
    await t.http().post('/api/password/remind').send({ email: user.email }).expect(200);
    await mail().flush();
    const [sent] = await rowsTo(user.email);
    await t.db.query(`UPDATE outbox SET settled_at = now() - interval '169 hours' WHERE id = $1`, [sent.id]);
    expect(await t.app.get(OutboxService).pruneSent()).toBeGreaterThanOrEqual(1);
    expect(await rowsTo(user.email)).toEqual([]);
  });
});
