import { randomInt } from 'node:crypto';
import { bootMailingTestApp, bootTestApp, type MailingTestApp, type TestApp } from '../../support/app.js';
import { bearer, verifiedUser, type LoggedInUser } from '../../support/factories.js';
import { apiKeyChecksum, randomAlphanumeric } from '../../../src/capabilities/api-keys/api-key-tokens.js';
import { MailService } from '../../../src/platform/mail/mail.service.js';

const KEYS = '/api/client/account/api-keys';
const REVOKE = `${KEYS}/revoke`;

interface CreatedKey {
  identifier: string;
  token: string;
  auth: { Authorization: string };
}

async function createKey(t: TestApp, owner: LoggedInUser): Promise<CreatedKey> {
  const res = await t.http().post(KEYS).set(owner.auth).send({ description: 'leaky' }).expect(200);
  const token = res.body.meta.secret_token as string;
  return { identifier: token.slice(0, 16), token, auth: bearer(token) };
}

/** A fresh client address per test: the revocation limit counts per address, and Redis may be shared. */
const randomIp = (): string => `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;

/** A right identifier with a wrong secret whose checksum holds: it reaches the lookup and must still not revoke. */
function forgedSecret(key: CreatedKey): string {
  const body = key.identifier + randomAlphanumeric(26);
  return body + apiKeyChecksum(body);
}

describe('POST /api/client/account/api-keys/revoke (leaked keys)', () => {
  /** Two instances on one database, both behind a trusted loopback proxy (X-Forwarded-For gives the address). */
  let first: MailingTestApp;
  let second: TestApp;
  beforeAll(async () => {
    first = await bootMailingTestApp({ TRUST_PROXY: 'loopback' });
    second = await bootTestApp({ TRUST_PROXY: 'loopback' });
  });
  afterAll(async () => {
    await second.close();
    await first.close();
  });

  const report = (t: TestApp, tokens: unknown, ip = randomIp()) => t.http().post(REVOKE).set('X-Forwarded-For', ip).send({ tokens });

  it('revokes only the valid keys of a mixed list, records and mails each owner; the keys die on the other instance too', async () => {
    const alice = await verifiedUser(first);
    const bob = await verifiedUser(first);
    const [leaked, kept] = [await createKey(first, alice), await createKey(first, alice)];
    const bobs = await createKey(first, bob);
    for (const key of [leaked, kept, bobs]) await second.http().get('/api/me').set(key.auth).expect(200);

    const changedChecksum = `${kept.token.slice(0, -1)}${kept.token.endsWith('A') ? 'B' : 'A'}`;
    const res = await report(first, [leaked.token, 'hello', changedChecksum, forgedSecret(kept), `  ${kept.token}`, bobs.token, leaked.token]).expect(
      202,
    );
    expect(res.body).toEqual({ success: true });

    // Refused on the next request on the other instance; the others still work.
    await second.http().get('/api/me').set(leaked.auth).expect(401);
    await second.http().get('/api/client/account').set(bobs.auth).expect(401);
    await second.http().get('/api/me').set(kept.auth).expect(200);
    const remaining = (await first.http().get(KEYS).set(alice.auth).expect(200)).body.data.map((k: { attributes: { identifier: string } }) => k.attributes.identifier);
    expect(remaining).toEqual([kept.identifier]);

    const revoked = await first.db.query(
      `SELECT user_id, actor_id, event, ip, properties FROM activity_logs WHERE event = 'user:api-key.revoked' AND user_id IN ($1, $2) ORDER BY user_id`,
      [alice.id, bob.id],
    );
    expect(revoked).toEqual([
      { user_id: alice.id, actor_id: null, event: 'user:api-key.revoked', ip: expect.any(String), properties: { identifier: leaked.identifier, reason: 'reported' } },
      { user_id: bob.id, actor_id: null, event: 'user:api-key.revoked', ip: expect.any(String), properties: { identifier: bobs.identifier, reason: 'reported' } },
    ]);

    await first.app.get(MailService).flush();
    const toAlice = await first.mail.waitFor((m) => m.to === alice.email && m.subject === 'An API key was revoked');
    expect(toAlice.text).toContain(leaked.identifier);
    expect(toAlice.text).not.toContain(kept.identifier);
    expect(toAlice.raw).not.toContain(leaked.token.slice(16));
    const toBob = await first.mail.waitFor((m) => m.to === bob.email && m.subject === 'An API key was revoked');
    expect(toBob.text).toContain(bobs.identifier);
    expect(first.mail.messages.filter((m) => m.to === alice.email && m.subject.includes('revoked'))).toHaveLength(1);
  });

  it('answers the same for garbage, made-up and already revoked keys, and changes nothing', async () => {
    const owner = await verifiedUser(first);
    const key = await createKey(first, owner);
    const before = await first.db.query(`SELECT count(*)::int AS n FROM api_keys`);
    const madeUp = `ptlc_${randomAlphanumeric(37)}`;
    for (const tokens of [['garbage'], [forgedSecret(key)], [madeUp + apiKeyChecksum(madeUp)], ['x'.repeat(128)]]) {
      const res = await report(first, tokens).expect(202);
      expect(res.body).toEqual({ success: true });
    }
    expect(await first.db.query(`SELECT count(*)::int AS n FROM api_keys`)).toEqual(before);
    await first.http().get('/api/me').set(key.auth).expect(200);

    await report(first, [key.token]).expect(202, { success: true });
    await report(first, [key.token]).expect(202, { success: true });
    const [{ n }] = await first.db.query(`SELECT count(*)::int AS n FROM activity_logs WHERE user_id = $1 AND event = 'user:api-key.revoked'`, [owner.id]);
    expect(n).toBe(1);
  });

  it.each([
    ['no tokens field', undefined, 'tokens'],
    ['an empty list', [], 'tokens'],
    ['101 tokens', Array.from({ length: 101 }, () => 'x'), 'tokens'],
    ['a token that is not a string', [42], 'tokens'],
    ['a token longer than 128 characters', ['x'.repeat(129)], 'tokens'],
  ])('answers 422 for %s', async (_name, tokens, field) => {
    const res = await report(first, tokens).expect(422);
    expect(res.body.errors[0]).toMatchObject({ code: 'ValidationException', meta: { source_field: field } });
  });

  it('takes 100 tokens at once', async () => {
    const owner = await verifiedUser(first);
    const key = await createKey(first, owner);
    const tokens = [...Array.from({ length: 99 }, () => `ptlc_${randomAlphanumeric(43)}`), key.token];
    await report(first, tokens).expect(202);
    await first.http().get('/api/me').set(key.auth).expect(401);
  });

  it('is rate-limited per address: the 11th report in a minute is 429 with Retry-After, and revokes nothing', async () => {
    const owner = await verifiedUser(first);
    const key = await createKey(first, owner);
    const ip = randomIp();
    for (let i = 0; i < 10; i += 1) await report(first, ['garbage'], ip).expect(202);
    const limited = await report(first, [key.token], ip).expect(429);
    expect(limited.headers['retry-after']).toMatch(/^\d+$/);
    expect(limited.body).toEqual({ errors: [{ code: 'TooManyRequestsHttpException', status: '429', detail: 'Too Many Attempts.' }] });
    await first.http().get('/api/me').set(key.auth).expect(200);
    await report(first, [key.token]).expect(202);
    await first.http().get('/api/me').set(key.auth).expect(401);
  });

  it('is documented as public, 202, with the tokens bounds', async () => {
    const doc = (await first.http().get('/docs-json').expect(200)).body;
    const operation = doc.paths[REVOKE].post;
    expect(operation.operationId).toBe('revokeApiKeys');
    expect(operation.security).toEqual([]);
    expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['202', '422', '429']));
    expect(Object.keys(operation.responses)).not.toContain('401');
    expect(doc.components.schemas.RevokeApiKeysDto.properties.tokens).toMatchObject({ minItems: 1, maxItems: 100 });
  });
});
