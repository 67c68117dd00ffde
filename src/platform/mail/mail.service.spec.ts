import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { startSmtpSink, type SmtpSink } from '../../../test/support/smtp-sink.js';
import { ConfigError, loadConfig } from '../config/app-config.js';
import type { OutboxDelivery, OutboxMessage, OutboxService } from '../outbox/outbox.service.js';
import { MailService } from './mail.service.js';

const frontendUrl = 'https://app.example.test';
const ROW_ID = '0b7d5a3e-7c1f-4f7e-9a51-3d2f6b1c9e10';

/** The outbox as MailService sees it: what it was given to write, and nothing delivered on its own. */
function recordingOutbox(): OutboxService & { added: OutboxMessage[] } {
  const added: OutboxMessage[] = [];
  return {
    added,
    register: () => undefined,
    add: async (_manager: EntityManager, message: OutboxMessage) => {
      added.push(message);
    },
  } as unknown as OutboxService & { added: OutboxMessage[] };
}

const row = (kind: string, to: string, payload: unknown): OutboxDelivery => ({ id: ROW_ID, kind, destination: to, payload, attempts: 0, messageId: ROW_ID });
const manager = {} as EntityManager;

describe('MailService writing to the outbox', () => {
  it('writes the mail on the caller\'s EntityManager, with its data and the retry window, and sends nothing itself', async () => {
    const outbox = recordingOutbox();
    const mail = new MailService(loadConfig({ MAIL_RETRY_HOURS: '6' }), outbox);
    await mail.sendPasswordReset(manager, 'ana@example.test', { token: 'reset-token-1', email: 'ana@example.test', name: 'Ana' });
    expect(outbox.added).toEqual([
      {
        channel: 'mail',
        kind: 'password-reset',
        destination: 'ana@example.test',
        payload: { token: 'reset-token-1', email: 'ana@example.test', name: 'Ana' },
        retryForMs: 6 * 3_600_000,
      },
    ]);
  });
});

describe('MailService delivering over SMTP', () => {
  let sink: SmtpSink;
  let mail: MailService;

  beforeAll(async () => {
    sink = await startSmtpSink();
    mail = new MailService(loadConfig({ SMTP_URL: sink.url, MAIL_FROM: 'Tessera <no-reply@example.test>', FRONTEND_URL: frontendUrl }), recordingOutbox());
  });
  afterAll(async () => {
    mail.onApplicationShutdown();
    await sink.close();
  });

  it('delivers a password reset with the token link and a Message-ID made from the outbox row', async () => {
    await mail.deliver(row('password-reset', 'ana@example.test', { token: 'reset-token-1', email: 'ana@example.test', name: 'Ana' }));

    const received = await sink.waitFor((m) => m.envelopeTo.includes('ana@example.test') && m.subject === 'Reset your password');
    expect(received.to).toBe('ana@example.test');
    expect(received.from).toBe('Tessera <no-reply@example.test>');
    expect(received.envelopeFrom).toBe('no-reply@example.test');
    expect(received.headers['message-id']).toBe(`<${ROW_ID}@example.test>`);
    const link = `${frontendUrl}/reset-password?token=reset-token-1&email=ana%40example.test`;
    expect(received.text).toContain(link);
    expect(received.html).toContain(link.replace('&', '&amp;'));
  });

  it('delivers the verification mail and both notices', async () => {
    await mail.deliver(row('email-verification', 'vera@example.test', { token: 'verify-token-1', name: 'Vera' }));
    await mail.deliver(row('password-changed', 'pat@example.test', { name: 'Pat' }));
    await mail.deliver(row('email-changed', 'old@example.test', { name: 'Olga', newEmail: 'new@example.test' }));
    const verify = await sink.waitFor((m) => m.to === 'vera@example.test');
    expect(verify.subject).toBe('Verify your email address');
    expect(verify.text).toContain(`${frontendUrl}/verify-email?token=verify-token-1`);
    expect((await sink.waitFor((m) => m.to === 'pat@example.test')).subject).toBe('Your password was changed');
    const moved = await sink.waitFor((m) => m.to === 'old@example.test');
    expect(moved.subject).toBe('Your email address was changed');
    expect(moved.text).toContain('new@example.test');
  });

  it('escapes a hostile name in the HTML body', async () => {
    await mail.deliver(row('email-verification', 'mallory@example.test', { token: 't', name: '<script>alert(1)</script>' }));
    const received = await sink.waitFor((m) => m.to === 'mallory@example.test');
    expect(received.html).toContain('Hello &lt;script&gt;alert(1)&lt;/script&gt;,');
    expect(received.html).not.toContain('<script>');
  });
});

describe('MailService with the mail server down', () => {
  it('fails the delivery (the outbox retries it) with an error that does not carry the token', async () => {
    const sink = await startSmtpSink();
    await sink.close(); // The port is now refused.
    const mail = new MailService(loadConfig({ SMTP_URL: sink.url }), recordingOutbox());
    const failure = await mail.deliver(row('password-reset', 'ana@example.test', { token: 'secret-token-xyz', email: 'ana@example.test', name: 'Ana' })).then(
      () => undefined,
      (error: unknown) => error as Error & { code?: string },
    );
    expect(failure?.message).toMatch(/ECONNREFUSED/);
    expect(JSON.stringify({ message: failure?.message, code: failure?.code })).not.toContain('secret-token-xyz');
    mail.onApplicationShutdown();
  });

  it('fails the delivery of a mail that cannot be rendered, and of an unknown kind', async () => {
    const mail = new MailService(loadConfig({}), recordingOutbox());
    // A row written by a caller that bypassed the types (a user without a name loaded from raw SQL, say).
    await expect(mail.deliver(row('password-changed', 'ana@example.test', { name: null }))).rejects.toThrow();
    await expect(mail.deliver(row('no-such-kind', 'ana@example.test', {}))).rejects.toThrow(/unknown mail kind/);
  });
});

describe('MailService without SMTP_URL', () => {
  afterEach(() => jest.restoreAllMocks());

  it('writes the mail to the log in development', async () => {
    const logs = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    const mail = new MailService(loadConfig({ FRONTEND_URL: frontendUrl }), recordingOutbox());
    await mail.deliver(row('email-verification', 'dev@example.test', { token: 'dev-token', name: 'Dev' }));
    expect(logs).toHaveBeenCalledWith(
      expect.objectContaining({ to: 'dev@example.test', subject: 'Verify your email address', text: expect.stringContaining(`${frontendUrl}/verify-email?token=dev-token`) }),
    );
  });

  it('is refused at start-up in production, naming SMTP_URL in one line', () => {
    const production = { NODE_ENV: 'production', DATABASE_URL: 'postgres://db.example.test/tessera', JWT_SECRET: 'x'.repeat(32), TWO_FACTOR_ENCRYPTION_KEY: 'k'.repeat(32), SMS_HTTP_URL: 'https://sms.example.test/send' };
    let error: unknown;
    try {
      loadConfig(production);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe('SMTP_URL');
    expect((error as ConfigError).message).toMatch(/^Invalid configuration: SMTP_URL is required when NODE_ENV=production[^\n]*$/);
    expect(loadConfig({ ...production, SMTP_URL: 'smtp://mail.example.test:587' }).smtpUrl).toBe('smtp://mail.example.test:587');
  });
});
