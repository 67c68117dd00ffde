import { DomainError } from '../../../src/platform/errors/domain-error.js';
import { ConfigError } from '../../../src/platform/config/app-config.js';
import { MailService } from '../../../src/platform/mail/mail.service.js';
import { SmsService } from '../../../src/platform/sms/sms.service.js';
import { bootTestApp, type TestApp } from '../../support/app.js';
import { startSmsSink, type SmsSink } from '../../support/sms-sink.js';
import { startSmtpSink, type SmtpSink } from '../../support/smtp-sink.js';

/** What production needs besides the delivery settings under test. */
const PRODUCTION = { NODE_ENV: 'production', TWO_FACTOR_ENCRYPTION_KEY: 'k'.repeat(32) };

/** The delivery services as the application wires them: global modules configured from the environment. */
describe('mail and SMS delivery in the running app', () => {
  let smtp: SmtpSink;
  let gateway: SmsSink;
  let t: TestApp;

  beforeAll(async () => {
    smtp = await startSmtpSink();
    gateway = await startSmsSink();
    t = await bootTestApp({
      SMTP_URL: smtp.url,
      MAIL_FROM: 'Tessera <accounts@example.test>',
      FRONTEND_URL: 'https://spa.example.test',
      SMS_DRIVER: 'http',
      SMS_HTTP_URL: gateway.url,
    });
  });
  afterAll(async () => {
    await t?.close();
    await smtp?.close();
    await gateway?.close();
  });

  it('sends a password reset through SMTP_URL with a link to FRONTEND_URL', async () => {
    const to = `reset-${Date.now()}@example.test`;
    await t.app.get(MailService).sendPasswordReset(t.db.manager, to, { token: 'e2e-token-abc', email: to, name: 'Ana' });
    await t.app.get(MailService).flush();

    const mail = await smtp.waitFor((m) => m.to === to);
    expect(mail.subject).toBe('Reset your password');
    expect(mail.from).toBe('Tessera <accounts@example.test>');
    const link = /https:\/\/spa\.example\.test\/reset-password\?\S+/.exec(mail.text)?.[0];
    expect(link).toBeDefined();
    const params = new URL(link!).searchParams;
    expect(params.get('token')).toBe('e2e-token-abc');
    expect(params.get('email')).toBe(to);
  });

  it('posts SMS to the gateway and turns its failure into GATEWAY_FAILED', async () => {
    const sms = t.app.get(SmsService);
    await sms.send({ countryCode: 381, number: '601112223' }, 'Your Tessera code is 123456', { userId: 1, ip: '127.0.0.1', purpose: 'login' });
    expect(gateway.messages.at(-1)?.body).toEqual({ to: '+381601112223', message: 'Your Tessera code is 123456' });

    gateway.failWith(500);
    const error = await sms.send({ countryCode: 381, number: '601112223' }, 'again', { userId: 1, ip: '127.0.0.1', purpose: 'login' }).catch((caught: unknown) => caught);
    gateway.failWith(null);
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ code: 'GATEWAY_FAILED', status: 502 });
  });

  it('refuses to start in production without SMTP_URL', async () => {
    const error = await bootTestApp({ ...PRODUCTION, SMTP_URL: '', SMS_HTTP_URL: gateway.url }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({ variable: 'SMTP_URL' });
  });

  it('refuses to start in production with SMS written to the log, or without an SMS gateway', async () => {
    const production = { ...PRODUCTION, SMTP_URL: smtp.url };
    const logged = await bootTestApp({ ...production, SMS_DRIVER: 'log' }).catch((caught: unknown) => caught);
    expect(logged).toBeInstanceOf(ConfigError);
    expect(logged).toMatchObject({ variable: 'SMS_DRIVER' });
    const unset = await bootTestApp({ ...production, SMS_DRIVER: '', SMS_HTTP_URL: '' }).catch((caught: unknown) => caught);
    expect(unset).toBeInstanceOf(ConfigError);
    expect(unset).toMatchObject({ variable: 'SMS_HTTP_URL' });
  });
});
