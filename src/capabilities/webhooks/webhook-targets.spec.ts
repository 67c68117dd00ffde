import { Webhook } from 'standardwebhooks';
import { parseRetryAfter } from './webhook-deliverer.js';
import { newWebhookSecret, signatureHeader } from './webhook-secrets.js';
import { checkTarget, isPublicAddress, TargetRefused, type HostResolver } from './webhook-targets.js';

const resolvesTo =
  (...addresses: string[]): HostResolver =>
  async () =>
    addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

describe('isPublicAddress', () => {
  it.each(['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111', '::ffff:93.184.216.34'])('accepts %s', (address) => {
    expect(isPublicAddress(address)).toBe(true);
  });

  it.each([
    '127.0.0.1',
    '127.1.2.3',
    '::1',
    '0.0.0.0',
    '::',
    '10.0.0.1',
    '172.16.5.4',
    '192.168.1.1',
    '169.254.169.254',
    '100.100.100.200',
    'fd00:ec2::254',
    'fe80::1',
    '::ffff:127.0.0.1',
    '::ffff:10.0.0.1',
    '2002:7f00:1::',
    '64:ff9b::7f00:1',
    '224.0.0.1',
    '255.255.255.255',
    '192.0.2.1',
    'not an address',
  ])('refuses %s', (address) => {
    expect(isPublicAddress(address)).toBe(false);
  });
});

describe('checkTarget', () => {
  const refusal = async (url: string, allowPrivate: boolean, resolve: HostResolver = resolvesTo('93.184.216.34')) => {
    try {
      await checkTarget(url, allowPrivate, resolve);
      return undefined;
    } catch (error) {
      return (error as TargetRefused).reason;
    }
  };

  it('returns the address it checked, to connect to', async () => {
    const target = await checkTarget('https://hooks.example.com/in', false, resolvesTo('93.184.216.34'));
    expect(target).toMatchObject({ address: '93.184.216.34', family: 4 });
    expect(target.url.hostname).toBe('hooks.example.com');
  });

  it('refuses a name with any private address among its answers', async () => {
    expect(await refusal('https://mixed.example.com/', false, resolvesTo('93.184.216.34', '127.0.0.1'))).toBe('blocked');
  });

  it('refuses other schemes, plain http without the flag, and credentials in the URL', async () => {
    expect(await refusal('ftp://example.com/', true)).toBe('scheme');
    expect(await refusal('http://example.com/', false)).toBe('scheme');
    expect(await refusal('not a url', false)).toBe('scheme');
    expect(await refusal('https://user:secret@example.com/', false)).toBe('credentials');
  });

  it('refuses a name that does not resolve', async () => {
    const failing: HostResolver = async () => {
      throw Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
    };
    expect(await refusal('https://nowhere.invalid/', false, failing)).toBe('unresolvable');
  });

  it('allows private targets and plain http with the flag', async () => {
    expect(await refusal('http://localhost:8080/', true, resolvesTo('127.0.0.1'))).toBeUndefined();
    expect(await refusal('http://[::1]:8080/', true)).toBeUndefined();
  });
});

describe('signatures', () => {
  it('are what standardwebhooks verifies, with each secret while two sign', () => {
    const [current, previous] = [newWebhookSecret(), newWebhookSecret()];
    const body = JSON.stringify({ type: 'user.created', timestamp: '2026-12-07T12:00:00.000Z', data: { user_id: 1, user_uuid: 'u' } });
    const at = new Date();
    const headers = { 'webhook-id': 'msg_1', 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)) };
    const signature = signatureHeader([current, previous], 'msg_1', at, body);
    expect(signature.split(' ')).toHaveLength(2);
    for (const secret of [current, previous]) {
      expect(new Webhook(secret).verify(body, { ...headers, 'webhook-signature': signature })).toEqual(JSON.parse(body));
    }
    expect(() => new Webhook(newWebhookSecret()).verify(body, { ...headers, 'webhook-signature': signature })).toThrow();
    expect(() => new Webhook(current).verify(`${body} `, { ...headers, 'webhook-signature': signature })).toThrow();
  });
});

describe('retries', () => {
  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2026-12-07T12:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Mon, 07 Dec 2026 12:10:00 GMT', now)).toBe(600_000);
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });

});
