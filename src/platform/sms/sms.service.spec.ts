import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { startSmsSink, type SmsSink } from '../../../test/support/sms-sink.js';
import { DomainError } from '../errors/domain-error.js';
import { loadConfig } from '../config/app-config.js';
import { HttpSmsTransport } from './sms-transports.js';
import { SmsService, toE164 } from './sms.service.js';
import { RateLimiterService } from '../rate-limit/rate-limiter.service.js';

const sender = { userId: 1, ip: '127.0.0.1', purpose: 'login' } as const;
/** An SmsService with in-process budgets, as the app builds it without REDIS_URL. */
function smsService(env: Record<string, string>): SmsService {
  const config = loadConfig({ SMS_PER_DESTINATION_PER_HOUR: '1000', SMS_PER_IP_PER_HOUR: '1000', ...env });
  return new SmsService(config, new RateLimiterService(config));
}

const serbian = { countryCode: 381, number: '641234567' };

async function failure(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

describe('SmsService, http driver', () => {
  let sink: SmsSink;
  let sms: SmsService;
  let errors: ReturnType<typeof jest.spyOn>;

  beforeEach(async () => {
    sink = await startSmsSink();
    sms = smsService({ SMS_DRIVER: 'http', SMS_HTTP_URL: sink.url });
    errors = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    await sink.close();
  });

  it('POSTs the documented JSON and resolves once the gateway accepts it', async () => {
    await sms.send(serbian, 'Your code is 123456', sender);
    expect(sink.messages).toHaveLength(1);
    expect(sink.messages[0].body).toEqual({ to: '+381641234567', message: 'Your code is 123456' });
    expect(sink.messages[0].contentType).toBe('application/json');
    expect(sms.outbox).toEqual([]);
  });

  it.each([500, 404, 429])('reports a %i from the gateway as GATEWAY_FAILED (502), logging no message text', async (status) => {
    sink.failWith(status);
    const error = await failure(sms.send(serbian, 'Your code is 654321', sender));
    expect(error.code).toBe('GATEWAY_FAILED');
    expect(error.status).toBe(502);
    expect(error.message).toBe('The SMS could not be sent. Please try again later.');
    expect(errors).toHaveBeenCalledWith(expect.objectContaining({ msg: 'SMS gateway refused the message', status }));
    expect(JSON.stringify(errors.mock.calls)).not.toContain('654321');
    expect(JSON.stringify(errors.mock.calls)).not.toContain('641234567');
  });

  it('reports a gateway that is down as GATEWAY_FAILED', async () => {
    await sink.close();
    const error = await failure(sms.send(serbian, 'Your code is 111111', sender));
    expect(error.code).toBe('GATEWAY_FAILED');
    expect(errors).toHaveBeenCalledWith(expect.objectContaining({ msg: 'SMS gateway unreachable', error: 'ECONNREFUSED' }));
  });

  it('gives up on a gateway that does not answer in time', async () => {
    sink.failWith('timeout');
    const error = await failure(new HttpSmsTransport(sink.url, 50).deliver('+381641234567', 'Your code is 222222'));
    expect(error.code).toBe('GATEWAY_FAILED');
    expect(errors).toHaveBeenCalledWith(expect.objectContaining({ error: 'no answer within 50 ms' }));
  });

  it('recovers once the gateway does', async () => {
    sink.failWith(503);
    await failure(sms.send(serbian, 'first', sender));
    sink.failWith(null);
    await sms.send(serbian, 'second', sender);
    expect(sink.messages.map((m) => m.message)).toEqual(['second']);
  });
});

describe('SmsService, log driver', () => {
  afterEach(() => jest.restoreAllMocks());

  it('logs each message and keeps the latest ones for tests', async () => {
    const logs = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    const sms = smsService({});
    await sms.send(serbian, 'Your code is 333333', sender);
    await sms.send({ countryCode: 1, number: '202-555-0100' }, 'Your code is 444444', sender);

    expect(logs).toHaveBeenCalledWith(expect.objectContaining({ to: '+381641234567', message: 'Your code is 333333' }));
    expect(sms.outbox.map((m) => m.to)).toEqual(['+381641234567', '+12025550100']);
    expect(sms.sentTo(serbian).map((m) => m.message)).toEqual(['Your code is 333333']);
    expect(sms.sentTo('+12025550100')[0].message).toBe('Your code is 444444');

    for (let i = 0; i < 120; i++) await sms.send(serbian, `bulk ${i}`, sender);
    expect(sms.outbox).toHaveLength(100);
    expect(sms.outbox.at(-1)?.message).toBe('bulk 119');
  });

  it('formats recipients as +<calling code><digits>', () => {
    expect(toE164({ countryCode: 44, number: '7700 900123' })).toBe('+447700900123');
  });
});

describe('SmsService, budgets', () => {
  afterEach(() => jest.restoreAllMocks());

  it('counts enrolment and login texts to one number apart: enrolments others ask for leave the login codes alone', async () => {
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    const sms = smsService({ SMS_PER_DESTINATION_PER_HOUR: '2' });
    const enrolment = (userId: number) => sms.send(serbian, 'enrol', { userId, ip: `192.0.2.${userId}`, purpose: 'enrolment' });
    const login = () => sms.send(serbian, 'login', { userId: 99, ip: '198.51.100.1', purpose: 'login' });
    await enrolment(1);
    await enrolment(2);
    expect((await failure(enrolment(3))).status).toBe(429);
    await login();
    await login();
    expect((await failure(login())).status).toBe(429);
    expect(sms.sentTo(serbian).map((m) => m.message)).toEqual(['enrol', 'enrol', 'login', 'login']);
  });

  it('caps the enrolment texts of one account at SMS_ENROLMENT_PER_ACCOUNT_PER_HOUR, whichever numbers', async () => {
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    const sms = smsService({ SMS_ENROLMENT_PER_ACCOUNT_PER_HOUR: '3' });
    const enrol = (number: string) => sms.send({ countryCode: 381, number }, 'enrol', { userId: 7, ip: '192.0.2.1', purpose: 'enrolment' });
    for (const number of ['641000001', '641000002', '641000003']) await enrol(number);
    expect((await failure(enrol('641000004'))).status).toBe(429);
  });
});
