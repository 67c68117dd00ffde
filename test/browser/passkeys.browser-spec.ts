import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, CDPSession, Page } from 'playwright-core';
import { enableTotp } from '../support/two-factor-helpers.js';
import { bootTestApp, type TestApp } from '../support/app.js';
import { bearer, markEmailVerified, registerUser, type TestUser } from '../support/factories.js';
import { freePort, launchBrowser, screenshot } from './support/browser.js';

const here = dirname(fileURLToPath(import.meta.url));
const PAGE_HTML = readFileSync(join(here, 'support', 'passkey-page.html'), 'utf8');
const BROWSER_LIBRARY = readFileSync(join(here, '..', '..', 'node_modules', '@simplewebauthn', 'browser', 'dist', 'bundle', 'index.umd.min.js'), 'utf8');

/** The page's `window.tessera` steps (see support/passkey-page.html). */
type PageStep = 'supportsWebAuthn' | 'signInWithPassword' | 'registerPasskey' | 'signOut' | 'signInWithPasskey' | 'signInWithPasswordAndPasskey';

/**
 * Passkeys in a real browser (issue 23): Chromium's WebAuthn implementation, driven through a CDP virtual
 * authenticator (CTAP2, internal, resident keys, user verification), talks to the running app through the test
 * page's `@simplewebauthn/browser` calls. The page is served on the app's origin by route interception, so the app
 * itself carries no test page.
 */
describe('Passkeys in Chromium', () => {
  let t: TestApp;
  let browser: Browser;
  let page: Page;
  let cdp: CDPSession;
  let authenticatorId: string;
  let origin: string;
  let user: TestUser;

  beforeAll(async () => {
    const port = await freePort();
    // `localhost`, not 127.0.0.1: WebAuthn takes an RP ID that is a domain, and http://localhost is a secure context.
    origin = `http://localhost:${port}`;
    t = await bootTestApp({ APP_URL: origin, FRONTEND_URL: origin });
    expect(t.config.webauthn).toEqual({ rpId: 'localhost', rpName: 'Tessera', origins: [origin] });
    await t.app.listen(port, '127.0.0.1');
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 900, height: 640 } });
    await page.route(`${origin}/__browser-test__/passkeys.html`, (route) => route.fulfill({ contentType: 'text/html; charset=utf-8', body: PAGE_HTML }));
    await page.route(`${origin}/__browser-test__/simplewebauthn-browser.js`, (route) =>
      route.fulfill({ contentType: 'text/javascript; charset=utf-8', body: BROWSER_LIBRARY }),
    );
    cdp = await page.context().newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    ({ authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2',
        transport: 'internal',
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
        automaticPresenceSimulation: true,
      },
    }));
    user = await registerUser(t);
    // A passkey needs a proven address.
    await markEmailVerified(t, user.id);
    await page.goto(`${origin}/__browser-test__/passkeys.html`);
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  const credentials = async () => (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials;
  /** Runs one of the page's steps in the page; a step that throws rejects, and fails the test. */
  const step = <T>(name: PageStep, ...args: string[]): Promise<T> =>
    page.evaluate(
      ([method, params]) => (globalThis as unknown as { tessera: Record<string, (...a: string[]) => Promise<T>> }).tessera[method](...params),
      [name, args] as const,
    );

  it('registers a passkey, signs out, signs in with it without a username, then uses it as a second factor', async () => {
    expect(await step('supportsWebAuthn')).toBe(true);

    expect(await step('signInWithPassword', user.username, user.password)).toBe(user.username);
    await screenshot(page, 'passkeys-1-signed-in-with-password');

    const passkey = await step<{ name: string; device_type: string }>('registerPasskey', 'Chromium virtual authenticator');
    expect(passkey).toMatchObject({ name: 'Chromium virtual authenticator', device_type: 'singleDevice' });
    const [credential] = await credentials();
    expect(credential).toMatchObject({ isResidentCredential: true, rpId: 'localhost' });
    await screenshot(page, 'passkeys-2-passkey-registered');

    await step('signOut');
    await screenshot(page, 'passkeys-3-signed-out');

    expect(await step('signInWithPasskey')).toBe(user.username);
    expect((await credentials())[0].signCount).toBeGreaterThan(credential.signCount);
    await screenshot(page, 'passkeys-4-signed-in-with-passkey');
    const [login] = await t.db.query(`SELECT properties FROM activity_logs WHERE user_id = $1 AND event = 'auth:login' ORDER BY id DESC LIMIT 1`, [user.id]);
    expect(login.properties).toEqual({ method: 'passkey' });

    // Two-factor on (set up through the API), then: password, and the passkey instead of a code.
    const session = await t.http().post('/api/login').send({ username: user.username, password: user.password }).expect(200);
    await enableTotp(t, { ...user, tokens: session.body, auth: bearer(session.body.token) });
    await step('signOut');
    expect(await step('signInWithPasswordAndPasskey', user.username, user.password)).toBe(user.username);
    await screenshot(page, 'passkeys-5-second-factor-passkey');
    const [secondFactor] = await t.db.query(`SELECT properties FROM activity_logs WHERE user_id = $1 AND event = 'auth:login' ORDER BY id DESC LIMIT 1`, [user.id]);
    expect(secondFactor.properties).toEqual({ method: 'password', second_factor: 'passkey' });
    // The server tracked the authenticator's signature counter through both assertions.
    const [stored] = await t.db.query(`SELECT counter FROM passkeys WHERE user_id = $1`, [user.id]);
    expect(Number(stored.counter)).toBe((await credentials())[0].signCount);
  });
});
