/**
 * Identity providers on loopback for the tests, started by each test file: an OpenID Connect provider
 * (oauth2-mock-server: discovery, JWKS, PKCE, signed ID tokens with the request's nonce) and a GitHub-like server
 * (the OAuth endpoints and the user API GitHub documents), plus a browser's walk through a flow.
 */
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { TestApp } from './app.js';

/** Who the provider says signed in: the ID token's claims (every token the provider signs gets them). */
export type IdentityClaims = Record<string, unknown> & { sub: string };

/** How the next ID token is spoilt: claims and header fields merged in, claims removed. */
export interface IdTokenChange {
  payload?: Record<string, unknown>;
  header?: Record<string, unknown>;
  remove?: string[];
}

export interface OidcProvider {
  issuer: string;
  /** Who signs in next (until changed). */
  setIdentity(claims: IdentityClaims): Promise<void>;
  /** Spoils the next ID token's claims or header (a foreign, expired or unknown-key token). */
  tamperNextIdToken(change: IdTokenChange): Promise<void>;
  /** Spoils the next token answer: an unsigned ID token, a forged signature, or another status and body. */
  spoilNextTokenResponse(spoil: 'alg-none' | 'forged-signature' | { status: number; body: unknown }): Promise<void>;
  close(): Promise<void>;
}

/** Starts test/support/oidc-provider-process.mjs (oauth2-mock-server, on `port`, any when 0) and steers it over its control port. */
export async function startOidcProvider(port = 0): Promise<OidcProvider> {
  const script = fileURLToPath(new URL('./oidc-provider-process.mjs', import.meta.url));
  const child = spawn(process.execPath, [script, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const ready = await new Promise<{ issuer: string; control: string }>((resolve, reject) => {
    lines.once('line', (line) => resolve(JSON.parse(line) as { issuer: string; control: string }));
    child.once('exit', (code) => reject(new Error(`the OIDC provider exited (${code})`)));
  });
  const send = async (path: string, body: unknown) => {
    const res = await fetch(`${ready.control}${path}`, { method: 'POST', body: JSON.stringify(body) });
    if (res.status !== 204) throw new Error(`control ${path}: ${res.status}`);
  };
  return {
    issuer: ready.issuer,
    setIdentity: (claims) => send('/identity', claims),
    tamperNextIdToken: (change) => send('/next-id-token', change),
    spoilNextTokenResponse: (spoil) => send('/next-response', { spoil }),
    close: () =>
      new Promise<void>((resolve) => {
        lines.close();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** What the GitHub-like server answers for `GET /user` and `GET /user/emails`. */
export interface GithubUser {
  id: number;
  login: string;
  name: string;
  emails: Array<{ email: string; primary: boolean; verified: boolean }>;
}

export interface GithubLikeServer {
  url: string;
  user: GithubUser;
  close(): Promise<void>;
}

/** GitHub's web flow as documented (PKCE included), and its REST user API under /api/v3 as GitHub Enterprise serves it. */
export async function startGithubLikeServer(clientId: string, clientSecret: string): Promise<GithubLikeServer> {
  const codes = new Map<string, { challenge: string; redirectUri: string }>();
  const tokens = new Set<string>();
  const state: GithubLikeServer = { url: '', user: { id: 1, login: 'octo', name: 'Octo Cat', emails: [] }, close: async () => undefined };
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url!, 'http://127.0.0.1');
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method === 'GET' && url.pathname === '/login/oauth/authorize') {
      const code = randomBytes(10).toString('hex');
      codes.set(code, { challenge: url.searchParams.get('code_challenge') ?? '', redirectUri: url.searchParams.get('redirect_uri')! });
      const back = new URL(url.searchParams.get('redirect_uri')!);
      back.searchParams.set('code', code);
      back.searchParams.set('state', url.searchParams.get('state')!);
      res.writeHead(302, { Location: back.href });
      return res.end();
    }
    if (req.method === 'POST' && url.pathname === '/login/oauth/access_token') {
      const body = new URLSearchParams(await text(req));
      const issued = codes.get(body.get('code') ?? '');
      codes.delete(body.get('code') ?? '');
      const verifier = body.get('code_verifier') ?? '';
      const challenge = createHash('sha256').update(verifier).digest('base64url');
      // GitHub answers 200 with an error body for a bad code.
      if (!issued || issued.challenge !== challenge || body.get('client_id') !== clientId || body.get('client_secret') !== clientSecret) {
        return json(200, { error: 'bad_verification_code' });
      }
      const token = `gho_${randomBytes(16).toString('hex')}`;
      tokens.add(token);
      return json(200, { access_token: token, token_type: 'bearer', scope: 'read:user,user:email' });
    }
    const authorized = tokens.has((req.headers.authorization ?? '').replace(/^Bearer /i, ''));
    if (req.method === 'GET' && url.pathname === '/api/v3/user') return authorized ? json(200, { id: state.user.id, login: state.user.login, name: state.user.name }) : json(401, {});
    if (req.method === 'GET' && url.pathname === '/api/v3/user/emails') return authorized ? json(200, state.user.emails) : json(401, {});
    json(404, {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return state;
}

function text(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => resolve(body));
  });
}

/** The state cookie's `name=value`, from an authorize answer. */
export function stateCookieOf(setCookie: string[] | string | undefined): string {
  const cookies = Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : [];
  const cookie = cookies.find((value) => value.startsWith('tessera_oauth_state='));
  if (!cookie) throw new Error('no state cookie was set');
  return cookie.split(';')[0];
}

export interface BrowserWalk {
  /** Where the callback sent the browser. */
  landed: URL;
  /** The provider's redirect to the callback (path and query), to replay. */
  callback: string;
  cookie: string;
}

/**
 * A browser's walk through a flow: the authorize route (or a link's `authorize_url`), the provider (which signs in
 * at once), the callback with the state cookie. `alter` may change the callback before it is followed.
 */
export async function walkFlow(
  t: TestApp,
  start: string,
  options: { cookie?: string; alterCallback?: (callback: URL) => void; callbackCookie?: string } = {},
): Promise<BrowserWalk> {
  let authorize = t.http().get(start);
  if (options.cookie) authorize = authorize.set('Cookie', options.cookie);
  const begun = await authorize.expect(302);
  const cookie = stateCookieOf(begun.headers['set-cookie'] as unknown as string[]);
  const atProvider = await fetch(begun.headers.location as string, { redirect: 'manual' });
  if (atProvider.status !== 302) throw new Error(`the provider answered ${atProvider.status}: ${await atProvider.text()}`);
  const callback = new URL(atProvider.headers.get('location')!);
  options.alterCallback?.(callback);
  const path = `${callback.pathname}${callback.search}`;
  const back = await t.http().get(path).set('Cookie', options.callbackCookie ?? cookie).expect(302);
  return { landed: new URL(back.headers.location as string), callback: path, cookie };
}

/** The app's settings for one OpenID Connect provider `mock` on `oidc`, returning to `<frontend>/auth`. */
export function mockProviderEnv(oidc: OidcProvider, frontend: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    FRONTEND_URL: frontend,
    OAUTH_PROVIDERS: 'mock',
    OAUTH_MOCK_ISSUER: oidc.issuer,
    OAUTH_MOCK_CLIENT_ID: 'tessera-test',
    OAUTH_MOCK_CLIENT_SECRET: 'tessera-test-secret',
    OAUTH_MOCK_NAME: 'Mock ID',
    OAUTH_RETURN_URLS: `${frontend}/auth`,
    ...extra,
  };
}
