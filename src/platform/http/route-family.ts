export type RouteFamily = 'client' | 'vanguard';

/** The `/api/client/…` routes speak the client dialect; every other route the Laravel one (CONTRACT §9). */
export function routeFamilyOf(path: string): RouteFamily {
  return /^\/api\/client(\/|\?|$)/.test(path) ? 'client' : 'vanguard';
}
