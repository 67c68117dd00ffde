import type { BrowserContext, Page, Response } from 'playwright-core';

/** Keys of the API's answers whose values are secrets: tokens, one-time secrets and codes. */
const SECRET_KEYS = new Set(['token', 'refresh_token', 'device_token', 'challenge_token', 'secret_token', 'secret', 'tokens', 'image_url_data', 'recovery_codes']);

/** What a page can read from script, and where it is. */
interface PageState {
  url: string;
  localStorage: string;
  sessionStorage: string;
  documentCookie: string;
}

/**
 * Watches a browser context for secrets leaking to where scripts or other parties can read them: every secret the
 * API hands the browser (the session cookie's value, and any token, secret or code in an `/api` answer) must never
 * appear in localStorage, sessionStorage, document.cookie, a URL the browser requested or navigated to, or a
 * Referer header.
 */
export class SecretWatch {
  /** Every secret seen so far, with where it was seen. */
  readonly secrets = new Map<string, string>();
  /** Every URL requested in the context, and every Referer sent. */
  readonly urls: string[] = [];
  private readonly reading: Promise<void>[] = [];

  constructor(private readonly context: BrowserContext) {
    context.on('request', (request) => {
      this.urls.push(request.url());
      const referer = request.headers()['referer'];
      if (referer) this.urls.push(referer);
    });
    context.on('response', (response) => this.reading.push(this.collect(response)));
  }

  /**
   * Fails when any secret seen so far is readable by `page`'s scripts or was in a URL; `except` are URLs that carry
   * a secret by design (the link mailed to verify an address).
   */
  async expectNoLeak(page: Page, except: string[] = []): Promise<void> {
    await Promise.all(this.reading);
    for (const cookie of await this.context.cookies()) {
      if (cookie.httpOnly) this.secrets.set(cookie.value, `the ${cookie.name} cookie`);
    }
    // In-page code as text: this project's type-check has no DOM library.
    const state = await page.evaluate<PageState>(
      `({ url: location.href, localStorage: JSON.stringify({ ...localStorage }), sessionStorage: JSON.stringify({ ...sessionStorage }), documentCookie: document.cookie })`,
    );
    const urls = [state.url, ...this.urls].filter((url) => !except.includes(url));
    const leaks: string[] = [];
    for (const [secret, source] of this.secrets) {
      if (state.localStorage.includes(secret)) leaks.push(`${source} in localStorage`);
      if (state.sessionStorage.includes(secret)) leaks.push(`${source} in sessionStorage`);
      if (state.documentCookie.includes(secret)) leaks.push(`${source} in document.cookie`);
      const url = urls.find((candidate) => candidate.includes(secret) || candidate.includes(encodeURIComponent(secret)));
      if (url) leaks.push(`${source} in the URL ${url}`);
    }
    expect(leaks).toEqual([]);
  }

  private async collect(response: Response): Promise<void> {
    if (!new URL(response.url()).pathname.startsWith('/api/')) return;
    if (!(response.headers()['content-type'] ?? '').includes('json')) return;
    const body: unknown = await response.json().catch(() => undefined);
    this.walk(body, '', `${response.request().method()} ${new URL(response.url()).pathname}`);
  }

  private walk(value: unknown, key: string, source: string): void {
    if (typeof value === 'string') {
      if (SECRET_KEYS.has(key) && value.length >= 8) this.secrets.set(value, `${key} from ${source}`);
    } else if (Array.isArray(value)) {
      for (const item of value) this.walk(item, key, source);
    } else if (value && typeof value === 'object') {
      for (const [name, item] of Object.entries(value)) this.walk(item, name, source);
    }
  }
}
