import { parseCookie, stringifySetCookie } from 'cookie';
import type { Request, Response } from 'express';
import { isLoopbackHost, type AppConfig } from '../../platform/config/app-config.js';
import { FLOW_TTL_SECONDS } from './oauth-flows.service.js';
import type { BrowserBinding } from './identity-sign-in.service.js';

/** The cookie that binds a flow to the browser that began it; sent only to the flow's routes. */
export const OAUTH_STATE_COOKIE = 'tessera_oauth_state';
const COOKIE_PATH = '/api/oauth';

export function browserBindingOf(request: Request): BrowserBinding {
  const header = request.headers.cookie;
  return { sent: header ? parseCookie(header)[OAUTH_STATE_COOKIE] : undefined };
}

/**
 * Sets the browser's key for 10 minutes: HttpOnly (no script reads it), SameSite=Lax (sent on the provider's
 * top-level redirect back, not on cross-site subrequests), Secure unless the app is served over plain http on a
 * host other than loopback (where browsers would drop a Secure cookie).
 */
export function setBrowserBinding(response: Response, config: AppConfig, browserKey: string): void {
  const app = new URL(config.appUrl);
  const secure = app.protocol === 'https:' || isLoopbackHost(app.hostname);
  response.append(
    'Set-Cookie',
    stringifySetCookie({ name: OAUTH_STATE_COOKIE, value: browserKey, httpOnly: true, secure, sameSite: 'lax', path: COOKIE_PATH, maxAge: FLOW_TTL_SECONDS }),
  );
}
