import { isIP } from 'node:net';
import type { IncomingMessage } from 'node:http';

/**
 * Keeps only the addresses of `X-Forwarded-For` to the right of its last entry that is not an IP address (docs/security.md#client-addresses, TRUST_PROXY): proxies append to the right, so what lies left of a made-up value came from the client. A
 * header left empty is removed, and the socket address counts. Without this, Express took `not-an-ip` as the client
 * IP (a session IP, an allowed-IP check, a rate-limit key).
 */
export function dropForgedForwardedFor(req: IncomingMessage): void {
  const header = req.headers['x-forwarded-for'];
  if (header === undefined) return;
  const entries = (Array.isArray(header) ? header.join(',') : header).split(',').map((entry) => entry.trim());
  let first = entries.length;
  while (first > 0 && isIP(entries[first - 1]) !== 0) first -= 1;
  if (first === 0) return;
  const kept = entries.slice(first);
  if (kept.length === 0) delete req.headers['x-forwarded-for'];
  else req.headers['x-forwarded-for'] = kept.join(', ');
}
