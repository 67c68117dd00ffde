import type { Passkey } from './entities/passkey.entity.js';
import { presentPasskey } from './passkey.presenter.js';

describe('presentPasskey', () => {
  const passkey = {
    id: 7,
    userId: 3,
    credentialId: 'KEbWNCc7NgaYnUyrNeFGX9',
    publicKey: Buffer.from([1, 2, 3]),
    counter: 12,
    name: 'MacBook Touch ID',
    deviceType: 'multiDevice',
    backedUp: true,
    transports: ['internal', 'hybrid'],
    aaguid: '00000000-0000-0000-0000-000000000000',
    createdAt: new Date('2026-11-30T09:12:44.123Z'),
    lastUsedAt: null,
  } as Passkey;

  it('shows the metadata in the /api/me date format, never the key, counter or credential ID', () => {
    expect(presentPasskey(passkey)).toEqual({
      id: 7,
      name: 'MacBook Touch ID',
      created_at: '2026-11-30 09:12:44',
      last_used_at: null,
      device_type: 'multiDevice',
      backed_up: true,
      transports: ['internal', 'hybrid'],
    });
  });

  it('formats last_used_at once the passkey was used', () => {
    expect(presentPasskey({ ...passkey, lastUsedAt: new Date('2026-12-01T18:03:10Z') }).last_used_at).toBe('2026-12-01 18:03:10');
  });
});
