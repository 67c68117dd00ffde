import { ConfigError, loadConfig } from './app-config.js';

describe('WebAuthn configuration', () => {
  it('derives RP ID, name and origin from FRONTEND_URL', () => {
    expect(loadConfig({ FRONTEND_URL: 'https://app.example.com/spa/' }).webauthn).toEqual({
      rpId: 'app.example.com',
      rpName: 'Tessera',
      origins: ['https://app.example.com'],
    });
    expect(loadConfig({}).webauthn).toEqual({ rpId: 'localhost', rpName: 'Tessera', origins: ['http://localhost:3000'] });
    // An address is taken as it is (browsers refuse passkeys there; the rest of Tessera works).
    expect(loadConfig({ APP_URL: 'http://[::1]:3000' }).webauthn).toEqual({ rpId: '::1', rpName: 'Tessera', origins: ['http://[::1]:3000'] });
  });

  it('takes a parent domain as RP ID and several origins on it', () => {
    const config = loadConfig({
      FRONTEND_URL: 'https://app.example.com',
      WEBAUTHN_RP_ID: 'Example.com',
      WEBAUTHN_RP_NAME: 'Example Accounts',
      WEBAUTHN_ORIGINS: 'https://app.example.com, https://example.com:8443',
    });
    expect(config.webauthn).toEqual({
      rpId: 'example.com',
      rpName: 'Example Accounts',
      origins: ['https://app.example.com', 'https://example.com:8443'],
    });
  });

  it.each([
    [{ WEBAUTHN_RP_ID: 'https://example.com' }, 'WEBAUTHN_RP_ID'],
    [{ WEBAUTHN_RP_ID: 'example.com:443' }, 'WEBAUTHN_RP_ID'],
    [{ WEBAUTHN_RP_NAME: 'x'.repeat(101) }, 'WEBAUTHN_RP_NAME'],
    [{ WEBAUTHN_ORIGINS: 'not a url' }, 'WEBAUTHN_ORIGINS'],
    [{ WEBAUTHN_ORIGINS: 'https://app.example.com/login' }, 'WEBAUTHN_ORIGINS'],
    [{ WEBAUTHN_ORIGINS: 'ftp://app.example.com' }, 'WEBAUTHN_ORIGINS'],
    // An origin the RP ID does not cover: a browser would refuse every ceremony there.
    [{ WEBAUTHN_ORIGINS: 'https://evil-example.com' }, 'WEBAUTHN_ORIGINS'],
    [{ WEBAUTHN_RP_ID: 'other.com' }, 'WEBAUTHN_ORIGINS'],
  ])('refuses %j naming %s', (env, variable) => {
    const load = () => loadConfig({ FRONTEND_URL: 'https://app.example.com', ...env });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(new RegExp(`^Invalid configuration: ${variable} `));
  });
});
