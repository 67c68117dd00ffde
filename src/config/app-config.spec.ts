import { ConfigError, loadConfig } from './app-config.js';

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
