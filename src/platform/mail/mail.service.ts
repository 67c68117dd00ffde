import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { Transporter } from 'nodemailer';
import type { EntityManager } from 'typeorm';
import type { AppConfig } from '../config/app-config.js';
import { InjectConfig } from '../config/config.module.js';
import { OutboxService, type OutboxDeliverer, type OutboxDelivery } from '../outbox/outbox.service.js';
import {
  accountDeletedMail,
  adminChangedAccountMail,
  apiKeysRevokedMail,
  credentialAddedMail,
  emailChangeConfirmationMail,
  emailChangedMail,
  emailChangeRequestedMail,
  emailChangeRevertedMail,
  emailVerificationMail,
  loginLockoutMail,
  organizationInvitationMail,
  type OrganizationInvitationMailData,
  passwordChangedMail,
  passwordResetMail,
  passwordResetNoticeMail,
  signUpAttemptMail,
  webhookDisabledMail,
  type AccountDeletedMailData,
  type AdminChangedAccountMailData,
  type ApiKeysRevokedMailData,
  type CredentialAddedMailData,
  type LoginLockoutMailData,
  type EmailChangeRequestedMailData,
  type EmailChangeRevertedMailData,
  type MailContent,
  type PasswordChangedMailData,
  type PasswordResetNoticeMailData,
  type WebhookDisabledMailData,
} from './mail-templates.js';

/** Each kind's template; the frontend URL is the one configured when the mail goes out. */
const TEMPLATES = {
  'password-reset': (data: { token: string; email: string; name: string }, frontendUrl: string) => passwordResetMail({ frontendUrl, ...data }),
  'email-verification': (data: { token: string; name: string }, frontendUrl: string) => emailVerificationMail({ frontendUrl, ...data }),
  'sign-up-attempt': (data: { name: string }) => signUpAttemptMail(data),
  'password-changed': (data: PasswordChangedMailData) => passwordChangedMail(data),
  'password-reset-notice': (data: PasswordResetNoticeMailData) => passwordResetNoticeMail(data),
  'email-changed': (data: { name: string; newEmail: string }) => emailChangedMail(data),
  'email-change-confirmation': (data: { token: string; name: string }, frontendUrl: string) => emailChangeConfirmationMail({ frontendUrl, ...data }),
  'email-change-requested': (data: Omit<EmailChangeRequestedMailData, 'frontendUrl'>, frontendUrl: string) =>
    emailChangeRequestedMail({ frontendUrl, ...data }),
  'email-change-reverted': (data: EmailChangeRevertedMailData) => emailChangeRevertedMail(data),
  'admin-changed-account': (data: AdminChangedAccountMailData) => adminChangedAccountMail(data),
  'login-lockout': (data: LoginLockoutMailData) => loginLockoutMail(data),
  'credential-added': (data: CredentialAddedMailData) => credentialAddedMail(data),
  'api-keys-revoked': (data: ApiKeysRevokedMailData) => apiKeysRevokedMail(data),
  'account-deleted': (data: AccountDeletedMailData) => accountDeletedMail(data),
  'organization-invitation': (data: Omit<OrganizationInvitationMailData, 'frontendUrl'>, frontendUrl: string) =>
    organizationInvitationMail({ frontendUrl, ...data }),
  'webhook-disabled': (data: WebhookDisabledMailData) => webhookDisabledMail(data),
} satisfies Record<string, (data: never, frontendUrl: string) => MailContent>;

type MailKind = keyof typeof TEMPLATES;
type MailData<K extends MailKind> = Parameters<(typeof TEMPLATES)[K]>[0];

/** The outbox channel of mail. */
export const MAIL_CHANNEL = 'mail';

/**
 * The account mails. Each send method writes the mail to the outbox on the caller's EntityManager, in the
 * transaction of the change that causes it: the mail exists if and only if the change commits, and the caller waits
 * for an INSERT, never for SMTP. The outbox workers deliver it here (SMTP when SMTP_URL is set; otherwise the mail is
 * only written to the log, in development: loadConfig refuses that in production), retrying for MAIL_RETRY_HOURS.
 *
 * Every mail's Message-ID is made from its outbox row, so a retry after an uncertain failure (the server took the
 * mail but the answer was lost) is the same mail again, which receivers can tell.
 */
@Injectable()
export class MailService implements OutboxDeliverer, OnApplicationShutdown {
  private readonly logger = new Logger(MailService.name);
  private smtp?: Transporter;
  private readonly messageIdDomain: string;

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly outbox: OutboxService,
  ) {
    outbox.register(MAIL_CHANNEL, this);
    this.messageIdDomain = /@([^\s>]+)/.exec(config.mailFrom)?.[1] ?? 'localhost';
  }

  sendPasswordReset(manager: EntityManager, to: string, data: MailData<'password-reset'>): Promise<void> {
    return this.enqueue(manager, 'password-reset', to, data);
  }

  sendEmailVerification(manager: EntityManager, to: string, data: MailData<'email-verification'>): Promise<void> {
    return this.enqueue(manager, 'email-verification', to, data);
  }

  /** Someone tried to register this address, which already has an account; goes to that address. */
  sendSignUpAttemptNotice(manager: EntityManager, to: string, data: MailData<'sign-up-attempt'>): Promise<void> {
    return this.enqueue(manager, 'sign-up-attempt', to, data);
  }

  sendPasswordChangedNotice(manager: EntityManager, to: string, data: MailData<'password-changed'>): Promise<void> {
    return this.enqueue(manager, 'password-changed', to, data);
  }

  /** After a reset: what the reset ended, what keeps working, and whether it verified the address. */
  sendPasswordResetNotice(manager: EntityManager, to: string, data: MailData<'password-reset-notice'>): Promise<void> {
    return this.enqueue(manager, 'password-reset-notice', to, data);
  }

  /** The link that applies a pending email change; goes to the new address. */
  sendEmailChangeConfirmation(manager: EntityManager, newAddress: string, data: MailData<'email-change-confirmation'>): Promise<void> {
    return this.enqueue(manager, 'email-change-confirmation', newAddress, data);
  }

  /** The notice of a pending email change, with its cancel link; goes to the current address. */
  sendEmailChangeRequested(manager: EntityManager, currentAddress: string, data: MailData<'email-change-requested'>): Promise<void> {
    return this.enqueue(manager, 'email-change-requested', currentAddress, data);
  }

  /** After the cancel link undid a confirmed change; goes to the restored address. */
  sendEmailChangeReverted(manager: EntityManager, to: string, data: MailData<'email-change-reverted'>): Promise<void> {
    return this.enqueue(manager, 'email-change-reverted', to, data);
  }

  /** An administrator changed the account's credentials, role or status; goes to the address of record. */
  sendAdminChangedAccount(manager: EntityManager, to: string, data: MailData<'admin-changed-account'>): Promise<void> {
    return this.enqueue(manager, 'admin-changed-account', to, data);
  }

  /** Goes to the previous address, so its owner learns about a change they may not have made. */
  sendEmailChangedNotice(manager: EntityManager, oldAddress: string, data: MailData<'email-changed'>): Promise<void> {
    return this.enqueue(manager, 'email-changed', oldAddress, data);
  }

  /** Tells the owner their logins are paused after repeated failures: someone else may be guessing. */
  sendLoginLockoutNotice(manager: EntityManager, to: string, data: MailData<'login-lockout'>): Promise<void> {
    return this.enqueue(manager, 'login-lockout', to, data);
  }

  /** A passkey, a two-factor method, recovery codes or an API key was added; goes to the address of record. */
  sendCredentialAddedNotice(manager: EntityManager, to: string, data: MailData<'credential-added'>): Promise<void> {
    return this.enqueue(manager, 'credential-added', to, data);
  }

  /** After leaked keys were reported (POST /api/client/account/api-keys/revoke) and revoked. */
  sendApiKeysRevokedNotice(manager: EntityManager, to: string, data: MailData<'api-keys-revoked'>): Promise<void> {
    return this.enqueue(manager, 'api-keys-revoked', to, data);
  }

  /** An invitation to an organization, with its single-use link; goes to the invited address. */
  sendOrganizationInvitation(manager: EntityManager, to: string, data: MailData<'organization-invitation'>): Promise<void> {
    return this.enqueue(manager, 'organization-invitation', to, data);
  }

  /**
   * The confirmation that an account is gone, to its last address. The account's other mails still in the outbox are
   * dropped, and this one's row goes once it is sent: nothing of the account stays.
   */
  async sendAccountDeletedNotice(manager: EntityManager, to: string, data: MailData<'account-deleted'>): Promise<void> {
    await this.outbox.forgetDestination(manager, MAIL_CHANNEL, to);
    await this.enqueue(manager, 'account-deleted', to, data, { deleteWhenSent: true });
  }

  /** Tells an administrator that a webhook endpoint was disabled (its receiver answered 410, or kept failing). */
  async sendWebhookDisabled(manager: EntityManager, to: string, data: MailData<'webhook-disabled'>): Promise<void> {
    await this.enqueue(manager, 'webhook-disabled', to, data);
  }

  /** Test hook: delivers every mail due now (committed, not waiting for a retry) before it resolves. */
  flush(): Promise<void> {
    return this.outbox.deliverDue();
  }

  /** Called by the outbox workers; throws (SMTP refused, a template failed) to have the mail retried. */
  async deliver(message: OutboxDelivery): Promise<void> {
    const render = TEMPLATES[message.kind as MailKind] as ((data: unknown, frontendUrl: string) => MailContent) | undefined;
    if (!render) throw new Error(`unknown mail kind ${message.kind}`);
    const content = render(message.payload, this.config.frontendUrl);
    const to = message.destination;
    if (!this.config.smtpUrl) {
      this.logger.log({ msg: 'Mail written to the log (SMTP_URL is not set)', kind: message.kind, to, subject: content.subject, text: content.text });
      return;
    }
    const smtp = await this.transport(this.config.smtpUrl);
    await smtp.sendMail({
      to,
      subject: content.subject,
      text: content.text,
      html: content.html,
      messageId: `<${message.id}@${this.messageIdDomain}>`,
    });
  }

  onApplicationShutdown(): void {
    this.smtp?.close();
  }

  private async enqueue<K extends MailKind>(manager: EntityManager, kind: K, to: string, data: MailData<K>, options: { deleteWhenSent?: boolean } = {}): Promise<void> {
    const retryForMs = this.config.outbox.mailRetryHours * 3_600_000;
    await this.outbox.add(manager, { channel: MAIL_CHANNEL, kind, destination: to, payload: data, retryForMs, ...options });
  }

  private async transport(smtpUrl: string): Promise<Transporter> {
    if (!this.smtp) {
      // Imported with the first mail rather than at start-up, to keep resident memory down.
      const { createTransport } = await import('nodemailer');
      // ??=: of deliveries that raced through the import, only the first creates the transport.
      this.smtp ??= createTransport(
        {
          url: smtpUrl,
          // Bounded, so a stalled mail server cannot keep deliveries (and shutdown) pending for minutes.
          connectionTimeout: 10_000,
          greetingTimeout: 10_000,
          socketTimeout: 30_000,
        },
        { from: this.config.mailFrom },
      );
    }
    return this.smtp;
  }
}
