import { ConfigError, loadConfig } from './app-config.js';

describe('loadConfig: the browser session cookie and the allowed origins (docs/configuration.md#sessions-and-tokens)', () => {
  it('defaults to a __Host- cookie, Secure, SameSite=Lax, 30 days, on the default APP_URL (localhost)', () => {
    expect(loadConfig({}).sessionCookie).toEqual({ name: '__Host-tessera_session', secure: true, sameSite: 'lax', ttlSeconds: 2_592_000 });
  });

  it.each(['https://api.example.com', 'http://localhost:8080', 'http://127.0.0.1:3000', 'http://[::1]:3000', 'http://LOCALHOST'])(
    'keeps Secure and the __Host- prefix for APP_URL=%s (browsers treat it as secure)',
    (appUrl) => {
      expect(loadConfig({ APP_URL: appUrl }).sessionCookie).toMatchObject({ name: '__Host-tessera_session', secure: true });
    },
  );

  it.each(['http://api.example.com', 'http://10.0.0.5:3000', 'http://app.localhost.example'])(
    'leaves off Secure and the prefix for plain http on another host (APP_URL=%s)',
    (appUrl) => {
      expect(loadConfig({ APP_URL: appUrl }).sessionCookie).toMatchObject({ name: 'tessera_session', secure: false });
    },
  );

  it('takes a name, strict SameSite and another lifetime', () => {
    const config = loadConfig({ SESSION_COOKIE_NAME: 'sid', SESSION_COOKIE_SAMESITE: 'Strict', SESSION_COOKIE_TTL: '3600' });
    expect(config.sessionCookie).toEqual({ name: 'sid', secure: true, sameSite: 'strict', ttlSeconds: 3600 });
  });

  it.each([
    [{ SESSION_COOKIE_NAME: 'bad name' }, 'SESSION_COOKIE_NAME'],
    [{ SESSION_COOKIE_NAME: 'a;b' }, 'SESSION_COOKIE_NAME'],
    [{ SESSION_COOKIE_NAME: '__Host-sid', APP_URL: 'http://api.example.com' }, 'SESSION_COOKIE_NAME'],
    [{ SESSION_COOKIE_NAME: '__secure-sid', APP_URL: 'http://api.example.com' }, 'SESSION_COOKIE_NAME'],
    [{ SESSION_COOKIE_SAMESITE: 'none' }, 'SESSION_COOKIE_SAMESITE'],
    [{ SESSION_COOKIE_SAMESITE: 'sometimes' }, 'SESSION_COOKIE_SAMESITE'],
    [{ SESSION_COOKIE_TTL: '299' }, 'SESSION_COOKIE_TTL'],
    [{ SESSION_COOKIE_TTL: String(401 * 86400) }, 'SESSION_COOKIE_TTL'],
  ])('refuses %j with one line naming %s', (env, variable) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(new RegExp(`^Invalid configuration: ${variable} `));
  });

  it('allows APP_URL’s, FRONTEND_URL’s and CORS_ORIGINS’ origins, normalised as browsers send Origin', () => {
    const config = loadConfig({
      APP_URL: 'https://api.example.com/base',
      FRONTEND_URL: 'https://app.example.com/',
      CORS_ORIGINS: 'https://spa.example.com, https://App.Example.com, http://localhost:5173/',
    });
    expect(config.allowedOrigins).toEqual(['https://api.example.com', 'https://app.example.com', 'https://spa.example.com', 'http://localhost:5173']);
    expect(config.corsOrigins).toEqual(['https://spa.example.com', 'https://app.example.com', 'http://localhost:5173']);
  });

  it.each(['*', 'spa.example.com', 'https://spa.example.com/app', 'ftp://spa.example.com'])('refuses CORS_ORIGINS=%s naming it', (origins) => {
    expect(() => loadConfig({ CORS_ORIGINS: origins })).toThrow(/^Invalid configuration: CORS_ORIGINS /);
  });
});
