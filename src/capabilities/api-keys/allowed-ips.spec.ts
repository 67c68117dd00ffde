import { isIpAllowed, normalizeAllowedIps, normalizeIpRule } from './allowed-ips.js';

describe('normalizeIpRule', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7'],
    ['10.0.0.0/8', '10.0.0.0/8'],
    ['10.1.2.3/24', '10.1.2.0/24'],
    ['10.1.2.3/32', '10.1.2.3'],
    ['0.0.0.0/0', '0.0.0.0/0'],
    ['2001:DB8:0:0::5', '2001:db8::5'],
    ['2001:db8::5/64', '2001:db8::/64'],
    ['::/0', '::/0'],
    ['::ffff:10.1.2.3', '10.1.2.3'],
    ['::ffff:10.1.2.0/120', '10.1.2.0/24'],
  ])('accepts %s as %s', (entry, canonical) => {
    expect(normalizeIpRule(entry)).toBe(canonical);
  });

  it.each([
    'not-an-ip', '', '10', '10.1', '0x0a.0.0.1', '010.0.0.1', '256.0.0.1', '10.0.0.1/33', '10.0.0.1/', '10.0.0.1/-1',
    '10.0.0.1/8/8', '2001:db8::/129', 'fe80::1%eth0', ' 10.0.0.1', '10.0.0.1/ 8', '1:2:3:4:5:6:7:8:9',
  ])('refuses %j', (entry) => {
    expect(normalizeIpRule(entry)).toBeNull();
  });
});

describe('normalizeAllowedIps', () => {
  it('reports every bad entry by index and keeps the good ones canonical and unique', () => {
    expect(normalizeAllowedIps(['10.0.0.1', 'nope', 42, '10.0.0.1', '2001:db8::/32'])).toEqual({
      rules: ['10.0.0.1', '2001:db8::/32'],
      errors: [
        { field: 'allowed_ips.1', message: 'The allowed_ips.1 must be a valid IP address or CIDR range.', rule: 'ip' },
        { field: 'allowed_ips.2', message: 'The allowed_ips.2 must be a valid IP address or CIDR range.', rule: 'ip' },
      ],
    });
  });
});

describe('isIpAllowed', () => {
  it('allows anything when the list is empty', () => {
    expect(isIpAllowed('198.51.100.1', [])).toBe(true);
  });

  it('matches single addresses and CIDR edges', () => {
    const rules = ['203.0.113.7', '10.0.0.0/24'];
    expect(isIpAllowed('203.0.113.7', rules)).toBe(true);
    expect(isIpAllowed('203.0.113.8', rules)).toBe(false);
    expect(isIpAllowed('10.0.0.0', rules)).toBe(true);
    expect(isIpAllowed('10.0.0.255', rules)).toBe(true);
    expect(isIpAllowed('10.0.1.0', rules)).toBe(false);
    expect(isIpAllowed('9.255.255.255', rules)).toBe(false);
  });

  it('matches IPv6, and an IPv4-mapped IPv6 client against its IPv4 rule', () => {
    expect(isIpAllowed('2001:db8::abcd', ['2001:db8::/64'])).toBe(true);
    expect(isIpAllowed('2001:db8:0:1::1', ['2001:db8::/64'])).toBe(false);
    expect(isIpAllowed('::ffff:10.1.2.3', ['10.1.2.0/24'])).toBe(true);
    expect(isIpAllowed('::ffff:10.1.3.3', ['10.1.2.0/24'])).toBe(false);
    expect(isIpAllowed('10.1.2.3', ['::/0'])).toBe(false);
  });

  it('refuses a client address it cannot parse', () => {
    expect(isIpAllowed('', ['0.0.0.0/0'])).toBe(false);
    expect(isIpAllowed('garbage', ['0.0.0.0/0'])).toBe(false);
  });
});
