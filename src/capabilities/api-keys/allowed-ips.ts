import ipaddr from 'ipaddr.js';
import type { FieldError } from '../../platform/errors/domain-error.js';

type Address = ipaddr.IPv4 | ipaddr.IPv6;

export const ALLOWED_IPS_FIELD = 'allowed_ips';
export const ALLOWED_IPS_MAX = 50;

const BITS = { ipv4: 32, ipv6: 128 } as const;
/** An IPv4-mapped IPv6 range (`::ffff:10.0.0.0/104`) is kept as the IPv4 range it covers past these bits. */
const MAPPED_PREFIX_BITS = 96;

/** Strict parse: dotted-quad IPv4 or IPv6 without a zone (ipaddr.parse alone also takes `10`, `0x0a.1` and `%eth0`). */
function parseAddress(text: string): Address | null {
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return ipaddr.IPv4.parse(text);
  if (!text.includes('%') && ipaddr.IPv6.isValid(text)) return ipaddr.IPv6.parse(text);
  return null;
}

function format(address: Address): string {
  return address.kind() === 'ipv6' ? (address as ipaddr.IPv6).toRFC5952String() : address.toString();
}

/** An IPv4-mapped IPv6 address becomes the IPv4 address, so it matches the way clients are normalised. */
function unmap(address: Address, prefix: number): [Address, number] {
  if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress() && prefix >= MAPPED_PREFIX_BITS) {
    return [(address as ipaddr.IPv6).toIPv4Address(), prefix - MAPPED_PREFIX_BITS];
  }
  return [address, prefix];
}

/** The canonical form of one allowlist entry (`203.0.113.7`, `10.0.0.0/8`, `2001:db8::/32`), or null if it is neither. */
export function normalizeIpRule(entry: string): string | null {
  const parts = entry.split('/');
  if (parts.length > 2) return null;
  const parsed = parseAddress(parts[0]);
  if (!parsed) return null;
  if (parts.length === 1) return format(unmap(parsed, BITS[parsed.kind()])[0]);
  if (!/^\d{1,3}$/.test(parts[1]) || Number(parts[1]) > BITS[parsed.kind()]) return null;
  const [address, prefix] = unmap(parsed, Number(parts[1]));
  if (prefix === BITS[address.kind()]) return format(address);
  const network = address.kind() === 'ipv4'
    ? ipaddr.IPv4.networkAddressFromCIDR(`${address.toString()}/${prefix}`)
    : ipaddr.IPv6.networkAddressFromCIDR(`${address.toString()}/${prefix}`);
  return `${format(network)}/${prefix}`;
}

/** Canonical rules for a submitted allowlist, or one validation error per bad entry (`allowed_ips.2`). */
export function normalizeAllowedIps(entries: readonly unknown[]): { rules: string[]; errors: FieldError[] } {
  const rules: string[] = [];
  const errors: FieldError[] = [];
  entries.forEach((entry, index) => {
    const field = `${ALLOWED_IPS_FIELD}.${index}`;
    const rule = typeof entry === 'string' ? normalizeIpRule(entry) : null;
    if (rule === null) {
      errors.push({ field, message: `The ${field} must be a valid IP address or CIDR range.`, rule: 'ip' });
    } else if (!rules.includes(rule)) {
      rules.push(rule);
    }
  });
  return { rules, errors };
}

/**
 * True when `clientIp` (the request's address: the socket, or X-Forwarded-For through TRUST_PROXY) falls in one of
 * the stored rules; an empty list allows any address. An IPv4-mapped IPv6 client is compared as IPv4.
 */
export function isIpAllowed(clientIp: string, rules: readonly string[]): boolean {
  if (rules.length === 0) return true;
  if (!ipaddr.isValid(clientIp)) return false;
  const client = ipaddr.process(clientIp);
  return rules.some((rule) => {
    const [text, prefix] = rule.split('/');
    const address = parseAddress(text);
    if (!address || address.kind() !== client.kind()) return false;
    return client.match(address, prefix === undefined ? BITS[address.kind()] : Number(prefix));
  });
}
