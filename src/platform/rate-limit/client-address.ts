import ipaddr from 'ipaddr.js';

/**
 * The key a per-address limit counts a client under. An IPv6 client is counted per /64: one subscriber or host is
 * usually given a whole /64, so counting single addresses would give it 2^64 budgets. An IPv4 address, and an IPv4
 * address written as IPv6 (`::ffff:192.0.2.1`, as a dual-stack socket reports it), is counted as itself. Anything
 * that does not parse is used as it is.
 */
export function addressKey(ip: string): string {
  if (!ipaddr.isValid(ip)) return ip;
  const address = ipaddr.process(ip);
  if (address.kind() === 'ipv4') return address.toString();
  const parts = (address as ipaddr.IPv6).parts.slice(0, 4);
  return `${new ipaddr.IPv6([...parts, 0, 0, 0, 0]).toString()}/64`;
}
