/** Reading the mails an app sent to the SMTP sink of bootMailingTestApp. */
import { randomBytes } from 'node:crypto';
import { MailService } from '../../src/platform/mail/mail.service.js';
import type { MailingTestApp } from './app.js';

/** The text of every mail sent to `to` under `subject` so far, oldest first (after the queued ones went out). */
export async function mailTexts(t: MailingTestApp, to: string, subject: string): Promise<string[]> {
  await t.app.get(MailService).flush();
  return t.mail.messages.filter((m) => m.to === to && m.subject === subject).map((m) => m.text);
}

/** The `token` of the last link to `<frontendUrl>/<path>` mailed to `to` under `subject` (waits for one). */
export async function lastMailedToken(t: MailingTestApp, frontendUrl: string, to: string, subject: string, path: string): Promise<string> {
  await t.app.get(MailService).flush();
  const matches = (m: { to: string; subject: string; text: string }) => m.to === to && m.subject === subject && m.text.includes(`${frontendUrl}/${path}?`);
  await t.mail.waitFor(matches);
  const pattern = new RegExp(`${frontendUrl.replace(/\./g, '\\.')}/${path}\\?\\S+`);
  return new URL(pattern.exec(t.mail.messages.filter(matches).at(-1)!.text)![0]).searchParams.get('token')!;
}

/** Resets `email`'s password through the mailed link, as its owner would; the new password. */
export async function resetPasswordByMail(t: MailingTestApp, email: string): Promise<string> {
  await t.http().post('/api/password/remind').send({ email }).expect(200);
  await t.app.get(MailService).flush();
  const mail = await t.mail.waitFor((message) => message.to === email && message.subject === 'Reset your password');
  const resetLink = new URL(/https?:\/\/\S+\/reset-password\?\S+/.exec(mail.text)![0]);
  const password = `new password ${randomBytes(6).toString('hex')}`;
  await t
    .http()
    .post('/api/password/reset')
    .send({ token: resetLink.searchParams.get('token'), email: resetLink.searchParams.get('email'), password, password_confirmation: password })
    .expect(200);
  return password;
}
