/**
 * The SPA's one API client. Cookie mode: the session lives in an HttpOnly cookie that JavaScript never sees, so this
 * client holds no token. It sends the cookie with every request (`credentials: 'include'`) and marks every request
 * as the app's own with `X-Requested-With`, which the server requires on a cookie sign-in and on every
 * cookie-authenticated change (a cross-site form cannot set that header). Paths are relative: the SPA and the API
 * share one origin (see vite.config.ts).
 */
import createClient from 'openapi-fetch';
import type { paths } from '../../../test/client/schema';

export const api = createClient<paths>({
  credentials: 'include',
  headers: { 'X-Requested-With': 'XMLHttpRequest' },
});
