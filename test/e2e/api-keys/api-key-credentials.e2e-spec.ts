import { jest } from '@jest/globals';
import { bootMailingTestApp, bootTestApp, type MailingTestApp, type TestApp } from '../../support/app.js';
import { bearer, verifiedUser, type LoggedInUser } from '../../support/factories.js';
import { queriesDuring } from '../../support/queries.js';
import { ageLogins } from '../../support/profile-helpers.js';
import { ApiKeysService } from '../../../src/capabilities/api-keys/api-keys.service.js';
import { apiKeyChecksum, hashApiKeySecret, hasValidChecksum, randomAlphanumeric } from '../../../src/capabilities/api-keys/api-key-tokens.js';
import { MailService } from '../../../src/platform/mail/mail.service.js';

const KEYS = '/api/client/account/api-keys';
const DAY_MS = 86_400_000;
const UNAUTHENTICATED_CLIENT = { errors: [{ code: 'AuthenticationException', status: '401', detail: 'Unauthenticated.' }] };

interface CreatedKey {
  identifier: string;
  token: string;
  auth: { Authorization: string };
  attributes: Record<string, unknown>;
}

async function createKey(t: TestApp, owner: LoggedInUser, body: object = {}): Promise<CreatedKey> {
  const res = await t.http().post(KEYS).set(owner.auth).send({ description: 'test key', ...body }).expect(200);
  const token = res.body.meta.secret_token as string;
  return { identifier: token.slice(0, 16), token, auth: bearer(token), attributes: res.body.attributes };
}

/** A key as the previous release made it: 32 random characters of secret, no checksum, format version 1. */
async function insertLegacyKey(t: TestApp, userId: number): Promise<{ identifier: string; token: string }> {
  let token: string;
  do token = `ptlc_${randomAlphanumeric(43)}`;
  while (hasValidChecksum(token));
  const identifier = token.slice(0, 16);
  await t.db.query(`INSERT INTO api_keys (user_id, identifier, secret_hash, description) VALUES ($1, $2, $3, 'legacy')`, [
    userId,
    identifier,
    hashApiKeySecret(token.slice(16)),
  ]);
  return { identifier, token };
}

const iso = (msFromNow: number): string => new Date(Date.now() + msFromNow).toISOString().replace('Z', '+00:00');

describe('api key credentials: expiry, checksum, format versions, proof, mail, last use', () => {
  let t: MailingTestApp;
  /** Behind a trusted loopback proxy: X-Forwarded-For gives the client address. */
  let proxied: TestApp;
  beforeAll(async () => {
    t = await bootMailingTestApp();
    proxied = await bootTestApp({ TRUST_PROXY: 'loopback' });
  });
  afterAll(async () => {
    await proxied.close();
    await t.close();
  });

  describe('expires_at', () => {
    it('works until expires_at, then is 401 in every family and listed as expired', async () => {
      const user = await verifiedUser(t);
      const expiresAt = iso(DAY_MS);
      const key = await createKey(t, user, { expires_at: expiresAt });
      expect(key.attributes).toMatchObject({ expires_at: expiresAt.replace(/\.\d+/, ''), expired: false });
      await t.http().get('/api/me').set(key.auth).expect(200);

      await t.db.query(`UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE identifier = $1`, [key.identifier]);
      await t.http().get('/api/me').set(key.auth).expect(401, { message: 'Unauthenticated.' });
      await t.http().get('/api/client/account').set(key.auth).expect(401, UNAUTHENTICATED_CLIENT);
      await t.http().get('/api/v1/auth/user').set(key.auth).expect(401);
      const [listed] = (await t.http().get(KEYS).set(user.auth).expect(200)).body.data;
      expect(listed.attributes).toMatchObject({ identifier: key.identifier, expired: true, expires_at: expect.stringMatching(/\+00:00$/) });
      // Deleting it is still the owner's to do.
      await t.http().delete(`${KEYS}/${key.identifier}`).set(user.auth).expect(204);
    });

    it('accepts an offset other than UTC and keeps the instant', async () => {
      const user = await verifiedUser(t);
      const instant = new Date(Date.now() + 2 * DAY_MS);
      instant.setUTCMilliseconds(0);
      const local = new Date(instant.getTime() + 2 * 3_600_000).toISOString().replace(/\.\d+Z$/, '+02:00');
      const key = await createKey(t, user, { expires_at: local });
      expect(new Date(key.attributes.expires_at as string).getTime()).toBe(instant.getTime());
    });

    it.each([
      ['in the past', () => iso(-60_000), 'after'],
      ['now-ish (not in the future)', () => iso(-1), 'after'],
      ['past the 365-day maximum', () => iso(366 * DAY_MS), 'before_or_equal'],
      ['without an offset', () => iso(DAY_MS).replace('+00:00', ''), 'regex'],
      ['a date alone', () => iso(DAY_MS).slice(0, 10), 'regex'],
      ['not a calendar day', () => '2027-02-30T00:00:00+00:00', 'date'],
      ['not a string', () => Date.now() + DAY_MS, 'string'],
    ])('refuses expires_at %s with 422 and creates nothing', async (_name, value, rule) => {
      const user = await verifiedUser(t);
      const res = await t.http().post(KEYS).set(user.auth).send({ description: 'd', expires_at: value() }).expect(422);
      const reported = (res.body.errors as { meta: { source_field: string; rule: string } }[]).map((e) => [e.meta.source_field, e.meta.rule]);
      expect(reported).toContainEqual(['expires_at', rule]);
      const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM api_keys WHERE user_id = $1`, [user.id]);
      expect(n).toBe(0);
    });

    it('follows API_KEY_MAX_LIFETIME_DAYS and API_KEY_DEFAULT_LIFETIME_DAYS', async () => {
      const short = await bootTestApp({ API_KEY_MAX_LIFETIME_DAYS: '10', API_KEY_DEFAULT_LIFETIME_DAYS: '7' });
      try {
        const user = await verifiedUser(short);
        const refused = await short.http().post(KEYS).set(user.auth).send({ description: 'd', expires_at: iso(11 * DAY_MS) }).expect(422);
        expect(refused.body.errors[0]).toMatchObject({
          detail: 'The expires_at must be at most 10 days from now.',
          meta: { source_field: 'expires_at', rule: 'before_or_equal' },
        });
        await createKey(short, user, { expires_at: iso(9 * DAY_MS) });
        const defaulted = await createKey(short, user);
        const lifetime = new Date(defaulted.attributes.expires_at as string).getTime() - Date.now();
        expect(Math.abs(lifetime - 7 * DAY_MS)).toBeLessThan(60_000);
      } finally {
        await short.close();
      }
    });

    it('does not expire a key created without expires_at when no default lifetime is configured', async () => {
      const user = await verifiedUser(t);
      const key = await createKey(t, user);
      expect(key.attributes).toMatchObject({ expires_at: null, expired: false });
    });
  });

  describe('checksum', () => {
    it('refuses a key with one checksum character changed (401) without a database query', async () => {
      const user = await verifiedUser(t);
      const key = await createKey(t, user);
      await t.http().get('/api/me').set(key.auth).expect(200);
      for (let position = 1; position <= 6; position += 1) {
        const index = key.token.length - position;
        const changed = key.token.slice(0, index) + (key.token[index] === 'A' ? 'B' : 'A') + key.token.slice(index + 1);
        const queries = await queriesDuring(t, async () => {
          await t.http().get('/api/me').set(bearer(changed)).expect(401, { message: 'Unauthenticated.' });
          await t.http().get('/api/client/account').set(bearer(changed)).expect(401, UNAUTHENTICATED_CLIENT);
        });
        expect(queries).toEqual([]);
      }
    });

    it('refuses a made-up key (random secret, no checksum) without a query, and looks up one whose checksum holds', async () => {
      let madeUp: string;
      do madeUp = `ptlc_${randomAlphanumeric(43)}`;
      while (hasValidChecksum(madeUp));
      expect(await queriesDuring(t, () => t.http().get('/api/me').set(bearer(madeUp)).expect(401))).toEqual([]);
      const body = `ptlc_${randomAlphanumeric(37)}`;
      const wellFormed = body + apiKeyChecksum(body);
      const queries = await queriesDuring(t, () => t.http().get('/api/me').set(bearer(wellFormed)).expect(401));
      expect(queries.filter((q) => /FROM "api_keys"/.test(q))).toHaveLength(1);
      expect(queries).toContain('(pool connection)');
    });
  });

  describe('keys made before the checksum (format version 1)', () => {
    it('keep working after the upgrade, until deleted; changed, they are refused', async () => {
      const user = await verifiedUser(t);
      const legacy = await insertLegacyKey(t, user.id);
      // The instance reads the legacy identifiers as it starts, as after the upgrade's migration.
      const upgraded = await bootTestApp();
      try {
        expect((await upgraded.http().get('/api/me').set(bearer(legacy.token)).expect(200)).body.data.id).toBe(user.id);
        await upgraded.http().get('/api/client/account').set(bearer(legacy.token)).expect(200);
        const changed = `${legacy.token.slice(0, -1)}${legacy.token.endsWith('A') ? 'B' : 'A'}`;
        await upgraded.http().get('/api/me').set(bearer(changed)).expect(401);
        await upgraded.app.get(ApiKeysService).flushLastUsed();
        const [listed] = (await upgraded.http().get(KEYS).set(user.auth).expect(200)).body.data;
        expect(listed.attributes).toMatchObject({ identifier: legacy.identifier, scopes: expect.arrayContaining(['account.read']) });
        await upgraded.http().delete(`${KEYS}/${legacy.identifier}`).set(user.auth).expect(204);
        await upgraded.http().get('/api/me').set(bearer(legacy.token)).expect(401);
      } finally {
        await upgraded.close();
      }
    });

    it('accept no checksum-less key for a row of the new format', async () => {
      const user = await verifiedUser(t);
      const legacy = await insertLegacyKey(t, user.id);
      await t.db.query(`UPDATE api_keys SET format_version = 2 WHERE identifier = $1`, [legacy.identifier]);
      const upgraded = await bootTestApp();
      try {
        await upgraded.http().get('/api/me').set(bearer(legacy.token)).expect(401);
      } finally {
        await upgraded.close();
      }
    });
  });

  describe('creation needs an access token and proof (docs/security.md#proof-for-credential-changes)', () => {
    it('asks a stale session for current_password: 403 without it, 422 when wrong, 200 when right', async () => {
      const user = await verifiedUser(t);
      await ageLogins(t, user.id);
      await t
        .http()
        .post(KEYS)
        .set(user.auth)
        .send({ description: 'stale' })
        .expect(403, {
          errors: [
            {
              code: 'AccessDeniedHttpException',
              status: '403',
              detail: 'This action requires a recent login. Send your current_password to confirm it.',
            },
          ],
        });
      const wrong = await t.http().post(KEYS).set(user.auth).send({ description: 'stale', current_password: 'not-it' }).expect(422);
      expect(wrong.body.errors[0].meta).toEqual({ source_field: 'current_password', rule: 'current_password' });
      const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM api_keys WHERE user_id = $1`, [user.id]);
      expect(n).toBe(0);
      await createKey(t, user, { current_password: user.password });
    });
  });

  describe('mail', () => {
    it('tells the owner a key was created, with its scopes and the address it came from', async () => {
      const user = await verifiedUser(t);
      const key = await createKey(t, user, { description: 'CI <deploy>', scopes: ['account.read', 'sessions.read'], expires_at: iso(DAY_MS) });
      await t.app.get(MailService).flush();
      const mail = await t.mail.waitFor((m) => m.to === user.email && m.subject === 'A new API key was created');
      expect(mail.text).toContain(key.identifier);
      expect(mail.text).toContain('Scopes: account.read, sessions.read');
      expect(mail.text).toMatch(/from the address (127\.0\.0\.1|::1|::ffff:127\.0\.0\.1)/);
      expect(mail.text).toContain(`Expires: ${key.attributes.expires_at}`);
      expect(mail.html).toContain('CI &lt;deploy&gt;');
      expect(mail.raw).not.toContain(key.token.slice(16));
    });
  });

  describe('last_used_ip', () => {
    it('records the address with last_used_at, at most once a minute', async () => {
      const user = await verifiedUser(proxied);
      const key = await createKey(proxied, user);
      const service = proxied.app.get(ApiKeysService);
      const lastUse = async (): Promise<{ last_used_at: Date | null; last_used_ip: string | null }> =>
        (await proxied.db.query(`SELECT last_used_at, last_used_ip FROM api_keys WHERE identifier = $1`, [key.identifier]))[0];
      await proxied.http().get('/api/me').set(key.auth).set('X-Forwarded-For', '198.51.100.7').expect(200);
      await service.flushLastUsed();
      expect((await lastUse()).last_used_ip).toBe('198.51.100.7');

      // Within the minute: neither is written again.
      await proxied.http().get('/api/me').set(key.auth).set('X-Forwarded-For', '2001:db8::9').expect(200);
      await service.flushLastUsed();
      expect((await lastUse()).last_used_ip).toBe('198.51.100.7');

      await proxied.db.query(`UPDATE api_keys SET last_used_at = now() - interval '2 minutes' WHERE identifier = $1`, [key.identifier]);
      await proxied.http().get('/api/me').set(key.auth).set('X-Forwarded-For', '2001:db8::9').expect(200);
      const [listed] = (await proxied.http().get(KEYS).set(user.auth).expect(200)).body.data;
      expect(listed.attributes.last_used_ip).toBe('2001:db8::9');
    });
  });
});
