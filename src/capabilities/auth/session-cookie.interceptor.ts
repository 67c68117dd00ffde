import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { Response } from 'express';
import { map, type Observable } from 'rxjs';
import type { AuthenticatedRequest } from '../../core/credentials/auth.decorators.js';
import { SESSION_COOKIE, type BrowserSignedIn } from '../../core/credentials/login-outcome.service.js';
import { expiredSessionSetCookie, sessionSetCookie } from '../../core/credentials/sessions/session-cookie.js';
import type { AppConfig, SessionCookieConfig } from '../../platform/config/app-config.js';
import { InjectConfig } from '../../platform/config/config.module.js';

function isBrowserSignIn(result: unknown): result is BrowserSignedIn {
  return typeof result === 'object' && result !== null && SESSION_COOKIE in result;
}

/**
 * Writes the browser session cookie on successful answers (a failed request never touches it):
 * - a browser sign-in's answer carries the new session's cookie (BrowserSignedIn): set;
 * - the caller's cookie was renewed (a password change) or its expiry slid (the batched activity write was due):
 *   set again, with a fresh Max-Age;
 * - the caller's browser session ended (logout): expired, with `Clear-Site-Data: "cookies"`.
 */
@Injectable()
export class SessionCookieInterceptor implements NestInterceptor {
  private readonly config: SessionCookieConfig;

  constructor(@InjectConfig() config: AppConfig) {
    this.config = config.sessionCookie;
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    return next.handle().pipe(
      map((result: unknown) => {
        const response = http.getResponse<Response>();
        if (isBrowserSignIn(result)) {
          response.append('Set-Cookie', sessionSetCookie(this.config, result[SESSION_COOKIE]));
          return result;
        }
        const cookie = http.getRequest<AuthenticatedRequest>().auth?.session?.cookie;
        if (cookie?.reply === 'set') response.append('Set-Cookie', sessionSetCookie(this.config, cookie.value));
        if (cookie?.reply === 'clear') {
          response.append('Set-Cookie', expiredSessionSetCookie(this.config));
          response.setHeader('Clear-Site-Data', '"cookies"');
        }
        return result;
      }),
    );
  }
}
