/**
 * Mail templates: pure functions from typed data to subject, plain text and HTML.
 * Every user-provided value is escaped before it reaches the HTML body.
 */
import { formatDateTime } from '../format/dates.js';

export interface MailContent {
  subject: string;
  text: string;
  html: string;
}

/** Lifetimes the mails state; the flows that issue the tokens use the same numbers. */
export const PASSWORD_RESET_TTL_MINUTES = 60;
export const EMAIL_VERIFICATION_TTL_HOURS = 24;
/** How long the cancel link of an email change can still undo it once the new address confirmed it. */
export const EMAIL_CHANGE_REVERT_DAYS = 7;

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
  /** The other sessions the change signed out. */
  revokedSessions?: number;
  /** What keeps working (API keys, passkeys, two-factor), each named as the account's lifecycle names it. */
  kept?: readonly string[];
}

/** What a reset ended, per kind of credential. */
export interface EndedCredentialCounts {
  sessions: number;
  apiKeys: number;
  passkeys: number;
  /** Identities at identity providers, unlinked. */
  identities: number;
  /** 1 when a two-factor method was turned off (a reset that proved the address for the first time). */
  twoFactor: number;
  /** Unfinished sign-ins: two-factor challenges and WebAuthn ceremonies. */
  challenges: number;
  /** A pending email change. */
  emailChanges: number;
}

export interface PasswordResetNoticeMailData {
  name: string;
  ended: EndedCredentialCounts;
  /** What keeps working (two-factor, when the address was proven before), each named. */
  kept: readonly string[];
  /** True when the reset link was what verified the address. */
  addressVerified: boolean;
}

export interface EmailChangeConfirmationMailData {
  frontendUrl: string;
  token: string;
  name: string;
}

export interface EmailChangeRequestedMailData {
  frontendUrl: string;
  /** The cancellation token. */
  token: string;
  name: string;
  newEmail: string;
}

export interface EmailChangeRevertedMailData {
  name: string;
  /** The address the account had until the revert. */
  revertedEmail: string;
}

export interface AdminChangedAccountMailData {
  name: string;
  /** What the administrator changed, in words (`password`, `email address`, `role`, `status`). */
  changes: string[];
}

export interface AccountDeletedMailData {
  name: string;
  username: string;
  /** An administrator deleted it, not its owner. */
  byAdministrator?: boolean;
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

/** A way into the account that was just added, as its notice describes it. */
export type AddedCredential =
  | { kind: 'passkey'; name: string }
  | { kind: 'two-factor'; method: 'totp' | 'sms' }
  | { kind: 'recovery-codes' }
  /** An identity at an identity provider, linked: the provider's name and the address it gave, if any. */
  | { kind: 'identity'; provider: string; email: string | null }
  | {
      kind: 'api-key';
      identifier: string;
      description: string;
      scopes: readonly string[];
      /** ISO 8601, or null when the key does not expire. */
      expiresAt: string | null;
    };

export interface CredentialAddedMailData {
  name: string;
  added: AddedCredential;
  /** When it was added. */
  at: Date;
  /** The address and the user agent of the request that added it. */
  ip: string;
  userAgent: string;
}

export interface ApiKeysRevokedMailData {
  name: string;
  identifiers: readonly string[];
}

export interface WebhookDisabledMailData {
  name: string;
  url: string;
  /** 'gone': the receiver answered 410; 'failing': its deliveries failed for WEBHOOK_DISABLE_AFTER_HOURS. */
  reason: 'gone' | 'failing';
  hours: number;
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

export function cancelEmailChangeLink(frontendUrl: string, token: string): string {
  return `${frontendUrl}/cancel-email-change?${new URLSearchParams({ token })}`;
}

export function organizationInvitationLink(frontendUrl: string, token: string): string {
  return `${frontendUrl}/accept-invitation?${new URLSearchParams({ token })}`;
}

export interface OrganizationInvitationMailData {
  frontendUrl: string;
  token: string;
  organizationName: string;
  /** The inviter's username. */
  invitedBy: string;
  role: string;
  /** When the link stops working (ISO 8601). */
  expiresAt: string;
}

/** An invitation to an organization; the link's token is bound to this address and works once. */
export function organizationInvitationMail(data: OrganizationInvitationMailData): MailContent {
  const link = organizationInvitationLink(data.frontendUrl, data.token);
  const lines = [
    `${data.invitedBy} invited you to join the organization “${data.organizationName}” on ${APP_NAME} as ${data.role === 'admin' ? 'an admin' : 'a member'}.`,
    `The link works once, only for an account with this email address, until ${formatDateTime(data.expiresAt)} UTC. You can also decline from the same page.`,
    'If you do not know this organization, ignore this email: nothing happens unless you accept.',
  ];
  return render(`Invitation to join ${data.organizationName}`, '', lines, { label: 'Open the invitation', link });
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

export function signUpAttemptMail(data: { name: string }): MailContent {
  const lines = [
    `Someone just tried to create a ${APP_NAME} account with this email address, which already has one. No account was created.`,
    'If it was you: you already have an account. Sign in, or reset your password if you forgot it.',
    'If it was not you, no action is needed: your account was not changed.',
  ];
  return render('Someone tried to sign up with your email address', data.name, lines);
}

export function passwordChangedMail(data: PasswordChangedMailData): MailContent {
  const kept = data.kept ?? [];
  const signedOut = data.revokedSessions === undefined ? '' : ` (${data.revokedSessions})`;
  const lines = [
    `The password of your ${APP_NAME} account was just changed. Every other session was signed out${signedOut}, and unfinished sign-ins were dropped.`,
    ...(kept.length === 0 ? [] : ['These keep working; remove any you do not recognise:', ...kept]),
    'If you did not make this change, reset your password right away: a reset ends every session, API key and passkey. Then contact support.',
  ];
  return render('Your password was changed', data.name, lines);
}

export function passwordResetNoticeMail(data: PasswordResetNoticeMailData): MailContent {
  const { ended } = data;
  const endings = [
    `every session was signed out (${ended.sessions})`,
    `every API key deleted (${ended.apiKeys})`,
    `every passkey removed (${ended.passkeys})`,
    ...(ended.identities > 0 ? [`every sign-in through an identity provider unlinked (${ended.identities})`] : []),
    `unfinished sign-ins dropped (${ended.challenges})`,
    ...(ended.emailChanges > 0 ? ['the pending email address change cancelled'] : []),
  ];
  const lines = [
    `The password of your ${APP_NAME} account was reset through an emailed link.`,
    `Ended: ${endings.join(', ')}.`,
    ...(ended.twoFactor > 0
      ? ['Two-factor authentication was turned off and its recovery codes deleted: this reset was the first proof of this address, so whoever set them up had not proven it.']
      : []),
    ...(data.kept.length === 0 ? ['Nothing else keeps working: sign in with the new password.'] : ['Still working:', ...data.kept]),
    ...(data.addressVerified ? ['The reset link also confirmed this email address.'] : []),
    'If you did not reset your password, reset it again right away and contact support.',
  ];
  return render('Your password was reset', data.name, lines);
}

export function emailChangeConfirmationMail(data: EmailChangeConfirmationMailData): MailContent {
  const link = emailVerificationLink(data.frontendUrl, data.token);
  const lines = [
    `Please confirm that this address should become the email address of your ${APP_NAME} account.`,
    `This link expires in ${EMAIL_VERIFICATION_TTL_HOURS} hours. Until it is opened, the account keeps its current address.`,
    'If you did not ask for this change, ignore this email.',
  ];
  return render('Confirm your new email address', data.name, lines, { label: 'Confirm email address', link });
}

export function emailChangeRequestedMail(data: EmailChangeRequestedMailData): MailContent {
  const link = cancelEmailChangeLink(data.frontendUrl, data.token);
  const lines = [
    `Someone asked to change the email address of your ${APP_NAME} account to ${data.newEmail}.`,
    'Nothing changes until the new address confirms it; this address keeps receiving the account mail meanwhile.',
    `If it was not you, open the link: it cancels the change, or undoes it within ${EMAIL_CHANGE_REVERT_DAYS} days if it was already confirmed, and signs out every session.`,
  ];
  return render('Your email address is about to change', data.name, lines, { label: 'Cancel the change', link });
}

export function emailChangeRevertedMail(data: EmailChangeRevertedMailData): MailContent {
  const lines = [
    `The email address of your ${APP_NAME} account is this one again; ${data.revertedEmail} no longer is.`,
    'Every session was signed out, every API key deleted, and the password replaced: set a new one with the reset link we sent in a separate email.',
    'If you did not ask for this, contact support right away.',
  ];
  return render('Your email address was restored', data.name, lines);
}

export function adminChangedAccountMail(data: AdminChangedAccountMailData): MailContent {
  const lines = [
    `An administrator changed your ${APP_NAME} account: ${data.changes.join(', ')}.`,
    'If you did not expect this, contact support right away.',
  ];
  return render('An administrator changed your account', data.name, lines);
}

export function emailChangedMail(data: EmailChangedMailData): MailContent {
  const lines = [
    `The email address of your ${APP_NAME} account was changed to ${data.newEmail}.`,
    'This address will no longer receive messages about the account.',
    'If you did not make this change, contact support right away.',
  ];
  return render('Your email address was changed', data.name, lines);
}

export function accountDeletedMail(data: AccountDeletedMailData): MailContent {
  const lines = [
    `Your ${APP_NAME} account ${data.username} was deleted, with its sessions, API keys, two-factor settings and pictures.`,
    'The username and this email address are free again; nothing about the account can be restored.',
    data.byAdministrator
      ? 'An administrator deleted it. If you did not expect this, contact support.'
      : 'If you did not delete it, someone else knew your password: change it wherever you used it, and contact support.',
  ];
  return render('Your account was deleted', data.name, lines);
}

export function loginLockoutMail(data: LoginLockoutMailData): MailContent {
  const wait = data.minutes === 1 ? '1 minute' : `${data.minutes} minutes`;
  const lines = [
    `Logins to your ${APP_NAME} account were paused for ${wait} after repeated failed attempts (the last from ${data.ip}).`,
    'If these attempts were yours, wait and try again. If not, someone may be guessing your password: once logins resume, change it to one you use nowhere else and turn on two-factor authentication.',
  ];
  return render('Repeated failed logins to your account', data.name, lines);
}

/** Per kind: the subject, what happened, what else to say about it, and how to undo it. */
function describeAdded(added: AddedCredential): { subject: string; what: string; details: string[]; undo: string } {
  const reset = 'or reset your password (“Forgot password”), which signs everyone out';
  switch (added.kind) {
    case 'passkey':
      return {
        subject: 'A passkey was added to your account',
        what: `A passkey named “${added.name}” was added to your ${APP_NAME} account`,
        details: [],
        undo: `If this was not you, sign in and remove the passkey, ${reset} and removes every passkey.`,
      };
    case 'two-factor':
      return {
        subject: 'Two-factor authentication was turned on',
        what: `Two-factor authentication by ${added.method === 'totp' ? 'an authenticator app' : 'text message'} was turned on for your ${APP_NAME} account`,
        details: [],
        undo: `If this was not you, sign in and turn two-factor authentication off, ${reset}; if you cannot pass the new second factor, contact support.`,
      };
    case 'recovery-codes':
      return {
        subject: 'New two-factor recovery codes were generated',
        what: `New two-factor recovery codes were generated for your ${APP_NAME} account (the previous ones no longer work)`,
        details: [],
        undo: `If this was not you, sign in and generate new codes, ${reset}.`,
      };
    case 'identity':
      return {
        subject: `Sign-in with ${added.provider} was linked to your account`,
        what: `An account at ${added.provider}${added.email ? ` (${added.email})` : ''} was linked to your ${APP_NAME} account: it can now sign in to it`,
        details: [],
        undo: `If this was not you, sign in and unlink it, ${reset} and unlinks every identity provider.`,
      };
    case 'api-key':
      return {
        subject: 'A new API key was created',
        what: `A new API key was created on your ${APP_NAME} account`,
        details: [`Key: ${added.identifier} (${added.description})`, `Scopes: ${added.scopes.join(', ')}`, `Expires: ${added.expiresAt ?? 'never'}`],
        undo: `If this was not you, sign in and delete the key, ${reset} and deletes every API key.`,
      };
  }
}

/** Every credential added is announced to the address of record: what, when, from which address and device, and how to undo it. */
export function credentialAddedMail(data: CredentialAddedMailData): MailContent {
  const { subject, what, details, undo } = describeAdded(data.added);
  const lines = [
    `${what} on ${formatDateTime(data.at)} UTC, from the address ${data.ip}.`,
    ...details,
    `Device: ${data.userAgent.trim() || 'unknown'}`,
    undo,
  ];
  return render(subject, data.name, lines);
}

export function apiKeysRevokedMail(data: ApiKeysRevokedMailData): MailContent {
  const lines = [
    `Someone reported ${data.identifiers.length === 1 ? 'an API key' : 'API keys'} of your ${APP_NAME} account as leaked, ` +
      `with the full secret, so ${data.identifiers.length === 1 ? 'it was' : 'they were'} revoked: ${data.identifiers.join(', ')}.`,
    'Anything that used these keys stops working; create a new key for it and keep its secret out of code and logs.',
  ];
  return render(data.identifiers.length === 1 ? 'An API key was revoked' : 'API keys were revoked', data.name, lines);
}

export function webhookDisabledMail(data: WebhookDisabledMailData): MailContent {
  const why =
    data.reason === 'gone'
      ? 'its receiver answered 410 Gone, which asks for no more deliveries'
      : `every delivery to it failed for ${data.hours} hours`;
  const lines = [
    `The ${APP_NAME} webhook endpoint ${data.url} was disabled: ${why}.`,
    'Events are no longer sent to it. Fix the receiver, then enable the endpoint again (PATCH /api/admin/webhooks/{id} with "enabled": true) ' +
      'and send the failed deliveries again from its delivery list.',
  ];
  return render('A webhook endpoint was disabled', data.name, lines);
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
