import speakeasy from 'speakeasy';
import type { TestApp } from './app.js';
import type { LoggedInUser, TestUser } from './factories.js';
import type { SmsSink } from './sms-sink.js';

export interface LoginChallenge {
  two_factor_required: true;
  challenge_token: string;
  method: 'totp' | 'sms';
}

/** The authenticator code `steps` time steps (30 s) from now, computed from the secret as an app would. */
export function totpCode(secret: string, steps = 0): string {
  return speakeasy.totp({ secret, encoding: 'base32', time: Math.floor(Date.now() / 1000) + steps * 30 });
}

/** A 6-digit code that is none of the codes accepted right now. */
export function wrongTotpCode(secret: string): string {
  const valid = new Set([-1, 0, 1].map((steps) => totpCode(secret, steps)));
  for (let n = 0; ; n++) {
    const candidate = String(n).padStart(6, '0');
    if (!valid.has(candidate)) return candidate;
  }
}

/** Runs the client-family set-up: GET the secret, confirm it with the current code (returned: it is spent). */
export async function enableTotp(t: TestApp, user: LoggedInUser): Promise<{ secret: string; code: string; recoveryCodes: string[] }> {
  const setup = await t.http().get('/api/client/account/two-factor').set(user.auth).expect(200);
  const secret = setup.body.data.secret as string;
  const code = totpCode(secret);
  const enabled = await t.http().post('/api/client/account/two-factor').set(user.auth).send({ code, password: user.password }).expect(200);
  return { secret, code, recoveryCodes: enabled.body.attributes.tokens as string[] };
}

/** `POST /api/login` for a user with two-factor on; fails unless the answer is a challenge. */
export async function startChallenge(t: TestApp, user: Pick<TestUser, 'username' | 'password'>): Promise<LoginChallenge> {
  const res = await t.http().post('/api/login').send({ username: user.username, password: user.password });
  if (res.status !== 200 || res.body.two_factor_required !== true) {
    throw new Error(`expected a two-factor challenge: ${res.status} ${JSON.stringify(res.body)}`);
  }
  return res.body as LoginChallenge;
}

/** The 6-digit code in the last text the gateway received for `to` (`+381…`). */
export function lastSmsCode(sink: SmsSink, to: string): string {
  const message = sink.messages.filter((sms) => sms.to === to).at(-1);
  const code = message && /\b(\d{6})\b/.exec(message.message)?.[1];
  if (!code) throw new Error(`no code texted to ${to}`);
  return code;
}
