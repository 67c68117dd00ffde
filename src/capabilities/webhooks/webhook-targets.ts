import ipaddr from 'ipaddr.js';
import { lookup } from 'node:dns/promises';

/** A checked target: the URL, and the one address the delivery connects to. */
export interface CheckedTarget {
  url: URL;
  address: string;
  family: 4 | 6;
}

/** Why a target is refused; `blocked` is the delivery's `blocked_target`. */
export type TargetRefusal = 'scheme' | 'credentials' | 'unresolvable' | 'blocked';

export class TargetRefused extends Error {
  constructor(readonly reason: TargetRefusal) {
    super(reason === 'blocked' ? 'blocked_target' : `target refused: ${reason}`);
  }
}

/** Resolves a hostname to every address it has; a seam for tests (a name that resolves to loopback). */
export type HostResolver = (hostname: string) => Promise<Array<{ address: string; family: number }>>;

export const systemResolver: HostResolver = (hostname) => lookup(hostname, { all: true, verbatim: true });

/**
 * Whether an address is one a webhook may reach: ipaddr.js's `unicast` range only, which leaves out loopback,
 * private (RFC 1918, unique-local), link-local (where 169.254.169.254 and other cloud metadata services live),
 * carrier-grade NAT (100.64/10, Alibaba's metadata), unspecified, multicast, broadcast, reserved and documentation
 * ranges, and the IPv6 forms that carry an IPv4 address (6to4, Teredo, NAT64), which could reach any of those.
 * An IPv4-mapped IPv6 address is judged as the IPv4 address it is.
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  return parsed.range() === 'unicast';
}

/**
 * Checks a webhook URL and resolves its host: http(s) only (plain http only with private targets allowed), no
 * credentials in it, and every address the name resolves to public unless private targets are allowed. Returns the
 * address to connect to, so the connection goes where the check looked (a name that answers differently the next
 * time, DNS rebinding, gains nothing). Called when an endpoint is saved and again before every delivery.
 */
export async function checkTarget(rawUrl: string, allowPrivate: boolean, resolve: HostResolver = systemResolver): Promise<CheckedTarget> {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new TargetRefused('scheme');
  }
  if (url.protocol !== 'https:' && !(allowPrivate && url.protocol === 'http:')) throw new TargetRefused('scheme');
  if (url.username !== '' || url.password !== '') throw new TargetRefused('credentials');
  const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  let addresses: Array<{ address: string; family: number }>;
  if (ipaddr.isValid(hostname)) {
    addresses = [{ address: hostname, family: hostname.includes(':') ? 6 : 4 }];
  } else {
    try {
      addresses = await resolve(hostname);
    } catch {
      throw new TargetRefused('unresolvable');
    }
  }
  if (addresses.length === 0) throw new TargetRefused('unresolvable');
  // Any private answer refuses the name: a name with one public and one private address could be steered to either.
  if (!allowPrivate && addresses.some(({ address }) => !isPublicAddress(address))) throw new TargetRefused('blocked');
  const [first] = addresses;
  return { url, address: first.address, family: first.family === 6 ? 6 : 4 };
}
