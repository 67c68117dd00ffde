/** Fixtures of the account deletion and export e2e files (issue 22). */
import { randomBytes, randomInt } from 'node:crypto';
import type { TestApp } from './app.js';
import { bearer, markEmailVerified, registerUser, uniqueName, type LoggedInUser } from './factories.js';
import { webp } from './images.js';
import { enableTotp } from './two-factor-helpers.js';

/** A user with something in every table that can hold a piece of them, signed in from its own IP and user agent. */
export interface RichAccount extends LoggedInUser {
  ip: string;
  userAgent: string;
  avatarKey: string;
  apiKey: string;
  totpSecret: string;
  recoveryCodes: string[];
}

export async function richAccount(t: TestApp): Promise<RichAccount> {
  const user = await registerUser(t, { username: uniqueName('owner') });
  // Passkeys, two-factor and API keys need a proven address.
  await markEmailVerified(t, user.id);
  // IPv6 in canonical form (no leading zeros), so it cannot be a substring of another test's address.
  const group = () => randomInt(0x1000, 0x10000).toString(16);
  const ip = `fd22:${group()}:${group()}::${group()}`;
  const userAgent = `AccountDataTest/${randomBytes(6).toString('hex')}`;
  const client = { 'X-Forwarded-For': ip, 'User-Agent': userAgent };
  const loginRes = await t.http().post('/api/login').set(client).send({ username: user.username, password: user.password }).expect(200);
  const account = { ...user, tokens: loginRes.body, auth: { ...bearer(loginRes.body.token as string), ...client } } as LoggedInUser;

  await t.http().post('/api/me/avatar').set(account.auth).attach('file', await webp(), 'me.webp').expect(200);
  const key = await t.http().post('/api/client/account/api-keys').set(account.auth).send({ description: 'laptop' }).expect(200);
  const totp = await enableTotp(t, account);
  // With two-factor on, a password login leaves a challenge; a reset request leaves a one-time token.
  await t.http().post('/api/login').set(client).send({ username: user.username, password: user.password }).expect(200);
  await t.http().post('/api/password/remind').set(client).send({ email: user.email }).expect(200);

  const [{ avatar_key: avatarKey }] = await t.db.query(`SELECT avatar_key FROM users WHERE id = $1`, [user.id]);
  return { ...account, ip, userAgent, avatarKey, apiKey: key.body.meta.secret_token as string, totpSecret: totp.secret, recoveryCodes: totp.recoveryCodes };
}

