import { Global, Module } from '@nestjs/common';
import { SmsService } from './sms.service.js';

/** Text messages for two-factor codes (docs/configuration.md#mail-and-sms SMS_DRIVER, SMS_HTTP_URL); global so any capability can send. */
@Global()
@Module({ providers: [SmsService], exports: [SmsService] })
export class SmsModule {}
