import { ConfigError, loadConfig } from './app-config.js';

describe('identity provider configuration', () => {
  it('has no providers by default and returns to FRONTEND_URL’s origin', () => {
    expect(loadConfig({ FRONTEND_URL: 'https://app.example.com/spa/' }).oauth).toEqual({ providers: [], returnUrls: ['https://app.example.com/'] });
  });

  it('reads each provider’s variables, with the defaults of its type', () => {
    const config = loadConfig({
      OAUTH_PROVIDERS: 'Google, github',
      OAUTH_GOOGLE_ISSUER: 'https://accounts.google.com',
      OAUTH_GOOGLE_CLIENT_ID: 'g-id',
      OAUTH_GOOGLE_CLIENT_SECRET: 'g-secret',
      OAUTH_GITHUB_TYPE: 'github',
      OAUTH_GITHUB_CLIENT_ID: 'h-id',
      OAUTH_GITHUB_CLIENT_SECRET: 'h-secret',
      OAUTH_GITHUB_TRUST_EMAIL: 'true',
      OAUTH_RETURN_URLS: 'https://app.example.com/auth, HTTPS://Admin.Example.com',
    });
    expect(config.oauth).toEqual({
      providers: [
        { id: 'google', name: 'Google', type: 'oidc', issuer: 'https://accounts.google.com', clientId: 'g-id', clientSecret: 'g-secret', scopes: ['openid', 'email', 'profile'], trustEmail: false },
        { id: 'github', name: 'GitHub', type: 'github', issuer: 'https://github.com', clientId: 'h-id', clientSecret: 'h-secret', scopes: ['read:user', 'user:email'], trustEmail: true },
      ],
      returnUrls: ['https://app.example.com/auth', 'https://admin.example.com/'],
    });
  });

  it.each([
    [{ OAUTH_PROVIDERS: 'acme' }, 'OAUTH_ACME_ISSUER'],
    [{ OAUTH_PROVIDERS: 'acme', OAUTH_ACME_ISSUER: 'http://sso.acme.example', OAUTH_ACME_CLIENT_ID: 'x' }, 'OAUTH_ACME_ISSUER'],
    [{ OAUTH_PROVIDERS: 'acme', OAUTH_ACME_ISSUER: 'https://sso.acme.example' }, 'OAUTH_ACME_CLIENT_ID'],
    [{ OAUTH_PROVIDERS: 'acme', OAUTH_ACME_ISSUER: 'https://sso.acme.example', OAUTH_ACME_CLIENT_ID: 'x', OAUTH_ACME_SCOPES: 'email profile' }, 'OAUTH_ACME_SCOPES'],
    [{ OAUTH_PROVIDERS: 'hub', OAUTH_HUB_TYPE: 'github', OAUTH_HUB_CLIENT_ID: 'x' }, 'OAUTH_HUB_CLIENT_SECRET'],
    [{ OAUTH_PROVIDERS: 'hub', OAUTH_HUB_TYPE: 'saml' }, 'OAUTH_HUB_TYPE'],
    [{ OAUTH_PROVIDERS: 'a-b' }, 'OAUTH_PROVIDERS'],
    [{ OAUTH_PROVIDERS: 'x,X' }, 'OAUTH_PROVIDERS'],
    [{ OAUTH_RETURN_URLS: 'https://app.example.com/?next=1' }, 'OAUTH_RETURN_URLS'],
    [{ OAUTH_RETURN_URLS: 'ftp://app.example.com' }, 'OAUTH_RETURN_URLS'],
  ])('refuses %j naming %s', (env, variable) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    try {
      loadConfig(env);
    } catch (error) {
      expect((error as ConfigError).variable).toBe(variable);
    }
  });

  it('accepts plain http issuers on loopback only', () => {
    for (const host of ['localhost:8080', '127.0.0.1:8080', '[::1]:8080']) {
      expect(loadConfig({ OAUTH_PROVIDERS: 'dev', OAUTH_DEV_ISSUER: `http://${host}`, OAUTH_DEV_CLIENT_ID: 'x' }).oauth.providers[0].issuer).toBe(`http://${host}`);
    }
  });
});
