import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { startSmtpSink, type SmtpSink } from '../../../test/support/smtp-sink.js';
import { ConfigError, loadConfig } from '../config/app-config.js';
import { MailService } from './mail.service.js';

const frontendUrl = 'https://app.example.test';

describe('MailService over SMTP', () => {
  let sink: SmtpSink;
  let mail: MailService;

  beforeAll(async () => {
    sink = await startSmtpSink();
    mail = new MailService(loadConfig({ SMTP_URL: sink.url, MAIL_FROM: 'Tessera <no-reply@example.test>', FRONTEND_URL: frontendUrl }));
  });
  afterAll(async () => {
    await mail.onApplicationShutdown();
    await sink.close();
  });

  it('delivers a password reset with the token link, without making the caller wait', async () => {
    const returned: unknown = mail.sendPasswordReset('ana@example.test', { token: 'reset-token-1', email: 'ana@example.test', name: 'Ana' });
    expect(returned).toBeUndefined();
    await mail.flush();

    const received = await sink.waitFor((m) => m.envelopeTo.includes('ana@example.test') && m.subject === 'Reset your password');
    expect(received.to).toBe('ana@example.test');
    expect(received.from).toBe('Tessera <no-reply@example.test>');
    expect(received.envelopeFrom).toBe('no-reply@example.test');
    const link = `${frontendUrl}/reset-password?token=reset-token-1&email=ana%40example.test`;
    expect(received.text).toContain(link);
    expect(received.html).toContain(link.replace('&', '&amp;'));
  });

  it('delivers the verification mail and both notices', async () => {
    mail.sendEmailVerification('vera@example.test', { token: 'verify-token-1', name: 'Vera' });
    mail.sendPasswordChangedNotice('pat@example.test', { name: 'Pat' });
    mail.sendEmailChangedNotice('old@example.test', { name: 'Olga', newEmail: 'new@example.test' });
    await mail.flush();

    const verify = await sink.waitFor((m) => m.to === 'vera@example.test');
    expect(verify.subject).toBe('Verify your email address');
    expect(verify.text).toContain(`${frontendUrl}/verify-email?token=verify-token-1`);
    expect((await sink.waitFor((m) => m.to === 'pat@example.test')).subject).toBe('Your password was changed');
    const moved = await sink.waitFor((m) => m.to === 'old@example.test');
    expect(moved.subject).toBe('Your email address was changed');
    expect(moved.text).toContain('new@example.test');
  });

  it('escapes a hostile name in the HTML body', async () => {
    mail.sendEmailVerification('mallory@example.test', { token: 't', name: '<script>alert(1)</script>' });
    await mail.flush();
    const received = await sink.waitFor((m) => m.to === 'mallory@example.test');
    expect(received.html).toContain('Hello &lt;script&gt;alert(1)&lt;/script&gt;,');
    expect(received.html).not.toContain('<script>');
  });
});

describe('MailService with the mail server down', () => {
  afterEach(() => jest.restoreAllMocks());

  it('logs the failure without the token and flush() still resolves', async () => {
    const sink = await startSmtpSink();
    await sink.close(); // The port is now refused.
    const errors = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const mail = new MailService(loadConfig({ SMTP_URL: sink.url }));

    expect(() => mail.sendPasswordReset('ana@example.test', { token: 'secret-token-xyz', email: 'ana@example.test', name: 'Ana' })).not.toThrow();
    await expect(mail.flush()).resolves.toBeUndefined();

    expect(errors).toHaveBeenCalledTimes(1);
    const [entry] = errors.mock.calls[0] as [Record<string, unknown>];
    expect(entry).toMatchObject({ msg: 'Mail delivery failed', kind: 'password-reset', to: 'ana@example.test' });
    expect(String(entry.error)).toMatch(/ECONNREFUSED/);
    expect(JSON.stringify(errors.mock.calls)).not.toContain('secret-token-xyz');
    await mail.onApplicationShutdown();
  });

  it('keeps even a mail that cannot be rendered away from the caller', async () => {
    const errors = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const mail = new MailService(loadConfig({}));
    // A caller bypassing the types (a user without a name loaded from raw SQL, say).
    expect(() => mail.sendPasswordChangedNotice('ana@example.test', { name: null as unknown as string })).not.toThrow();
    await mail.flush();
    expect(errors).toHaveBeenCalledWith(expect.objectContaining({ msg: 'Mail delivery failed', kind: 'password-changed' }));
  });
});

describe('MailService without SMTP_URL', () => {
  afterEach(() => jest.restoreAllMocks());

  it('writes the mail to the log in development', async () => {
    const logs = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    const mail = new MailService(loadConfig({ FRONTEND_URL: frontendUrl }));
    mail.sendEmailVerification('dev@example.test', { token: 'dev-token', name: 'Dev' });
    await mail.flush();
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
