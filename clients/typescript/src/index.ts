import createClient, { type Client, type ClientOptions } from 'openapi-fetch';
import type { paths } from './schema.js';

export type { components, operations, paths, webhooks } from './schema.js';

/** The API version this client was generated from (the document's `info.version`; the package has the same). */
export { API_VERSION } from './version.js';

/** A credential, or a function that gives the current one (called before every request, so a refreshed token is used). */
export type TokenSource = string | (() => string | undefined | Promise<string | undefined>);

export interface TesseraClientOptions {
  /** The Tessera instance, e.g. `https://accounts.example.com` (no trailing `/api`). */
  baseUrl: string;
  /** An access token (`token` from `POST /api/login`) or a personal API key (`ptlc_…`), sent as `Authorization: Bearer`. */
  token?: TokenSource;
  /** fetch's credentials mode: `include` to send the session cookie to another origin, `same-origin` by default. */
  credentials?: RequestInit['credentials'];
  /** Headers sent on every request. */
  headers?: ClientOptions['headers'];
  /** A fetch to use instead of the global one (a test's recorder, a proxy agent). */
  fetch?: ClientOptions['fetch'];
}

export type TesseraClient = Client<paths>;

/**
 * A client for every documented operation: `client.GET('/api/me')`, `client.POST('/api/login', { body })`; each
 * answer is `{ data }` on 2xx and `{ error }` (the family's error shape) otherwise, both typed from the document.
 */
export function createTesseraClient({ baseUrl, token, credentials, headers, fetch }: TesseraClientOptions): TesseraClient {
  const client = createClient<paths>({ baseUrl, credentials, headers, ...(fetch ? { fetch } : {}) });
  if (token !== undefined) {
    client.use({
      async onRequest({ request }) {
        const value = typeof token === 'function' ? await token() : token;
        if (value) request.headers.set('Authorization', `Bearer ${value}`);
        return request;
      },
    });
  }
  return client;
}
