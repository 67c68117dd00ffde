import { randomBytes } from 'node:crypto';
import type { TestApp } from './app.js';

export interface TestUser {
  id: number;
  username: string;
  email: string;
  password: string;
}

export interface TokenPair {
  token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_token: string;
}

export interface LoggedInUser extends TestUser {
  tokens: TokenPair;
  /** `{ Authorization: 'Bearer …' }` for the access token. */
  auth: { Authorization: string };
}

export function uniqueName(prefix = 'user'): string {
  return `${prefix}_${randomBytes(5).toString('hex')}`;
}

export const bearer = (credential: string): { Authorization: string } => ({ Authorization: `Bearer ${credential}` });

/** Registers through `POST /api/register`, the real path. */
export async function registerUser(t: TestApp, overrides: Partial<Omit<TestUser, 'id'>> = {}): Promise<TestUser> {
  const username = overrides.username ?? uniqueName();
  const email = overrides.email ?? `${username}@example.com`;
  const password = overrides.password ?? `pw-${randomBytes(8).toString('hex')}`;
  await t
    .http()
    .post('/api/register')
    .send({ username, email, password, password_confirmation: password })
    .expect(201);
  const [row] = await t.db.query(`SELECT id FROM users WHERE username = $1`, [username]);
  return { id: row.id as number, username, email, password };
}

export async function login(t: TestApp, user: Pick<TestUser, 'username' | 'password'>, agent = 'jest'): Promise<TokenPair> {
  const res = await t.http().post('/api/login').set('User-Agent', agent).send({ username: user.username, password: user.password });
  if (res.status !== 200 || !res.body.token) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as TokenPair;
}

/** A registered user with a live session. */
export async function loggedInUser(t: TestApp, overrides: Partial<Omit<TestUser, 'id'>> = {}): Promise<LoggedInUser> {
  const user = await registerUser(t, overrides);
  const tokens = await login(t, user);
  return { ...user, tokens, auth: bearer(tokens.token) };
}

/** Gives a user the admin role (role id 1) directly in the database. */
export async function makeAdmin(t: TestApp, userId: number): Promise<void> {
  await t.db.query(`UPDATE users SET role_id = (SELECT id FROM roles WHERE slug = 'admin') WHERE id = $1`, [userId]);
}

/** Marks the user's email verified (status Active), as following the mailed link would. */
export async function markEmailVerified(t: TestApp, userId: number): Promise<void> {
  await t.db.query(`UPDATE users SET email_verified_at = now(), status = 'Active' WHERE id = $1`, [userId]);
}

/** A logged-in user whose email is verified (SMS two-factor needs it). */
export async function verifiedUser(t: TestApp, overrides: Partial<Omit<TestUser, 'id'>> = {}): Promise<LoggedInUser> {
  const user = await loggedInUser(t, overrides);
  await markEmailVerified(t, user.id);
  return user;
}
