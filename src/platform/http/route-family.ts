export type RouteFamily = 'client' | 'vanguard';

/** The `/api/client/…` routes speak the client dialect; every other route the Laravel one (docs/errors.md#the-two-error-shapes). */
export function routeFamilyOf(path: string): RouteFamily {
  return /^\/api\/client(\/|\?|$)/.test(path) ? 'client' : 'vanguard';
}
