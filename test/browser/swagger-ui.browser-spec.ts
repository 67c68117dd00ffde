import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { bootTestApp, type TestApp } from '../support/app.js';
import { makeAdmin, markEmailVerified, registerUser, type TestUser } from '../support/factories.js';
import { pngWithAlpha } from '../support/images.js';
import { launchBrowser, screenshot } from './support/browser.js';

/** The operation block of `method path` in Swagger UI. */
function operation(page: Page, method: string, apiPath: string): Locator {
  return page.locator(`.opblock.opblock-${method}`).filter({ has: page.locator(`.opblock-summary-path[data-path="${apiPath}"]`) });
}

/** Opens an operation and switches it to "Try it out". */
async function tryItOut(page: Page, method: string, apiPath: string): Promise<Locator> {
  const block = operation(page, method, apiPath);
  if ((await block.locator('.opblock-body').count()) === 0) await block.locator('.opblock-summary').first().click();
  const button = block.locator('button.try-out__btn');
  if ((await button.textContent())?.includes('Try it out')) await button.click();
  return block;
}

interface Executed {
  status: number;
  body: string;
  /** The request URL Swagger UI shows under "Request URL". */
  url: string;
}

/** Presses Execute and reads the live response Swagger UI shows. */
async function execute(block: Locator): Promise<Executed> {
  await block.locator('button.execute').click();
  const status = block.locator('.live-responses-table .response .response-col_status').first();
  await status.waitFor();
  return {
    status: Number((await status.textContent())?.trim()),
    body: (await block.locator('.live-responses-table .response-col_description .highlight-code pre').first().textContent()) ?? '',
    url: (await block.locator('.request-url pre').textContent())?.trim() ?? '',
  };
}

/** POST /api/login through Try it out; answers the access token from the response Swagger UI shows. */
async function logInThroughTryItOut(page: Page, user: TestUser, host: string): Promise<string> {
  const block = await tryItOut(page, 'post', '/api/login');
  await block.locator('textarea.body-param__text').fill(JSON.stringify({ username: user.username, password: user.password }));
  const login = await execute(block);
  await screenshot(page, `${host}-1-login-try-it-out-200`, block);
  expect(`${login.status} ${login.body}`).toMatch(/^200 /);
  return (JSON.parse(login.body) as { token: string }).token;
}

async function authorize(page: Page, token: string, host: string): Promise<void> {
  await page.locator('.scheme-container button.authorize').click();
  const modal = page.locator('.modal-ux');
  await modal.locator('input[type=text]').fill(token);
  await modal.locator('.auth-btn-wrapper button.authorize').click();
  await screenshot(page, `${host}-2-authorized`, modal.locator('.modal-ux-inner'));
  await modal.locator('button.btn-done').click();
}

/** GET /api/me and GET /api/users through Try it out, as the admin, without touching any field. */
async function readMeAndUsers(page: Page, admin: TestUser, shot: string): Promise<void> {
  const meBlock = await tryItOut(page, 'get', '/api/me');
  const me = await execute(meBlock);
  await screenshot(page, `${shot}-me-200`, meBlock);
  expect(`${me.status} ${me.body}`).toMatch(/^200 /);
  expect(JSON.parse(me.body)).toMatchObject({ data: { username: admin.username } });

  const usersBlock = await tryItOut(page, 'get', '/api/users');
  const users = await execute(usersBlock);
  await screenshot(page, `${shot}-users-200`, usersBlock);
  expect(`${users.status} ${users.body}`).toMatch(/^200 /);
  // Nothing pre-filled: no filter, include or sort was sent, and the admin is in the list.
  expect(new URL(users.url).search).toBe('');
  const list = JSON.parse(users.body) as { data: { username: string }[] };
  expect(list.data.map((user) => user.username)).toContain(admin.username);
}

describe('Swagger UI in Chromium', () => {
  let t: TestApp;
  let browser: Browser;
  let port: number;
  let admin: TestUser;
  let avatarFile: string;

  beforeAll(async () => {
    t = await bootTestApp();
    await t.app.listen(0, '127.0.0.1');
    port = (t.app.getHttpServer().address() as { port: number }).port;
    admin = await registerUser(t);
    await makeAdmin(t, admin.id);
    // Creating an organization needs a verified address.
    await markEmailVerified(t, admin.id);
    avatarFile = path.join(tmpdir(), `tessera-avatar-${process.pid}.png`);
    await writeFile(avatarFile, await pngWithAlpha(320, 240));
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('renders the operations, grouped by family and capability', async () => {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${port}/docs`);
    await page.locator('.opblock').first().waitFor();
    expect(await page.locator('.opblock').count()).toBeGreaterThan(10);
    const tags = await page.locator('.opblock-tag-section .opblock-tag').allTextContents();
    expect(tags.join('\n')).toContain('me: two-factor by SMS');
    expect(tags.join('\n')).not.toMatch(/seed/);
    await screenshot(page, 'swagger-ui-overview');
    await page.close();
  });

  it.each(['127.0.0.1', 'localhost'])(
    'at http://%s: logs in through Try it out, authorizes, reads /api/me and /api/users, again after a reload, uploads an avatar',
    async (host) => {
      const page = await browser.newPage();
      const blocked: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') blocked.push(message.text());
      });
      await page.goto(`http://${host}:${port}/docs`);
      await page.locator('.opblock').first().waitFor();

      const token = await logInThroughTryItOut(page, admin, host);
      expect(token.split('.')).toHaveLength(3);
      await authorize(page, token, host);
      await readMeAndUsers(page, admin, `${host}-3`);

      // The token is remembered across a reload (persistAuthorization), and the calls work again.
      await page.reload();
      await page.locator('.opblock').first().waitFor();
      await readMeAndUsers(page, admin, `${host}-4-after-reload`);

      const upload = await tryItOut(page, 'post', '/api/me/avatar');
      await upload.locator('input[type=file]').setInputFiles(avatarFile);
      const uploaded = await execute(upload);
      await screenshot(page, `${host}-5-avatar-upload-200`, upload);
      expect(`${uploaded.status} ${uploaded.body}`).toMatch(/^200 /);
      expect((JSON.parse(uploaded.body) as { data: { avatar: string } }).data.avatar).toMatch(/\/storage\/avatars\//);

      // The Open Badge profile form sends no empty profile_picture when no file is chosen.
      const profile = await tryItOut(page, 'post', '/api/v1/auth/user/profile');
      await profile.locator('select.content-type').first().selectOption('multipart/form-data').catch(() => undefined);
      const saved = await execute(profile);
      await screenshot(page, `${host}-6-v1-profile-without-file-200`, profile);
      expect(`${saved.status} ${saved.body}`).toMatch(/^200 /);

      expect(blocked.filter((text) => /Content Security Policy|Failed to fetch/i.test(text))).toEqual([]);
      await page.close();
    },
  );

  it("creates, edits and invites to an organization from Try it out with the seed's examples as they are", async () => {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${port}/docs`);
    await page.locator('.opblock').first().waitFor();
    const tags = await page.locator('.opblock-tag-section .opblock-tag').allTextContents();
    expect(tags.join('\n')).toContain('organizations');
    await authorize(page, await logInThroughTryItOut(page, admin, 'organizations'), 'organizations');

    // The example body is the seed's organization: sent untouched.
    const create = await tryItOut(page, 'post', '/api/organizations');
    const created = await execute(create);
    await screenshot(page, 'organizations-1-create-201', create);
    expect(`${created.status} ${created.body}`).toMatch(/^201 /);
    const organization = (JSON.parse(created.body) as { data: { id: string; name: string; address_info: { city: string } } }).data;
    expect(organization).toMatchObject({ name: 'LearnQuest Academyyyyy', address_info: { city: 'Example City' } });

    const edit = await tryItOut(page, 'patch', '/api/organizations/{id}');
    await edit.locator('tr[data-param-name="id"] input').fill(organization.id);
    const edited = await execute(edit);
    await screenshot(page, 'organizations-2-edit-200', edit);
    expect(`${edited.status} ${edited.body}`).toMatch(/^200 /);

    const invite = await tryItOut(page, 'post', '/api/organizations/{id}/invitations');
    await invite.locator('tr[data-param-name="id"] input').fill(organization.id);
    const invited = await execute(invite);
    await screenshot(page, 'organizations-3-invite-201', invite);
    expect(`${invited.status} ${invited.body}`).toMatch(/^201 /);
    expect(JSON.parse(invited.body)).toMatchObject({ data: { email: 'new.member@example.com', role: 'member', status: 'pending' } });
    await page.close();
  });
});
