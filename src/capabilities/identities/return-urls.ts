/**
 * The return_to rule (docs/api/identities.md#return_to): a URL may be returned to when, after URL normalisation, it
 * has an allowed entry's origin and, when the entry has a path, that path or a path below it. The origin is
 * compared whole, so `https://app.example.com.evil.test` or `https://app.example.com@evil.test` never match
 * `https://app.example.com`; credentials, other schemes and fragments are refused.
 */
export function allowedReturnUrl(candidate: string, allowed: readonly string[]): string | null {
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    return null;
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.username || url.password || url.hash) return null;
  const matches = allowed.some((entry) => {
    const base = new URL(entry);
    if (base.origin !== url.origin) return false;
    if (base.pathname === '/') return true;
    const prefix = base.pathname.endsWith('/') ? base.pathname : `${base.pathname}/`;
    return url.pathname === base.pathname.replace(/\/$/, '') || url.pathname.startsWith(prefix);
  });
  return matches ? url.href : null;
}

/** `url` with the given query parameters set (the outcome of a flow: `oauth_code`, `oauth_error`, `oauth_linked`). */
export function withQuery(url: string, parameters: Record<string, string>): string {
  const target = new URL(url);
  for (const [name, value] of Object.entries(parameters)) target.searchParams.set(name, value);
  return target.href;
}
