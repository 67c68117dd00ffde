import { ConfigError, loadConfig } from './app-config.js';

describe('loadConfig: session lifetimes (docs/configuration.md#sessions-and-tokens)', () => {
  it('defaults SESSION_IDLE_TTL to 7 days and RECENT_AUTH_SECONDS to 15 minutes', () => {
    const config = loadConfig({});
    expect(config.sessionIdleTtlSeconds).toBe(604_800);
    expect(config.recentAuthSeconds).toBe(900);
  });

  it('takes a SESSION_IDLE_TTL of 5 minutes or more', () => {
    expect(loadConfig({ SESSION_IDLE_TTL: '300' }).sessionIdleTtlSeconds).toBe(300);
  });

  it.each(['299', '0', '-1', '1.5', 'a week'])('refuses SESSION_IDLE_TTL=%s with one line naming it', (value) => {
    expect(() => loadConfig({ SESSION_IDLE_TTL: value })).toThrow(ConfigError);
    expect(() => loadConfig({ SESSION_IDLE_TTL: value })).toThrow(/^Invalid configuration: SESSION_IDLE_TTL /);
  });
});
