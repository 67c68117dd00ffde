/**
 * Mail templates: pure functions from typed data to subject, plain text and HTML.
 * Every user-provided value is escaped before it reaches the HTML body.
 */
export interface MailContent {
  subject: string;
  text: string;
  html: string;
}

/** Lifetimes the mails state; the flows that issue the tokens use the same numbers. */
export const PASSWORD_RESET_TTL_MINUTES = 60;
export const EMAIL_VERIFICATION_TTL_HOURS = 24;

const APP_NAME = 'Tessera';

export interface PasswordResetMailData {
  frontendUrl: string;
  token: string;
  email: string;
  name: string;
}

export interface EmailVerificationMailData {
  frontendUrl: string;
  token: string;
  name: string;
}

export interface PasswordChangedMailData {
  name: string;
}

export interface EmailChangedMailData {
  name: string;
  newEmail: string;
}

export interface LoginLockoutMailData {
  name: string;
  /** The address the failed attempts came from. */
  ip: string;
  /** Minutes until logins are accepted again. */
  minutes: number;
}

export interface ApiKeyCreatedMailData {
  name: string;
  identifier: string;
  description: string;
  scopes: readonly string[];
  /** The address the creating request came from. */
  ip: string;
  /** ISO 8601, or null when the key does not expire. */
  expiresAt: string | null;
}

export interface ApiKeysRevokedMailData {
  name: string;
  identifiers: readonly string[];
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char]);
}

export function passwordResetLink(frontendUrl: string, token: string, email: string): string {
  return `${frontendUrl}/reset-password?${new URLSearchParams({ token, email })}`;
}

export function emailVerificationLink(frontendUrl: string, token: string): string {
  return `${frontendUrl}/verify-email?${new URLSearchParams({ token })}`;
}

export function passwordResetMail(data: PasswordResetMailData): MailContent {
  const link = passwordResetLink(data.frontendUrl, data.token, data.email);
  const lines = [
    'You are receiving this email because we received a password reset request for your account.',
    `This link expires in ${PASSWORD_RESET_TTL_MINUTES} minutes.`,
    'If you did not request a password reset, no further action is required.',
  ];
  return render('Reset your password', data.name, lines, { label: 'Reset password', link });
}

export function emailVerificationMail(data: EmailVerificationMailData): MailContent {
  const link = emailVerificationLink(data.frontendUrl, data.token);
  const lines = [
    'Please confirm your email address by opening the link below.',
    `This link expires in ${EMAIL_VERIFICATION_TTL_HOURS} hours.`,
    'If you did not create an account or change your email address, no further action is required.',
  ];
  return render('Verify your email address', data.name, lines, { label: 'Verify email address', link });
}

export function passwordChangedMail(data: PasswordChangedMailData): MailContent {
  const lines = [
    `The password of your ${APP_NAME} account was just changed.`,
    'If you did not make this change, reset your password right away and contact support.',
  ];
  return render('Your password was changed', data.name, lines);
}

export function emailChangedMail(data: EmailChangedMailData): MailContent {
  const lines = [
    `The email address of your ${APP_NAME} account was changed to ${data.newEmail}.`,
    'This address will no longer receive messages about the account.',
    'If you did not make this change, contact support right away.',
  ];
  return render('Your email address was changed', data.name, lines);
}

export function loginLockoutMail(data: LoginLockoutMailData): MailContent {
  const wait = data.minutes === 1 ? '1 minute' : `${data.minutes} minutes`;
  const lines = [
    `Logins to your ${APP_NAME} account were paused for ${wait} after repeated failed attempts (the last from ${data.ip}).`,
    'If these attempts were yours, wait and try again. If not, someone may be guessing your password: once logins resume, change it to one you use nowhere else and turn on two-factor authentication.',
  ];
  return render('Repeated failed logins to your account', data.name, lines);
}

export function apiKeyCreatedMail(data: ApiKeyCreatedMailData): MailContent {
  const lines = [
    `A new API key was created on your ${APP_NAME} account, from the address ${data.ip}.`,
    `Key: ${data.identifier} (${data.description})`,
    `Scopes: ${data.scopes.join(', ')}`,
    data.expiresAt ? `Expires: ${data.expiresAt}` : 'Expires: never',
    'If you did not create it, delete it from your account settings, change your password and contact support.',
  ];
  return render('A new API key was created', data.name, lines);
}

export function apiKeysRevokedMail(data: ApiKeysRevokedMailData): MailContent {
  const lines = [
    `Someone reported ${data.identifiers.length === 1 ? 'an API key' : 'API keys'} of your ${APP_NAME} account as leaked, ` +
      `with the full secret, so ${data.identifiers.length === 1 ? 'it was' : 'they were'} revoked: ${data.identifiers.join(', ')}.`,
    'Anything that used these keys stops working; create a new key for it and keep its secret out of code and logs.',
  ];
  return render(data.identifiers.length === 1 ? 'An API key was revoked' : 'API keys were revoked', data.name, lines);
}

interface Action {
  label: string;
  link: string;
}

/** One layout for every mail; `lines` and `name` are plain text and escaped here for the HTML body. */
function render(subject: string, name: string, lines: string[], action?: Action): MailContent {
  const greeting = name.trim() ? `Hello ${name.trim()},` : 'Hello,';
  const text = [greeting, '', lines[0], ...(action ? ['', `${action.label}: ${action.link}`] : []), '', ...lines.slice(1), '', `— ${APP_NAME}`, ''].join('\n');

  const paragraph = (content: string) => `<p style="margin:0 0 16px">${content}</p>`;
  const button = action
    ? paragraph(
        `<a href="${escapeHtml(action.link)}" style="display:inline-block;padding:10px 18px;background:#2d3748;color:#ffffff;text-decoration:none;border-radius:4px">${escapeHtml(action.label)}</a>`,
      ) + paragraph(`If the button does not work, open this link: <br><a href="${escapeHtml(action.link)}">${escapeHtml(action.link)}</a>`)
    : '';
  const html = [
    '<!DOCTYPE html>',
    `<html><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>`,
    '<body style="font-family:Arial,Helvetica,sans-serif;color:#2d3748;line-height:1.5">',
    paragraph(escapeHtml(greeting)),
    paragraph(escapeHtml(lines[0])),
    button,
    ...lines.slice(1).map((line) => paragraph(escapeHtml(line))),
    paragraph(`— ${APP_NAME}`),
    '</body></html>',
  ].join('\n');
  return { subject, text, html };
}
