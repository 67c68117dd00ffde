import { ConfigError, loadConfig } from './app-config.js';

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
