/** Reading the mails an app sent to the SMTP sink of bootMailingTestApp. */
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
