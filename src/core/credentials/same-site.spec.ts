import { isSameSiteRequest, type RequestSite } from './same-site.js';

const ALLOWED = new Set(['https://app.example.com', 'http://localhost:3000']);
const FROM_SITE: RequestSite = { origin: 'https://app.example.com', requestedWith: true, fetchSite: 'same-site' };

describe('the cross-site request check of cookie sessions', () => {
  it('lets through an allowed Origin with X-Requested-With, with any Sec-Fetch-Site but cross-site, or none', () => {
    for (const fetchSite of [undefined, 'same-origin', 'same-site', 'none']) {
      expect(isSameSiteRequest({ ...FROM_SITE, fetchSite }, ALLOWED)).toBe(true);
    }
    expect(isSameSiteRequest({ ...FROM_SITE, origin: 'http://localhost:3000' }, ALLOWED)).toBe(true);
  });

  it.each<[string, Partial<RequestSite>]>([
    ['no Origin', { origin: undefined }],
    ['a foreign Origin', { origin: 'https://evil.example.net' }],
    ['a sibling of an allowed origin', { origin: 'https://evil.app.example.com' }],
    ['another scheme', { origin: 'http://app.example.com' }],
    ['another port', { origin: 'https://app.example.com:8443' }],
    ['a trailing slash', { origin: 'https://app.example.com/' }],
    ['Origin null', { origin: 'null' }],
    ['no X-Requested-With', { requestedWith: false }],
    ['Sec-Fetch-Site: cross-site', { fetchSite: 'cross-site' }],
  ])('refuses %s', (_case, change) => {
    expect(isSameSiteRequest({ ...FROM_SITE, ...change }, ALLOWED)).toBe(false);
  });
});
