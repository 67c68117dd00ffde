import type { Browser } from 'playwright-core';
import { bootTestApp, type TestApp } from '../support/app.js';
import { launchBrowser, screenshot } from './support/browser.js';

describe('Swagger UI in Chromium', () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    t = await bootTestApp();
    await t.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as { port: number }).port}`;
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('renders the operations of the document at /docs', async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/docs`);
    await page.locator('.opblock').first().waitFor();
    expect(await page.locator('.opblock').count()).toBeGreaterThan(10);
    await screenshot(page, 'swagger-ui-overview');
    await page.close();
  });
});
