import { Injectable } from '@nestjs/common';
import { DomainError } from '../errors/domain-error.js';
import { SMS_ERRORS } from './errors.js';
import { RateLimiterService, type RateLimitRule } from '../rate-limit/rate-limiter.service.js';
import { addressKey } from '../rate-limit/client-address.js';
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

/**
 * What a text is for: confirming a phone being enrolled, or a sign-in's code. Each has budgets of its own, so texts
 * anyone may ask for (enrolling any number on their own account) never spend the owner's login codes.
 */
export type SmsPurpose = 'enrolment' | 'login';

/** Who a text is sent for: its account, the client address that asked, and what it is for. */
export interface SmsSender {
  userId: number;
  ip: string;
  purpose: SmsPurpose;
}

/** The hourly counters of one purpose. */
interface SmsBudgetRules {
  perAccount: RateLimitRule;
  perDestination: RateLimitRule;
  perIp: RateLimitRule;
  overall: RateLimitRule;
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
  private readonly rules: Record<SmsPurpose, SmsBudgetRules>;

  constructor(
    @InjectConfig() config: AppConfig,
    private readonly rateLimiter: RateLimiterService,
  ) {
    // Every text costs money and can be aimed at premium or foreign numbers (SMS pumping): each is budgeted.
    this.budgets = config.sms;
    const hourly = (name: string, points: number): RateLimitRule => ({ name, points, durationSeconds: 3600 });
    const { perDestinationPerHour, enrolmentPerAccountPerHour, perIpPerHour, maxPerHour } = config.sms;
    this.rules = {
      // The login counters keep the names they had when they were the only ones.
      login: {
        perAccount: hourly('sms-account', perDestinationPerHour),
        perDestination: hourly('sms-destination', perDestinationPerHour),
        perIp: hourly('sms-ip', perIpPerHour),
        overall: hourly('sms-all', maxPerHour),
      },
      enrolment: {
        perAccount: hourly('sms-enrolment-account', enrolmentPerAccountPerHour),
        perDestination: hourly('sms-enrolment-destination', perDestinationPerHour),
        perIp: hourly('sms-enrolment-ip', perIpPerHour),
        overall: hourly('sms-enrolment-all', maxPerHour),
      },
    };
    if (config.smsDriver === 'http') {
      // loadConfig guarantees SMS_HTTP_URL with this driver.
      this.transport = new HttpSmsTransport(config.smsHttpUrl!);
    } else {
      this.logTransport = new LogSmsTransport();
      this.transport = this.logTransport;
    }
  }

  /**
   * Texts `to`, within the budgets of the sender's purpose: only to allowed calling codes (422 on `country_code`),
   * and per account, per destination, per client address and overall per hour (429). A refused text spends no
   * budget and sends nothing. A gateway failure (502) keeps its budget spent: the gateway may have sent it all the same.
   */
  async send(to: SmsRecipient, message: string, sender: SmsSender): Promise<void> {
    const allowed = this.budgets.allowedCallingCodes;
    if (allowed && !allowed.includes(to.countryCode)) throw new DomainError(SMS_ERRORS.CALLING_CODE_REFUSED);
    const e164 = toE164(to);
    const rules = this.rules[sender.purpose];
    await this.rateLimiter.consumeAll([
      { rule: rules.perAccount, key: String(sender.userId) },
      { rule: rules.perDestination, key: e164 },
      { rule: rules.perIp, key: addressKey(sender.ip) },
      { rule: rules.overall, key: 'all' },
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
