import { createServer as createHttpServer, type Server } from 'node:http';
import type { Browser, Page } from 'playwright-core';
import { bootTestApp, type TestApp } from '../support/app.js';
import { startOidcProvider, type OidcProvider } from '../support/identity-providers.js';
import { freePort, launchBrowser, screenshot } from './support/browser.js';

/**
 * What an SPA does (docs/api/identities.md#signing-in-step-by-step): a button per provider that navigates to the
 * authorize route, and, back with `oauth_code`, the exchange and a first authenticated read.
 */
const PAGE_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in</title>
<style>body{font-family:sans-serif;margin:2rem} a.button{display:inline-block;padding:.6rem 1rem;border:1px solid #333;border-radius:6px;text-decoration:none;color:#111;margin:.2rem}</style>
</head><body>
<h1>Tessera test SPA</h1>
<div id="providers"></div>
<p id="status">Not signed in.</p>
<script>
  const api = '__API__';
  const here = location.origin + location.pathname;
  async function main() {
    const code = new URLSearchParams(location.search).get('oauth_code');
    const error = new URLSearchParams(location.search).get('oauth_error');
    if (error) { document.getElementById('status').textContent = 'Sign-in failed: ' + error; return; }
    if (code) {
      history.replaceState(null, '', here);
      const signedIn = await fetch(api + '/api/oauth/exchange', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ code, device_name: 'Chromium' }) }).then((r) => r.json());
      const me = await fetch(api + '/api/me', { headers: { Authorization: 'Bearer ' + signedIn.token } }).then((r) => r.json());
      document.getElementById('status').textContent = 'Signed in as ' + me.data.username + ' (' + me.data.email + ')';
      return;
    }
    const { data } = await fetch(api + '/api/oauth/providers').then((r) => r.json());
    for (const provider of data) {
      const link = document.createElement('a');
      link.className = 'button';
      link.textContent = 'Sign in with ' + provider.name;
      link.href = api + '/api/oauth/' + provider.id + '/authorize?return_to=' + encodeURIComponent(here);
      document.getElementById('providers').append(link);
    }
  }
  main();
</script>
</body></html>`;

/**
 * A federated sign-in in a real browser: Chromium follows the redirects to the OpenID Connect provider on loopback and
 * back, carrying the state cookie, and the page exchanges the one-time code. The page is an SPA on an origin of its
 * own (a static server here, allowed by CORS_ORIGINS), as a front end is: the provider's redirect back must reach a
 * real server, which route interception cannot stand in for.
 */
describe('Sign-in with an identity provider in Chromium', () => {
  let t: TestApp;
  let oidc: OidcProvider;
  let browser: Browser;
  let page: Page;
  let origin: string;
  let spa: Server;
  let spaOrigin: string;

  beforeAll(async () => {
    const port = await freePort();
    origin = `http://localhost:${port}`;
    spa = createHttpServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(PAGE_HTML.replace('__API__', origin));
    });
    await new Promise<void>((resolve) => spa.listen(0, '127.0.0.1', resolve));
    spaOrigin = `http://localhost:${(spa.address() as { port: number }).port}`;
    oidc = await startOidcProvider();
    t = await bootTestApp({
      APP_URL: origin,
      FRONTEND_URL: spaOrigin,
      CORS_ORIGINS: spaOrigin,
      OAUTH_PROVIDERS: 'mock',
      OAUTH_MOCK_NAME: 'Loopback ID',
      OAUTH_MOCK_ISSUER: oidc.issuer,
      OAUTH_MOCK_CLIENT_ID: 'tessera-browser',
      OAUTH_MOCK_CLIENT_SECRET: 'tessera-browser-secret',
      OAUTH_RETURN_URLS: `${spaOrigin}/sign-in`,
    });
    await t.app.listen(port, '127.0.0.1');
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 900, height: 480 } });
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await oidc?.close();
    await new Promise<void>((resolve) => (spa ? spa.close(() => resolve()) : resolve()));
  });

  it('signs in through the provider, creates the verified account, and the page reads it with the exchanged token', async () => {
    await oidc.setIdentity({ sub: 'browser-person-1', email: 'browser.person@example.org', email_verified: true, preferred_username: 'browser.person' });
    await page.goto(`${spaOrigin}/sign-in`);
    const button = page.getByRole('link', { name: 'Sign in with Loopback ID' });
    await button.waitFor();
    await screenshot(page, 'federated-sign-in-1-providers');
    await button.click();
    const status = page.locator('#status');
    // Back on the page, which exchanges the code and takes it out of the address bar.
    await page
      .locator('#status', { hasNotText: 'Not signed in.' })
      .waitFor()
      .catch(async (error: Error) => {
        throw new Error(`${error.message}\nat ${page.url()}: ${(await page.content()).slice(0, 500)}`);
      });
    expect({ url: page.url(), status: await status.textContent() }).toEqual({ url: `${spaOrigin}/sign-in`, status: expect.stringMatching(/^Signed in as /) });
    expect(await status.textContent()).toBe('Signed in as browser.person (browser.person@example.org)');
    // The code left the address bar; the state cookie stayed HttpOnly (no script saw it).
    expect(page.url()).toBe(`${spaOrigin}/sign-in`);
    expect(await page.evaluate('document.cookie')).toBe('');
    await screenshot(page, 'federated-sign-in-2-signed-in');
    const [row] = await t.db.query(`SELECT u.email_verified_at IS NOT NULL AS verified, u.password IS NULL AS passwordless, i.provider FROM users u JOIN identities i ON i.user_id = u.id WHERE i.subject = 'browser-person-1'`);
    expect(row).toEqual({ verified: true, passwordless: true, provider: 'mock' });
  });
});
