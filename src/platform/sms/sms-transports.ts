import { Logger } from '@nestjs/common';
import { DomainError } from '../errors/domain-error.js';
import { SMS_ERRORS } from './errors.js';

/** Delivers one text message to an E.164 number (`+381641234567`); throws DomainError GATEWAY_FAILED on failure. */
export interface SmsTransport {
  deliver(to: string, message: string): Promise<void>;
}

export interface SentSms {
  to: string;
  message: string;
  sentAt: Date;
}

/** Keeps the number recognisable in a log without writing it out whole. */
export function maskPhone(e164: string): string {
  return e164.length <= 6 ? '***' : `${e164.slice(0, 4)}***${e164.slice(-2)}`;
}

/**
 * Development driver: the message goes to the log and into a bounded in-memory outbox, where tests read it.
 * The log line holds the code on purpose (there is no phone to receive it); `http` is the driver for real use.
 */
export class LogSmsTransport implements SmsTransport {
  static readonly OUTBOX_SIZE = 100;
  readonly outbox: SentSms[] = [];
  private readonly logger = new Logger('SmsService');

  async deliver(to: string, message: string): Promise<void> {
    this.outbox.push({ to, message, sentAt: new Date() });
    if (this.outbox.length > LogSmsTransport.OUTBOX_SIZE) this.outbox.shift();
    this.logger.log({ msg: 'SMS written to the log (SMS_DRIVER=log)', to, message });
  }
}

/** POSTs `{"to", "message"}` as JSON to the gateway; any network error, timeout or non-2xx answer is a failure. */
export class HttpSmsTransport implements SmsTransport {
  private readonly logger = new Logger('SmsService');

  constructor(
    private readonly url: string,
    private readonly timeoutMs = 5_000,
  ) {}

  async deliver(to: string, message: string): Promise<void> {
    let response: Response;
    try {
      response = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ to, message }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      // The message carries a code: log only where it was going and why it failed.
      const reason = (error as Error | undefined)?.name === 'TimeoutError' ? `no answer within ${this.timeoutMs} ms` : describe(error);
      this.logger.error({ msg: 'SMS gateway unreachable', to: maskPhone(to), error: reason });
      throw new DomainError(SMS_ERRORS.GATEWAY_FAILED, { cause: error });
    }
    // The body is not used; discarding it frees the connection.
    await response.body?.cancel().catch(() => undefined);
    if (!response.ok) {
      this.logger.error({ msg: 'SMS gateway refused the message', to: maskPhone(to), status: response.status });
      throw new DomainError(SMS_ERRORS.GATEWAY_FAILED);
    }
  }
}

/**
 * fetch wraps socket errors (`ECONNREFUSED`, …) in a TypeError whose cause says what happened.
 * Read by shape, not `instanceof`: fetch's errors may come from another realm (jest's VM contexts).
 */
function describe(error: unknown): string {
  const { message, cause } = (error ?? {}) as { message?: string; cause?: { code?: string; message?: string } };
  return cause?.code ?? cause?.message ?? message ?? String(error);
}
