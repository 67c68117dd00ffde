import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { Transporter } from 'nodemailer';
import type { AppConfig } from '../config/app-config.js';
import { InjectConfig } from '../config/config.module.js';
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
  passwordChangedMail,
  passwordResetMail,
  passwordResetNoticeMail,
  signUpAttemptMail,
  type AccountDeletedMailData,
  type AdminChangedAccountMailData,
  type ApiKeysRevokedMailData,
  type CredentialAddedMailData,
  type LoginLockoutMailData,
  type MailContent,
  type PasswordChangedMailData,
  type PasswordResetNoticeMailData,
} from './mail-templates.js';

type MailKind =
  | 'password-reset'
  | 'email-verification'
  | 'sign-up-attempt'
  | 'password-changed'
  | 'password-reset-notice'
  | 'email-changed'
  | 'email-change-confirmation'
  | 'email-change-requested'
  | 'email-change-reverted'
  | 'admin-changed-account'
  | 'login-lockout'
  | 'credential-added'
  | 'api-keys-revoked'
  | 'account-deleted';

/**
 * Sends the account mails. SMTP when SMTP_URL is set; otherwise the mail is only written to the log
 * (development; loadConfig refuses that in production).
 *
 * The public send methods never throw and never make the caller wait: they start the delivery in the
 * background and a failure is logged (without the body, which carries tokens). Tests await `flush()`.
 */
@Injectable()
export class MailService implements OnApplicationShutdown {
  private readonly logger = new Logger(MailService.name);
  private smtp?: Transporter;
  private readonly pending = new Set<Promise<void>>();

  constructor(@InjectConfig() private readonly config: AppConfig) {}

  sendPasswordReset(to: string, data: { token: string; email: string; name: string }): void {
    this.enqueue('password-reset', to, () => passwordResetMail({ frontendUrl: this.config.frontendUrl, ...data }));
  }

  sendEmailVerification(to: string, data: { token: string; name: string }): void {
    this.enqueue('email-verification', to, () => emailVerificationMail({ frontendUrl: this.config.frontendUrl, ...data }));
  }

  /** Someone tried to register this address, which already has an account; goes to that address. */
  sendSignUpAttemptNotice(to: string, data: { name: string }): void {
    this.enqueue('sign-up-attempt', to, () => signUpAttemptMail(data));
  }

  sendPasswordChangedNotice(to: string, data: PasswordChangedMailData): void {
    this.enqueue('password-changed', to, () => passwordChangedMail(data));
  }

  /** After a reset: what the reset ended, what keeps working, and whether it verified the address. */
  sendPasswordResetNotice(to: string, data: PasswordResetNoticeMailData): void {
    this.enqueue('password-reset-notice', to, () => passwordResetNoticeMail(data));
  }

  /** The link that applies a pending email change; goes to the new address. */
  sendEmailChangeConfirmation(newAddress: string, data: { token: string; name: string }): void {
    this.enqueue('email-change-confirmation', newAddress, () => emailChangeConfirmationMail({ frontendUrl: this.config.frontendUrl, ...data }));
  }

  /** The notice of a pending email change, with its cancel link; goes to the current address. */
  sendEmailChangeRequested(currentAddress: string, data: { token: string; name: string; newEmail: string }): void {
    this.enqueue('email-change-requested', currentAddress, () => emailChangeRequestedMail({ frontendUrl: this.config.frontendUrl, ...data }));
  }

  /** After the cancel link undid a confirmed change; goes to the restored address. */
  sendEmailChangeReverted(to: string, data: { name: string; revertedEmail: string }): void {
    this.enqueue('email-change-reverted', to, () => emailChangeRevertedMail(data));
  }

  /** An administrator changed the account's credentials, role or status; goes to the address of record. */
  sendAdminChangedAccount(to: string, data: AdminChangedAccountMailData): void {
    this.enqueue('admin-changed-account', to, () => adminChangedAccountMail(data));
  }

  /** Goes to the previous address, so its owner learns about a change they may not have made. */
  sendEmailChangedNotice(oldAddress: string, data: { name: string; newEmail: string }): void {
    this.enqueue('email-changed', oldAddress, () => emailChangedMail(data));
  }

  /** Tells the owner their logins are paused after repeated failures: someone else may be guessing. */
  sendLoginLockoutNotice(to: string, data: LoginLockoutMailData): void {
    this.enqueue('login-lockout', to, () => loginLockoutMail(data));
  }

  /** A passkey, a two-factor method, recovery codes or an API key was added; goes to the address of record. */
  sendCredentialAddedNotice(to: string, data: CredentialAddedMailData): void {
    this.enqueue('credential-added', to, () => credentialAddedMail(data));
  }

  /** After leaked keys were reported (POST /api/client/account/api-keys/revoke) and revoked. */
  sendApiKeysRevokedNotice(to: string, data: ApiKeysRevokedMailData): void {
    this.enqueue('api-keys-revoked', to, () => apiKeysRevokedMail(data));
  }

  /** The confirmation that an account is gone, to its last address. */
  sendAccountDeletedNotice(to: string, data: AccountDeletedMailData): void {
    this.enqueue('account-deleted', to, () => accountDeletedMail(data));
  }

  /** Resolves once every delivery started so far has finished (sent or failed and logged). */
  async flush(): Promise<void> {
    while (this.pending.size > 0) await Promise.all(this.pending);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.flush();
    this.smtp?.close();
  }

  /** Rendering happens in the background too, so nothing about a mail can throw into the caller's request. */
  private enqueue(kind: MailKind, to: string, render: () => MailContent): void {
    const delivery: Promise<void> = this.deliver(kind, to, render).finally(() => this.pending.delete(delivery));
    this.pending.add(delivery);
  }

  private async deliver(kind: MailKind, to: string, render: () => MailContent): Promise<void> {
    try {
      const content = render();
      if (!this.config.smtpUrl) {
        this.logger.log({ msg: 'Mail written to the log (SMTP_URL is not set)', kind, to, subject: content.subject, text: content.text });
        return;
      }
      const smtp = await this.transport(this.config.smtpUrl);
      await smtp.sendMail({ to, subject: content.subject, text: content.text, html: content.html });
    } catch (error) {
      // Only the error's own fields: the message body holds tokens and links that must not reach the log.
      const { message, code, responseCode } = (error ?? {}) as { message?: string; code?: string; responseCode?: number };
      this.logger.error({ msg: 'Mail delivery failed', kind, to, error: message, code, responseCode });
    }
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
