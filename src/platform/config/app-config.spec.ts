import { availableParallelism } from 'node:os';
import { ConfigError, loadConfig } from './app-config.js';

function refusal(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('loadConfig: limits (docs/configuration.md#how-configuration-is-read)', () => {
  it('defaults every limit as docs/configuration.md says', () => {
    const config = loadConfig({});
    expect(config.rateLimits).toEqual({
      loginFailuresPerAccountIp: 5,
      loginFailuresPerAccount: 20,
      loginFailuresPerIp: 100,
      loginPerIp: 300,
      loginPerAccount: 30,
      registerPerHour: 20,
      passwordRemindPerHour: 5,
      passwordRemindPerIpPerHour: 20,
      apiPerMinute: 600,
    });
    expect(config.sms).toEqual({ perDestinationPerHour: 5, enrolmentPerAccountPerHour: 3, perIpPerHour: 20, maxPerHour: 500, allowedCallingCodes: null });
    expect(config.maxSessionsPerUser).toBe(100);
    expect(config.bodyLimitBytes).toBe(64 * 1024);
    expect(config.argon2MaxConcurrent).toBe(availableParallelism());
    expect(config.imageQueueLimit).toBe(20);
  });

  it.each([
    'RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT_IP',
    'RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT',
    'RATE_LIMIT_LOGIN_FAILURES_PER_IP',
    'RATE_LIMIT_LOGIN_PER_IP',
    'RATE_LIMIT_LOGIN_PER_ACCOUNT',
    'MAX_SESSIONS_PER_USER',
    'RATE_LIMIT_REGISTER_PER_HOUR',
    'RATE_LIMIT_REMIND_PER_HOUR',
    'RATE_LIMIT_REMIND_PER_IP_PER_HOUR',
    'RATE_LIMIT_API_PER_MINUTE',
    'SMS_PER_DESTINATION_PER_HOUR',
    'SMS_ENROLMENT_PER_ACCOUNT_PER_HOUR',
    'SMS_PER_IP_PER_HOUR',
    'SMS_MAX_PER_HOUR',
    'ARGON2_MAX_CONCURRENT',
    'IMAGE_QUEUE_LIMIT',
  ])('accepts %s from 1 to 1,000,000 and stops on anything else, naming it', (name) => {
    expect(() => loadConfig({ [name]: '1' })).not.toThrow();
    expect(() => loadConfig({ [name]: '1000000' })).not.toThrow();
    for (const bad of ['0', '1000001', '-3', '2.5', 'ten']) {
      const error = refusal({ [name]: bad });
      expect(error.variable).toBe(name);
      expect(error.message).toContain(name);
    }
  });

  it('reads BODY_LIMIT as body-parser sizes', () => {
    expect(loadConfig({ BODY_LIMIT: '1mb' }).bodyLimitBytes).toBe(1024 * 1024);
    expect(loadConfig({ BODY_LIMIT: '65536' }).bodyLimitBytes).toBe(65536);
    expect(loadConfig({ BODY_LIMIT: '100KB' }).bodyLimitBytes).toBe(100 * 1024);
    for (const bad of ['0kb', 'lots', '64 gigabytes', '1.5mb', '1000001kb']) expect(refusal({ BODY_LIMIT: bad }).variable).toBe('BODY_LIMIT');
  });

  it('reads SMS_ALLOWED_CALLING_CODES as "all" or a list of calling codes', () => {
    expect(loadConfig({ SMS_ALLOWED_CALLING_CODES: 'all' }).sms.allowedCallingCodes).toBeNull();
    expect(loadConfig({ SMS_ALLOWED_CALLING_CODES: '381, +44,1' }).sms.allowedCallingCodes).toEqual([381, 44, 1]);
    for (const bad of ['serbia', '0', '12345', '381,,44']) expect(refusal({ SMS_ALLOWED_CALLING_CODES: bad }).variable).toBe('SMS_ALLOWED_CALLING_CODES');
  });

  it('still starts when the removed RATE_LIMIT_LOGIN_PER_MINUTE is set', () => {
    expect(() => loadConfig({ RATE_LIMIT_LOGIN_PER_MINUTE: '10' })).not.toThrow();
  });
});

describe('loadConfig: API key lifetimes', () => {
  it('defaults to a 365-day maximum and no default lifetime', () => {
    expect(loadConfig({}).apiKeys).toEqual({ maxLifetimeDays: 365, defaultLifetimeDays: undefined });
  });

  it('reads both variables', () => {
    expect(loadConfig({ API_KEY_MAX_LIFETIME_DAYS: '90', API_KEY_DEFAULT_LIFETIME_DAYS: '30' }).apiKeys).toEqual({
      maxLifetimeDays: 90,
      defaultLifetimeDays: 30,
    });
  });

  it.each([
    [{ API_KEY_MAX_LIFETIME_DAYS: '0' }, 'API_KEY_MAX_LIFETIME_DAYS must be between 1 and 36500, got 0'],
    [{ API_KEY_MAX_LIFETIME_DAYS: 'a year' }, 'API_KEY_MAX_LIFETIME_DAYS must be a whole number, got "a year"'],
    [{ API_KEY_DEFAULT_LIFETIME_DAYS: '-1' }, 'API_KEY_DEFAULT_LIFETIME_DAYS must be a whole number, got "-1"'],
    [{ API_KEY_DEFAULT_LIFETIME_DAYS: '400' }, 'API_KEY_DEFAULT_LIFETIME_DAYS must not exceed API_KEY_MAX_LIFETIME_DAYS (365), got 400'],
  ])('refuses %j with one line naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(new ConfigError(message.split(' ')[0], message.slice(message.indexOf(' ') + 1)));
  });
});

describe('loadConfig in production', () => {
  it('names every missing variable at once, one line each', () => {
    let error: unknown;
    try {
      loadConfig({ NODE_ENV: 'production' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const required = ['DATABASE_URL', 'JWT_SECRET', 'TWO_FACTOR_ENCRYPTION_KEY', 'SMS_HTTP_URL', 'SMTP_URL'];
    expect((error as ConfigError).variables).toEqual(required);
    const lines = (error as ConfigError).message.split('\n');
    expect(lines).toHaveLength(required.length);
    required.forEach((variable, i) => expect(lines[i]).toMatch(new RegExp(`^Invalid configuration: ${variable} is required when NODE_ENV=production`)));
  });

  it('still stops at a malformed value, naming it', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', PORT: 'eighty' })).toThrow('Invalid configuration: PORT must be a whole number, got "eighty"');
  });
});

describe('loadConfig: organizations', () => {
  it('defaults to 10 per user, 1000 members, 100 pending invitations, 7 days, the frontend public page', () => {
    expect(loadConfig({ FRONTEND_URL: 'https://app.example.com/' }).organizations).toEqual({
      perUser: 10,
      membersMax: 1000,
      pendingInvitationsMax: 100,
      invitationTtlSeconds: 604800,
      publicUrlTemplate: 'https://app.example.com/public/organizations/{id}',
    });
  });

  it('reads every variable', () => {
    const organizations = loadConfig({
      ORGANIZATIONS_PER_USER: '3',
      ORGANIZATION_MEMBERS_MAX: '50',
      ORGANIZATION_PENDING_INVITATIONS_MAX: '5',
      ORGANIZATION_INVITATION_TTL: '3600',
      ORGANIZATION_PUBLIC_URL: 'https://openbadges.example.eu/public/issuers/{id}',
    }).organizations;
    expect(organizations).toEqual({ perUser: 3, membersMax: 50, pendingInvitationsMax: 5, invitationTtlSeconds: 3600, publicUrlTemplate: 'https://openbadges.example.eu/public/issuers/{id}' });
  });

  it.each([
    [{ ORGANIZATION_PUBLIC_URL: 'https://example.com/orgs' }, 'ORGANIZATION_PUBLIC_URL'],
    [{ ORGANIZATION_PUBLIC_URL: 'javascript:alert({id})' }, 'ORGANIZATION_PUBLIC_URL'],
    [{ ORGANIZATIONS_PER_USER: '0' }, 'ORGANIZATIONS_PER_USER'],
    [{ ORGANIZATION_INVITATION_TTL: '10' }, 'ORGANIZATION_INVITATION_TTL'],
  ])('refuses %j naming the variable', (env, name) => {
    expect(() => loadConfig(env)).toThrow(expect.objectContaining({ message: expect.stringContaining(name) }));
  });
});
