import pLimit from 'p-limit';
import { buildApp, call, createDatabase, eventually, queryDatabase as query, registerAccount, startApp, startApps, type AppProcess, type TestDatabase } from '../../support/processes.js';
import { startSmtpSink, type CapturedMail, type SmtpSink } from '../../support/smtp-sink.js';

const SLOW = 180_000;
/** Retries come quickly here, so a mail server that is back is seen within a second or two. */
const FAST_OUTBOX = { OUTBOX_RETRY_FIRST_DELAY_MS: '100', OUTBOX_POLL_MS: '200' };

/** A port where nothing listens yet: the mail server is down until a sink starts there. */
async function downSmtpPort(): Promise<number> {
  const probe = await startSmtpSink();
  await probe.close();
  return Number(new URL(probe.url).port);
}

const emailOf = (username: string): string => `${username}@example.com`;
const mailsTo = (sink: SmtpSink, to: string, subject: string): CapturedMail[] => sink.messages.filter((m) => m.to === to && m.subject === subject);

/** Mail through the outbox with the app as a real child process: outages of SMTP, a kill -9, two instances. */
describe('mail delivery across outages and instances', () => {
  let main: string;
  let db: TestDatabase;
  const started: AppProcess[] = [];
  const sinks: SmtpSink[] = [];

  const start = async (env: Record<string, string>): Promise<AppProcess> => {
    const app = await startApp(main, { env: { DATABASE_URL: db.url, ...FAST_OUTBOX, ...env } });
    started.push(app);
    return app;
  };
  const sinkOn = async (port: number): Promise<SmtpSink> => {
    const sink = await startSmtpSink(port);
    sinks.push(sink);
    return sink;
  };
  const pendingCount = async (): Promise<number> =>
    (await query<{ n: number }>(db.url, `SELECT count(*)::int AS n FROM outbox WHERE status = 'pending'`))[0].n;

  beforeAll(async () => {
    main = await buildApp();
    db = await createDatabase('tessera_mail');
  }, SLOW);
  afterAll(async () => {
    await Promise.all(started.map((app) => app.stop('SIGKILL')));
    await Promise.all(sinks.map((sink) => sink.close()));
    await db?.drop();
  }, SLOW);

  it(
    'answers sign-ups and reset requests while SMTP is down, and delivers each mail once when it is back',
    async () => {
      const port = await downSmtpPort();
      const app = await start({ SMTP_URL: `smtp://127.0.0.1:${port}` });

      const account = await registerAccount(app.url, 'down');
      const remind = await call(`${app.url}/api/password/remind`, { method: 'POST', json: { email: emailOf(account.username) } });
      expect(remind.status).toBe(200);
      // Both mails were tried and refused: they wait in the outbox.
      await eventually('both mails tried and refused', async () => {
        const rows = await query<{ attempts: number; last_error: string | null }>(
          db.url,
          `SELECT attempts, last_error FROM outbox WHERE destination = $1 AND status = 'pending'`,
          [emailOf(account.username)],
        );
        return rows.length === 2 && rows.every((row) => row.attempts >= 1 && /ECONNREFUSED/.test(row.last_error ?? '')) ? rows : undefined;
      });
      const ready = await call(`${app.url}/health/ready`);
      expect(ready.status).toBe(200);
      expect(ready.body.details.mail_outbox.pending).toBeGreaterThanOrEqual(2);

      const sink = await sinkOn(port);
      await sink.waitFor((m) => m.to === emailOf(account.username) && m.subject === 'Reset your password', 30_000);
      await sink.waitFor((m) => m.to === emailOf(account.username) && m.subject === 'Verify your email address', 30_000);
      await eventually('the outbox settled', async () => ((await pendingCount()) === 0 ? true : undefined));
      expect(mailsTo(sink, emailOf(account.username), 'Reset your password')).toHaveLength(1);
      expect(mailsTo(sink, emailOf(account.username), 'Verify your email address')).toHaveLength(1);
      await app.stop();
    },
    SLOW,
  );

  it(
    'delivers the mail of a reset committed right before a kill -9, from the next process',
    async () => {
      const port = await downSmtpPort();
      const first = await start({ SMTP_URL: `smtp://127.0.0.1:${port}` });
      const account = await registerAccount(first.url, 'killed');
      const remind = await call(`${first.url}/api/password/remind`, { method: 'POST', json: { email: emailOf(account.username) } });
      expect(remind.status).toBe(200);
      expect(await first.stop('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });

      const sink = await sinkOn(port);
      const next = await start({ SMTP_URL: `smtp://127.0.0.1:${port}` });
      await sink.waitFor((m) => m.to === emailOf(account.username) && m.subject === 'Reset your password', 30_000);
      await eventually('the outbox settled', async () => ((await pendingCount()) === 0 ? true : undefined));
      expect(mailsTo(sink, emailOf(account.username), 'Reset your password')).toHaveLength(1);
      await next.stop();
    },
    SLOW,
  );

  it(
    'delivers 1,000 mails through two instances sharing the outbox: each exactly once, none lost',
    async () => {
      const sink = await sinkOn(0);
      const [a, b] = await startApps(main, 2, { env: { DATABASE_URL: db.url, ...FAST_OUTBOX, SMTP_URL: sink.url } });
      started.push(a, b);
      const MAILS = 1000;
      // Each sign-up writes one verification mail; half go to each instance, whose workers share every row.
      const limit = pLimit(16);
      const usernames = await Promise.all(
        Array.from({ length: MAILS }, (_, index) => limit(async () => (await registerAccount(index % 2 === 0 ? a.url : b.url, 'pair')).username)),
      );
      const expected = new Set(usernames.map(emailOf));
      const verifications = () => sink.messages.filter((m) => m.subject === 'Verify your email address' && expected.has(m.to));
      await eventually('every verification mail delivered', async () => (verifications().length >= MAILS ? true : undefined), 120_000);
      await eventually('the outbox settled', async () => ((await pendingCount()) === 0 ? true : undefined));

      const received = verifications();
      const perRecipient = new Map<string, number>();
      for (const mail of received) perRecipient.set(mail.to, (perRecipient.get(mail.to) ?? 0) + 1);
      const duplicates = [...perRecipient.values()].filter((count) => count > 1).length;
      const lost = [...expected].filter((to) => !perRecipient.has(to)).length;
      const messageIds = new Set(received.map((mail) => mail.headers['message-id']));
      // Reported for the record (mails, duplicates, losses).
      process.stdout.write(`two instances: ${received.length} mails received for ${MAILS} sign-ups, ${duplicates} duplicated, ${lost} lost\n`);
      expect({ received: received.length, duplicates, lost, messageIds: messageIds.size }).toEqual({ received: MAILS, duplicates: 0, lost: 0, messageIds: MAILS });
      const [{ sent }] = await query<{ sent: number }>(
        db.url,
        `SELECT count(*)::int AS sent FROM outbox WHERE kind = 'email-verification' AND status = 'sent' AND attempts = 1 AND destination = ANY($1)`,
        [[...expected]],
      );
      expect(sent).toBe(MAILS);
      await Promise.all([a.stop(), b.stop()]);
    },
    SLOW,
  );
});
