import { presentApiKeyList, presentCreatedApiKey } from './api-key.presenter.js';
import type { ApiKey } from './entities/api-key.entity.js';

const key = (overrides: Partial<ApiKey> = {}): ApiKey =>
  Object.assign(new (class {})() as ApiKey, {
    id: 7,
    userId: 3,
    identifier: 'ptlc_aB3dE5fG7hJ',
    secretHash: 'a'.repeat(64),
    description: 'Deploy script',
    allowedIps: ['10.0.0.0/8'],
    lastUsedAt: null,
    lastUsedIp: null,
    scopes: ['account.read'],
    expiresAt: null,
    formatVersion: 2,
    createdAt: new Date('2024-10-24T12:04:30.123Z'),
    ...overrides,
  });

describe('api key presenter', () => {
  it('lists keys in the client envelope, with ISO offsets and a null last_used_at, and no hash', () => {
    const body = presentApiKeyList([key(), key({ identifier: 'ptlc_zzzzzzzzzzz', lastUsedAt: new Date('2024-10-25T01:02:03Z') })]);
    expect(body).toEqual({
      object: 'list',
      data: [
        {
          object: 'api_key',
          attributes: {
            identifier: 'ptlc_aB3dE5fG7hJ',
            description: 'Deploy script',
            allowed_ips: ['10.0.0.0/8'],
            last_used_at: null,
            created_at: '2024-10-24T12:04:30+00:00',
            scopes: ['account.read'],
            expires_at: null,
            expired: false,
            last_used_ip: null,
          },
        },
        expect.objectContaining({ attributes: expect.objectContaining({ last_used_at: '2024-10-25T01:02:03+00:00' }) }),
      ],
    });
    expect(JSON.stringify(body)).not.toContain('a'.repeat(64));
  });

  it('shows expires_at with its offset and whether it has passed', () => {
    const [future, past] = presentApiKeyList([
      key({ expiresAt: new Date(Date.now() + 60_000) }),
      key({ expiresAt: new Date('2024-10-25T00:00:00Z'), lastUsedIp: '203.0.113.7' }),
    ]).data;
    expect(future.attributes).toMatchObject({ expired: false, expires_at: expect.stringMatching(/\+00:00$/) });
    expect(past.attributes).toMatchObject({ expired: true, expires_at: '2024-10-25T00:00:00+00:00', last_used_ip: '203.0.113.7' });
  });

  it('adds the full key once, in meta.secret_token', () => {
    const token = `ptlc_aB3dE5fG7hJ${'s'.repeat(32)}`;
    expect(presentCreatedApiKey({ key: key(), token })).toMatchObject({ object: 'api_key', meta: { secret_token: token } });
  });
});
