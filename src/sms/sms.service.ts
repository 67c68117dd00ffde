import { Injectable } from '@nestjs/common';
import type { AppConfig } from '../config/app-config.js';
import { InjectConfig } from '../config/config.module.js';
import { HttpSmsTransport, LogSmsTransport, type SentSms, type SmsTransport } from './sms-transports.js';

export interface SmsRecipient {
  /** Calling code without `+` (381 for Serbia). */
  countryCode: number;
  /** National number, digits. */
  number: string;
}

/** `+<calling code><number>`, the form the gateway receives; separators in the number are dropped. */
export function toE164(to: SmsRecipient): string {
  return `+${to.countryCode}${to.number.replace(/\D/g, '')}`;
}

/**
 * Sends text messages through the driver chosen by SMS_DRIVER. Unlike mail, callers await `send`:
 * a code that did not leave must be reported (DomainError GATEWAY_FAILED, 502).
 */
@Injectable()
export class SmsService {
  private readonly transport: SmsTransport;
  private readonly logTransport?: LogSmsTransport;

  constructor(@InjectConfig() config: AppConfig) {
    if (config.smsDriver === 'http') {
      // loadConfig guarantees SMS_HTTP_URL with this driver.
      this.transport = new HttpSmsTransport(config.smsHttpUrl!);
    } else {
      this.logTransport = new LogSmsTransport();
      this.transport = this.logTransport;
    }
  }

  async send(to: SmsRecipient, message: string): Promise<void> {
    await this.transport.deliver(toE164(to), message);
  }

  /** Messages kept by the `log` driver, oldest first (always empty with `http`: read the gateway instead). */
  get outbox(): readonly SentSms[] {
    return this.logTransport?.outbox ?? [];
  }

  /** Messages the `log` driver kept for one recipient, oldest first. */
  sentTo(to: SmsRecipient | string): SentSms[] {
    const number = typeof to === 'string' ? to : toE164(to);
    return this.outbox.filter((sms) => sms.to === number);
  }
}
