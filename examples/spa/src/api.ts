/**
 * The SPA's one API client. Cookie mode: the session lives in an HttpOnly cookie that JavaScript never sees, so this
 * client holds no token. It sends the cookie with every request (`credentials: 'include'`) and marks every request
 * as the app's own with `X-Requested-With`, which the server requires on a cookie sign-in and on every
 * cookie-authenticated change (a cross-site form cannot set that header). Paths are relative: the SPA and the API
 * share one origin (see vite.config.ts). `@tessera/client` is the repository's client package (clients/typescript),
 * taken from its source here (tsconfig.json `paths`, vite.config.ts `resolve.alias`); an app outside the repository
 * installs the package instead.
 */
import { createTesseraClient } from '@tessera/client';

export const api = createTesseraClient({
  baseUrl: '',
  credentials: 'include',
  headers: { 'X-Requested-With': 'XMLHttpRequest' },
});
