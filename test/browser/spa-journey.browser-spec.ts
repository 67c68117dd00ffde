import { createServer, type Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
import { bootMailingTestApp, type MailingTestApp } from '../support/app.js';
import { bearer, registerUser } from '../support/factories.js';
import { pngWithAlpha } from '../support/images.js';
import { MailService } from '../../src/platform/mail/mail.service.js';
import { freePort } from '../support/processes.js';
import { totpCode } from '../support/two-factor-helpers.js';
import { launchBrowser, screenshot } from './support/browser.js';
import { SecretWatch } from './support/secret-watch.js';
import { buildSpa, serveSpa, type SpaServer } from './support/spa.js';

/**
 * A page on another origin that tries to act with the SPA user's session: a form POST (the classic forgery, which
 * needs no script) and `fetch` with credentials at `POST /api/logout` (which would end the session), at
 * `POST /api/client/account/api-keys` (which would create a key) and at `GET /api/me` (which would read the profile).
 */
function attackPage(target: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>Another site</title></head><body>
<h1>Another site</h1>
<form id="forged-logout" method="POST" action="${target}/api/logout"><button>Win a prize</button></form>
<script>
  async function attempt(path, init) {
    try {
      const response = await fetch('${target}' + path, { credentials: 'include', ...init });
      return 'read ' + response.status;
    } catch (error) {
      return 'refused';
    }
  }
  // A "simple" request: no preflight, so the browser sends it and only hides the answer.
  window.simpleFetch = () => attempt('/api/logout', { method: 'POST' });
  // With the header cookie sign-ins and changes need: the browser asks first (preflight), and CORS says no.
  window.preflightedFetch = () => attempt('/api/client/account/api-keys', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Requested-With': 'XMLHttpRequest' },
    body: JSON.stringify({ description: 'forged' }),
  });
  // A read: sent with the cookie from this site's other ports, but CORS keeps the answer from the page.
  window.credentialedRead = () => attempt('/api/me', { method: 'GET' });
</script></body></html>`;
}

/**
 * The reference SPA (examples/spa), built and served as a developer serves it (`vite preview` with the shipped
 * proxy), driven in Chromium through the whole account journey against a real Tessera with a real SMTP sink, in
 * cookie mode: no token ever reaches the page's scripts. Each screen is saved in test/browser/screenshots/spa-*.png.
 */
describe('Reference SPA in Chromium (cookie sessions)', () => {
  let t: MailingTestApp;
  let spa: SpaServer;
  let attacker: Server;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let cdp: CDPSession;
  let watch: SecretWatch;
  let origin: string;
  let attackerPort: number;

  const username = `spa_${randomBytes(4).toString('hex')}`;
  const email = `${username}@example.com`;
  let password = `Spa-journey-${randomBytes(8).toString('hex')}`;

  beforeAll(async () => {
    const [apiPort, spaPort] = [await freePort(), await freePort()];
    attackerPort = await freePort();
    // `localhost`: a secure context over http, and a domain WebAuthn accepts as the relying party's ID.
    origin = `http://localhost:${spaPort}`;
    // As the SPA's README runs it: Tessera on its own address, told where the SPA lives.
    t = await bootMailingTestApp({ APP_URL: `http://127.0.0.1:${apiPort}`, FRONTEND_URL: origin });
    await t.app.listen(apiPort, '127.0.0.1');
    await buildSpa();
    spa = await serveSpa(spaPort, `http://127.0.0.1:${apiPort}`);
    attacker = createServer((request, response) => response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(attackPage(origin)));
    await new Promise<void>((resolve) => attacker.listen(attackerPort, '127.0.0.1', resolve));

    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1000, height: 720 } });
    watch = new SecretWatch(context);
    page = await context.newPage();
    cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
    });
    // Booting the app, type-checking and building the SPA and starting two servers: more than the default on a loaded machine.
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => (attacker ? attacker.close(resolve) : resolve(undefined)));
    await spa?.stop();
    await t?.close();
  });

  /** The notice (role=status) the screen shows. */
  const notice = () => page.getByRole('status');
  const userId = async (): Promise<number> => (await t.db.query(`SELECT id FROM users WHERE username = $1`, [username]))[0].id as number;
  const activeSessions = async (): Promise<{ id: string }[]> =>
    t.db.query(`SELECT id FROM sessions WHERE user_id = $1 AND revoked_at IS NULL`, [await userId()]);
  const apiKeyCount = async (): Promise<number> => Number((await t.db.query(`SELECT count(*) FROM api_keys WHERE user_id = $1`, [await userId()]))[0].count);

  /** Opens a screen through its link in the navigation. */
  async function openScreen(path: string, label: string): Promise<void> {
    await page.getByRole('navigation').getByRole('link', { name: label }).click();
    await page.waitForURL(`${origin}${path}`);
  }

  /** Signs in on the sign-in screen; answers `POST /api/login`'s status and body. */
  async function signInWithPassword(): Promise<{ status: number; body: Record<string, unknown> }> {
    await openScreen('/sign-in', 'Sign in');
    await page.getByLabel('Username or email').fill(username);
    await page.getByLabel('Password').fill(password);
    const [login] = await Promise.all([
      page.waitForResponse((response) => new URL(response.url()).pathname === '/api/login'),
      page.getByRole('button', { name: 'Sign in', exact: true }).click(),
    ]);
    return { status: login.status(), body: (await login.json()) as Record<string, unknown> };
  }

  /** Waits until `count` rows of the screen's table have a button named `button`. */
  async function rowsWithButton(button: string, count: number): Promise<void> {
    // In-page code as text: this project's type-check has no DOM library.
    await page.waitForFunction(`[...document.querySelectorAll('table tr button')].filter((b) => b.textContent === ${JSON.stringify(button)}).length === ${count}`);
  }

  async function signOut(): Promise<void> {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByText('You are signed out.').waitFor();
  }

  it('signs up, verifies the address from the mail, signs in with a password, TOTP and a passkey, manages the account and deletes it, with no token ever in reach of scripts', async () => {
    // Sign up.
    await page.goto(`${origin}/sign-up`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByLabel('Password again').fill(password);
    await page.getByRole('button', { name: 'Sign up' }).click();
    await notice().filter({ hasText: 'Check your mail' }).waitFor();
    await screenshot(page, 'spa-01-signed-up');

    // Verify the address: the link from the mail opens the SPA, which spends the token and drops it from the address.
    await t.app.get(MailService).flush();
    const mail = await t.mail.waitFor((m) => m.to === email && m.subject === 'Verify your email address');
    const link = new RegExp(`${origin}/verify-email\\?token=\\S+`).exec(mail.text)![0];
    await page.goto(link);
    await notice().filter({ hasText: 'Your address is verified.' }).waitFor();
    expect(page.url()).toBe(`${origin}/verify-email`);
    const [verified] = await t.db.query(`SELECT status, email_verified_at FROM users WHERE username = $1`, [username]);
    expect(verified.status).toBe('Active');
    expect(verified.email_verified_at).not.toBeNull();
    await screenshot(page, 'spa-02-address-verified');
    // The token was in the mailed link only: the SPA sent it in no other URL and no Referer.
    expect(watch.urls.filter((url) => url.includes(new URL(link).searchParams.get('token')!))).toEqual([link]);
    await watch.expectNoLeak(page, [link]);

    // Sign in with the password: no token in the answer, an HttpOnly cookie instead.
    const login = await signInWithPassword();
    expect(login.status).toBe(200);
    expect(login.body).toMatchObject({ authenticated: true, expires_in: expect.any(Number) });
    expect(login.body).not.toHaveProperty('token');
    expect(login.body).not.toHaveProperty('refresh_token');
    await page.waitForURL(`${origin}/profile`);
    await page.getByText(email).waitFor();
    const cookies = (await context.cookies(origin)).filter((cookie) => cookie.httpOnly);
    expect(cookies).toHaveLength(1);
    expect(cookies[0]).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/', secure: true });
    await screenshot(page, 'spa-03-signed-in-profile');
    await watch.expectNoLeak(page, [link]);

    // Profile: edit the details and upload a picture (multipart through the proxy); the picture loads from APP_URL.
    await page.getByLabel('First name').fill('Ana');
    await page.getByLabel('Last name').fill('Petrovic');
    await page.getByRole('button', { name: 'Save details' }).click();
    await notice().filter({ hasText: 'Your details are saved.' }).waitFor();
    await page.getByLabel(/^Picture/).setInputFiles({ name: 'me.png', mimeType: 'image/png', buffer: await pngWithAlpha(640, 480) });
    await page.getByRole('button', { name: 'Upload picture' }).click();
    await notice().filter({ hasText: 'Your picture is saved.' }).waitFor();
    const avatar = page.getByRole('img', { name: 'Profile picture' });
    expect(await avatar.getAttribute('src')).toMatch(new RegExp(`^${t.config.appUrl}/storage/`));
    await page.waitForFunction(`document.querySelector('img.avatar')?.naturalWidth > 0`);
    const [profile] = await t.db.query(`SELECT first_name, last_name, avatar_key FROM users WHERE username = $1`, [username]);
    expect(profile).toMatchObject({ first_name: 'Ana', last_name: 'Petrovic', avatar_key: expect.any(String) });
    await screenshot(page, 'spa-04-profile-edited');

    // Two-factor with an authenticator app.
    await openScreen('/two-factor', 'Two-factor');
    const secret = (await page.locator('.totp-secret').textContent())!.trim();
    await page.getByLabel('Code from the app').fill(totpCode(secret));
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Turn on' }).click();
    await notice().filter({ hasText: 'Two-factor is on.' }).waitFor();
    const recoveryCodes = await page.locator('.recovery-codes li').allTextContents();
    expect(recoveryCodes).toHaveLength(10);
    await screenshot(page, 'spa-05-two-factor-on');

    // A passkey, made by Chromium's virtual authenticator.
    await openScreen('/passkeys', 'Passkeys');
    await page.getByLabel('Name').fill('Chromium virtual authenticator');
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await notice().filter({ hasText: 'The passkey Chromium virtual authenticator is added.' }).waitFor();
    await page.locator('.passkeys li').filter({ hasText: 'Chromium virtual authenticator' }).waitFor();
    await screenshot(page, 'spa-06-passkey-added');

    // Sign out: the session ends on the server and the cookie goes.
    expect(await activeSessions()).toHaveLength(1);
    await signOut();
    expect(await activeSessions()).toEqual([]);
    expect((await context.cookies(origin)).filter((cookie) => cookie.httpOnly)).toEqual([]);
    await screenshot(page, 'spa-07-signed-out');
    // Without a session the protected screens send the visitor to sign in.
    await page.getByRole('navigation').getByRole('link', { name: 'Profile' }).click();
    await page.getByText('Please sign in.').waitFor();
    expect(page.url()).toBe(`${origin}/sign-in`);

    // Sign in with the password and the authenticator's code (the step after the one that turned two-factor on).
    await signInWithPassword();
    await page.getByLabel('Code from your authenticator app').waitFor();
    await screenshot(page, 'spa-08-two-factor-step');
    await page.getByLabel('Code from your authenticator app').fill(totpCode(secret, 1));
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(`${origin}/profile`);
    await page.getByText(email).waitFor();
    await screenshot(page, 'spa-09-signed-in-with-totp');
    await watch.expectNoLeak(page, [link]);
    await signOut();

    // Sign in with the passkey: no username, no second factor.
    await openScreen('/sign-in', 'Sign in');
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await page.waitForURL(`${origin}/profile`);
    await page.getByText(email).waitFor();
    await screenshot(page, 'spa-10-signed-in-with-passkey');
    const [passkeyLogin] = await t.db.query(`SELECT properties FROM activity_logs WHERE user_id = $1 AND event = 'auth:login' ORDER BY id DESC LIMIT 1`, [await userId()]);
    expect(passkeyLogin.properties).toEqual({ method: 'passkey', session: 'cookie' });

    // Sessions: a second one (a bearer session from Firefox, completed with a recovery code) shows beside the
    // browser's cookie session; revoke it.
    const firefox = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
    const challenge = await t.http().post('/api/login').set('User-Agent', firefox).send({ username, password }).expect(200);
    const bearerLogin = await t
      .http()
      .post('/api/login/two-factor')
      .set('User-Agent', firefox)
      .send({ challenge_token: challenge.body.challenge_token, recovery_code: recoveryCodes[0] })
      .expect(200);
    await openScreen('/sessions', 'Sessions');
    await rowsWithButton('Revoke', 2);
    await screenshot(page, 'spa-11-sessions');
    await page.locator('table tr').filter({ hasText: 'Firefox' }).getByRole('button', { name: 'Revoke' }).click();
    await notice().filter({ hasText: 'is ended' }).waitFor();
    await rowsWithButton('Revoke', 1);
    await t.http().get('/api/me').set(bearer(bearerLogin.body.token)).expect(401);
    await screenshot(page, 'spa-12-session-revoked');

    // API keys: create one (its secret shown once, and it works), list it, delete it.
    await openScreen('/api-keys', 'API keys');
    await page.getByLabel('Description').fill('Backup script');
    await page.getByRole('button', { name: 'Create key' }).click();
    const shown = (await page.locator('.secret').textContent())!.trim();
    expect(shown).toMatch(/^ptlc_/);
    await page.locator('table tr').filter({ hasText: 'Backup script' }).waitFor();
    await t.http().get('/api/me').set(bearer(shown)).expect(200);
    await screenshot(page, 'spa-13-api-key-created');
    await watch.expectNoLeak(page, [link]);
    await page.locator('table tr').filter({ hasText: 'Backup script' }).getByRole('button', { name: 'Delete' }).click();
    await notice().filter({ hasText: 'is deleted' }).waitFor();
    await rowsWithButton('Delete', 0);
    await t.http().get('/api/me').set(bearer(shown)).expect(401);
    await screenshot(page, 'spa-14-api-key-deleted');

    // Another origin tries to act with this session: a form POST and fetch with credentials, from another site
    // (127.0.0.1, where SameSite keeps the cookie home) and from another port of this site (localhost, where the
    // cookie goes along and the server's Origin check refuses). Nothing changes.
    const sessionsBefore = await activeSessions();
    const keysBefore = await apiKeyCount();
    for (const host of ['localhost', '127.0.0.1']) {
      const other = await context.newPage();
      await other.goto(`http://${host}:${attackerPort}/`);
      expect(await other.evaluate('credentialedRead()')).toBe('refused');
      expect(await other.evaluate('simpleFetch()')).toBe('refused');
      expect(await other.evaluate('preflightedFetch()')).toBe('refused');
      const [forged] = await Promise.all([
        other.waitForResponse((response) => response.request().method() === 'POST' && response.request().isNavigationRequest()),
        other.getByRole('button', { name: 'Win a prize' }).click(),
      ]);
      // From this site's other port the cookie goes along and the Origin check answers; from another site the
      // browser keeps the SameSite=Lax cookie home, so the request carries no credential at all.
      if (host === 'localhost') {
        expect(forged.status()).toBe(403);
        expect(await forged.json()).toEqual({ message: 'Cross-site request refused.' });
      } else {
        expect(forged.status()).toBe(401);
      }
      await other.waitForLoadState();
      await screenshot(other, `spa-15-forged-post-from-${host === 'localhost' ? 'same-site-port' : 'other-site'}`);
      await other.close();
    }
    expect(await activeSessions()).toEqual(sessionsBefore);
    expect(await apiKeyCount()).toBe(keysBefore);
    await openScreen('/profile', 'Profile');
    await page.getByText(email).waitFor();

    // Export: the whole document, saved from a local blob.
    await openScreen('/export', 'Export');
    await page.getByRole('button', { name: 'Prepare my data' }).click();
    await page.locator('pre.export').filter({ hasText: username }).waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Save tessera-export.json' }).click()]);
    expect(download.suggestedFilename()).toBe('tessera-export.json');
    expect(download.url()).toMatch(/^blob:/);
    await screenshot(page, 'spa-16-export');
    await watch.expectNoLeak(page, [link]);

    // Forgot the password: the mailed link opens the SPA, which drops the token from the address. The reset keeps
    // two-factor on: the new password and a recovery code sign in again.
    await signOut();
    await openScreen('/sign-in', 'Sign in');
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.getByLabel('Email').fill(email);
    await page.getByRole('button', { name: 'Send the reset link' }).click();
    await notice().filter({ hasText: 'If the account exists' }).waitFor();
    await screenshot(page, 'spa-17-forgot-password');
    await t.app.get(MailService).flush();
    const resetMail = await t.mail.waitFor((m) => m.to === email && m.text.includes(`${origin}/reset-password?`));
    const resetLink = new RegExp(`${origin}/reset-password\\?\\S+`).exec(resetMail.text)![0];
    await page.goto(resetLink);
    await page.getByLabel('New password', { exact: true }).waitFor();
    expect(page.url()).toBe(`${origin}/reset-password`);
    password = `Spa-reset-${randomBytes(8).toString('hex')}`;
    await page.getByLabel('New password', { exact: true }).fill(password);
    await page.getByLabel('New password again').fill(password);
    await screenshot(page, 'spa-18-reset-password');
    await page.getByRole('button', { name: 'Change the password' }).click();
    await page.getByText('Your password is changed: sign in with it.').waitFor();
    expect(watch.urls.filter((url) => url.includes(new URL(resetLink).searchParams.get('token')!))).toEqual([resetLink]);
    await signInWithPassword();
    await page.getByLabel('Or a recovery code').fill(recoveryCodes[1]);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(`${origin}/profile`);
    await page.getByText(email).waitFor();
    await screenshot(page, 'spa-19-signed-in-after-reset');
    await watch.expectNoLeak(page, [link, resetLink]);

    // Organizations: create two (the first becomes current), switch to the second, invite a second address; its
    // owner accepts through the mailed link in another browser, then leaves (so the account can be deleted below).
    await openScreen('/organizations', 'Organizations');
    for (const name of ['Journey Guild', 'Journey Workshop']) {
      await page.getByLabel('Organization name').fill(name);
      await page.getByRole('button', { name: 'Create organization' }).click();
      await notice().filter({ hasText: `The organization ${name} is created.` }).waitFor();
    }
    await page.locator('table tr').filter({ hasText: 'Journey Guild' }).locator('td.current', { hasText: 'current' }).waitFor();
    await page.locator('table tr').filter({ hasText: 'Journey Workshop' }).getByRole('button', { name: 'Make current' }).click();
    await notice().filter({ hasText: 'Journey Workshop is your current organization.' }).waitFor();
    await page.locator('table tr').filter({ hasText: 'Journey Workshop' }).locator('td.current', { hasText: 'current' }).waitFor();
    const [current] = await t.db.query(`SELECT o.name FROM users u JOIN organizations o ON o.id = u.current_organization_id WHERE u.id = $1`, [await userId()]);
    expect(current.name).toBe('Journey Workshop');
    const invitee = await registerUser(t);
    await page.locator('table tr').filter({ hasText: 'Journey Workshop' }).getByRole('button', { name: 'Manage' }).click();
    await page.getByLabel('Email to invite').fill(invitee.email);
    await page.getByRole('button', { name: 'Invite' }).click();
    await notice().filter({ hasText: `An invitation is mailed to ${invitee.email}.` }).waitFor();
    await page.locator('.members li').filter({ hasText: username }).waitFor();
    await screenshot(page, 'spa-20-organizations');
    await t.app.get(MailService).flush();
    const inviteMail = await t.mail.waitFor((m) => m.to === invitee.email && m.text.includes(`${origin}/accept-invitation?`));
    const inviteLink = new RegExp(`${origin}/accept-invitation\\?token=\\S+`).exec(inviteMail.text)![0];
    const inviteeContext = await browser.newContext({ viewport: { width: 1000, height: 720 } });
    const inviteeWatch = new SecretWatch(inviteeContext);
    const inviteePage = await inviteeContext.newPage();
    await inviteePage.goto(`${origin}/sign-in`);
    await inviteePage.getByLabel('Username or email').fill(invitee.username);
    await inviteePage.getByLabel('Password').fill(invitee.password);
    await inviteePage.getByRole('button', { name: 'Sign in', exact: true }).click();
    await inviteePage.waitForURL(`${origin}/profile`);
    await inviteePage.goto(inviteLink);
    await inviteePage.getByText('Journey Workshop invites you as member').waitFor();
    expect(inviteePage.url()).toBe(`${origin}/accept-invitation`);
    await screenshot(inviteePage, 'spa-21-organization-invitation');
    await inviteePage.getByRole('button', { name: 'Accept the invitation' }).click();
    await inviteePage.getByRole('status').filter({ hasText: 'You joined Journey Workshop.' }).waitFor();
    await inviteePage.locator('table tr').filter({ hasText: 'Journey Workshop' }).locator('td.current', { hasText: 'current' }).waitFor();
    await screenshot(inviteePage, 'spa-22-organization-joined');
    const members = async () =>
      (await t.db.query(`SELECT u.username FROM organization_memberships m JOIN users u ON u.id = m.user_id JOIN organizations o ON o.id = m.organization_id WHERE o.name = 'Journey Workshop' ORDER BY u.username`, [])).map((row: { username: string }) => row.username);
    expect(await members()).toEqual([invitee.username, username].sort());
    await inviteePage.locator('table tr').filter({ hasText: 'Journey Workshop' }).getByRole('button', { name: 'Leave' }).click();
    await inviteePage.getByRole('status').filter({ hasText: 'You left Journey Workshop.' }).waitFor();
    expect(await members()).toEqual([username]);
    // The invitation's token was in its mailed link only, in that browser too.
    const inviteToken = new URL(inviteLink).searchParams.get('token')!;
    expect(inviteeWatch.urls.filter((url) => url.includes(inviteToken))).toEqual([inviteLink]);
    expect(watch.urls.filter((url) => url.includes(inviteToken))).toEqual([]);
    await inviteeWatch.expectNoLeak(inviteePage, [inviteLink]);
    await inviteeContext.close();
    await watch.expectNoLeak(page, [link, resetLink]);

    // Delete the account.
    const id = await userId();
    await openScreen('/delete-account', 'Delete account');
    await page.getByLabel('I understand that this cannot be undone').check();
    await screenshot(page, 'spa-23-delete-account');
    await page.getByRole('button', { name: 'Delete my account' }).click();
    await page.waitForURL(`${origin}/sign-up`);
    await notice().filter({ hasText: 'Your account is deleted.' }).waitFor();
    expect(await t.db.query(`SELECT id FROM users WHERE id = $1`, [id])).toEqual([]);
    await screenshot(page, 'spa-24-account-deleted');
    await watch.expectNoLeak(page, [link, resetLink]);
    // Everything the API handed out was seen by the watch: the cookie, the challenge, the TOTP secret, the key.
    expect([...watch.secrets.values()]).toEqual(
      expect.arrayContaining([expect.stringMatching(/cookie$/), expect.stringMatching(/^challenge_token/), expect.stringMatching(/^secret from/), expect.stringMatching(/^secret_token/)]),
    );
    // One test for the whole journey (each step needs the one before): more than the default per-test time.
  }, 300_000);
});
