import { Global, Module } from '@nestjs/common';
import { MailService } from './mail.service.js';

/** Account mails (docs/configuration.md#mail-and-sms SMTP_URL, MAIL_FROM, FRONTEND_URL); global so any capability can send. */
@Global()
@Module({ providers: [MailService], exports: [MailService] })
export class MailModule {}
