import { AccountLifecycle } from '../../src/core/lifecycle/account-lifecycle.js';
import { ApiKeysService } from '../../src/capabilities/api-keys/api-keys.service.js';
import { SessionsService } from '../../src/core/credentials/sessions/sessions.service.js';
import { bootServices, type TestServices } from '../support/services.js';
import { ApiKey } from '../../src/capabilities/api-keys/entities/api-key.entity.js';
import { UserStatus } from '../../src/core/users/user.entity.js';
import { UsersService } from '../../src/core/users/users.service.js';
import { uniqueName } from '../support/factories.js';

describe('the credential lifecycle registry', () => {
  let s: TestServices;
  beforeAll(async () => {
    s = await bootServices();
  });
  afterAll(() => s.close());

  it('a password change ends the other sessions and keeps the API keys; a reset ends both', async () => {
    const username = uniqueName('medium');
    const user = await s.get(UsersService).create({ username, email: `${username}@example.com`, passwordHash: 'not-a-hash', status: UserStatus.Active });
    const sessions = s.get(SessionsService);
    const client = { ip: '203.0.113.9', userAgent: 'medium' };
    await sessions.open(user, client, 'kept');
    await sessions.open(user, client, 'other');
    const [kept] = await sessions.listActive(user.id);
    for (const n of [1, 2]) {
      await s.db.getRepository(ApiKey).insert({
        userId: user.id,
        identifier: `ptlc_${username.slice(-9)}${n}`.padEnd(16, 'x').slice(0, 16),
        secretHash: 'not-a-hash',
        description: `key ${n}`,
        allowedIps: [],
        scopes: [],
        formatVersion: 2,
      });
    }

    const lifecycle = s.get(AccountLifecycle);
    const changed = await s.db.transaction((manager) => lifecycle.end(user.id, 'password-change', manager, { keepSessionId: kept.id }));
    expect(changed).toEqual({ sessions: 1, apiKeys: 0, challenges: 0 });
    expect((await sessions.listActive(user.id)).map((session) => session.id)).toEqual([kept.id]);

    const reset = await s.db.transaction((manager) => lifecycle.end(user.id, 'password-reset', manager));
    expect(reset).toEqual({ sessions: 1, apiKeys: 2, challenges: 0 });
    expect(await sessions.listActive(user.id)).toEqual([]);
    expect(await s.get(ApiKeysService).list(user.id)).toEqual([]);
  });
});
