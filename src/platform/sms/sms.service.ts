import { Injectable } from '@nestjs/common';
import { DomainError } from '../errors/domain-error.js';
import { SMS_ERRORS } from './errors.js';
import { RateLimiterService, type RateLimitRule } from '../rate-limit/rate-limiter.service.js';
import type { AppConfig, SmsBudgets } from '../config/app-config.js';
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

/** Who a text is sent for: its account and the client address that asked (CONTRACT §10 SMS budgets). */
export interface SmsSender {
  userId: number;
  ip: string;
}

/**
 * Sends text messages through the driver chosen by SMS_DRIVER. Unlike mail, callers await `send`:
 * a code that did not leave must be reported (DomainError GATEWAY_FAILED, 502).
 */
@Injectable()
export class SmsService {
  private readonly transport: SmsTransport;
  private readonly logTransport?: LogSmsTransport;
  private readonly budgets: SmsBudgets;
  private readonly perAccount: RateLimitRule;
  private readonly perDestination: RateLimitRule;
  private readonly perIp: RateLimitRule;
  private readonly overall: RateLimitRule;

  constructor(
    @InjectConfig() config: AppConfig,
    private readonly rateLimiter: RateLimiterService,
  ) {
    // Every text costs money and can be aimed at premium or foreign numbers (SMS pumping): each is budgeted.
    this.budgets = config.sms;
    const hourly = (name: string, points: number): RateLimitRule => ({ name, points, durationSeconds: 3600 });
    this.perAccount = hourly('sms-account', config.sms.perDestinationPerHour);
    this.perDestination = hourly('sms-destination', config.sms.perDestinationPerHour);
    this.perIp = hourly('sms-ip', config.sms.perIpPerHour);
    this.overall = hourly('sms-all', config.sms.maxPerHour);
    if (config.smsDriver === 'http') {
      // loadConfig guarantees SMS_HTTP_URL with this driver.
      this.transport = new HttpSmsTransport(config.smsHttpUrl!);
    } else {
      this.logTransport = new LogSmsTransport();
      this.transport = this.logTransport;
    }
  }

  /**
   * Texts `to`, within the budgets: only to allowed calling codes (422 on `country_code`), and per account, per
   * destination, per client address and overall per hour (429). A refused text spends no budget and sends nothing.
   * A gateway failure (502) keeps its budget spent: the gateway may have sent it all the same.
   */
  async send(to: SmsRecipient, message: string, sender: SmsSender): Promise<void> {
    const allowed = this.budgets.allowedCallingCodes;
    if (allowed && !allowed.includes(to.countryCode)) throw new DomainError(SMS_ERRORS.CALLING_CODE_REFUSED);
    const e164 = toE164(to);
    await this.rateLimiter.consumeAll([
      { rule: this.perAccount, key: String(sender.userId) },
      { rule: this.perDestination, key: e164 },
      { rule: this.perIp, key: sender.ip },
      { rule: this.overall, key: 'all' },
    ]);
    await this.transport.deliver(e164, message);
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
