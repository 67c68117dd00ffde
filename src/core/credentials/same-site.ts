import { Injectable } from '@nestjs/common';
import type { Request } from 'express';
import type { AppConfig } from '../../platform/config/app-config.js';
import { InjectConfig } from '../../platform/config/config.module.js';
import { DomainError } from '../../platform/errors/domain-error.js';
import { CREDENTIAL_ERRORS } from './errors.js';

/** What a request says about where it was sent from: the headers the cross-site request check reads. */
export interface RequestSite {
  /** `Origin`: browsers send it on every cross-origin request and on same-origin POST, PUT, PATCH and DELETE. */
  origin: string | undefined;
  /** `X-Requested-With` present (any value): a cross-site form cannot add a header, and fetch can only with CORS's consent. */
  requestedWith: boolean;
  /** `Sec-Fetch-Site` (Fetch Metadata), set by the browser itself. */
  fetchSite: string | undefined;
}

function singleHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

export function requestSiteOf(request: Request): RequestSite {
  return {
    origin: singleHeader(request.headers.origin),
    requestedWith: request.headers['x-requested-with'] !== undefined,
    fetchSite: singleHeader(request.headers['sec-fetch-site']),
  };
}

/**
 * True when a request may act with the browser session cookie: an allowed `Origin`, `X-Requested-With`, and no
 * `Sec-Fetch-Site: cross-site` (docs/security.md#cross-site-requests).
 */
export function isSameSiteRequest(site: RequestSite, allowedOrigins: ReadonlySet<string>): boolean {
  return site.origin !== undefined && allowedOrigins.has(site.origin) && site.requestedWith && site.fetchSite !== 'cross-site';
}

/**
 * The cross-site request check of cookie sessions: on every unsafe request the cookie authenticates (the bearer
 * guard) and on every `session: "cookie"` sign-in (the sign-in services, before they change anything).
 */
@Injectable()
export class SameSiteRequests {
  private readonly allowedOrigins: ReadonlySet<string>;

  constructor(@InjectConfig() config: AppConfig) {
    this.allowedOrigins = new Set(config.allowedOrigins);
  }

  /** 403 (CROSS_SITE_REFUSED) unless the request may act with the cookie. */
  assert(site: RequestSite | undefined): void {
    if (!site || !isSameSiteRequest(site, this.allowedOrigins)) throw new DomainError(CREDENTIAL_ERRORS.CROSS_SITE_REFUSED);
  }
}
