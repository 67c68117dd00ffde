/** Shared fixtures of the profile e2e files (issue 5): the seeds' examples and row helpers. */
import type { TestApp } from './app.js';
import { bearer, login, type LoggedInUser } from './factories.js';

/** The type of every leaf, recursively: what a client written against a seed relies on. */
export function shapeOf(value: unknown): unknown {
  if (value === null) return 'null';
  if (Array.isArray(value)) return value.map(shapeOf);
  if (typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value as object)
        .sort()
        .map((key) => [key, shapeOf((value as Record<string, unknown>)[key])]),
    );
  }
  return typeof value;
}

/** Seed 000's example user (`GET /api/me`). */
export const SEED_ME_USER = {
  id: 123,
  first_name: 'John',
  last_name: 'Doe',
  username: 'johndoe',
  email: 'john@example.com',
  phone: '+381641234567',
  avatar: 'http://yourwebsite.com/users/john-doe-avatar.jpg',
  address: 'Some random street, 123, Serbia',
  country_id: 688,
  role_id: 1,
  status: 'Active',
  birthday: '1989-01-03',
  last_login: '2017-04-27 16:47:59',
  two_factor_country_code: 381,
  two_factor_phone: '6412345678',
  two_factor_options: { option1: 4, option2: 'option value' },
  created_at: '2017-04-20 16:47:59',
  updated_at: '2017-04-27 10:47:59',
};

/** Seed 001's example profile (`POST /api/v1/auth/user/profile` → `data`). */
export const SEED_V1_PROFILE = {
  name: 'John Yuy',
  last_name: 'Donovan',
  profile_picture_path: 'https://storage.example/p.jpg',
  profile_picture_high_path: 'https://storage.example/p_high.jpg',
  profile_picture_thumbnail_path: 'https://storage.example/p_thumbnail.jpg',
  settings: { public_profile: '1', public_badges: '0' },
  language: 'it',
  created_at: '2024-07-03T15:02:45.000000Z',
  updated_at: '2024-09-16T15:49:08.000000Z',
  t_c_accepted_at: null,
};

/** Seed 001's example user (`GET /api/v1/auth/user`); `organization` is null in Tessera (docs/api/v1.md#the-user-object). */
export const SEED_V1_USER = {
  uuid: '56e5824b-eb63-4250-80f3-370ff4142fe7',
  username: 'j.doe',
  email: 'ivanaz.issuer@open-badge.eu',
  email_verified_at: '2024-07-18 14:18:21',
  created_at: '2024-07-03T15:02:45.000000Z',
  updated_at: '2024-07-21T13:04:55.000000Z',
  role: { slug: 'issuer', name: 'Issuer', description: 'User who issues badges', scopes: '["issuer"]' },
  profile: SEED_V1_PROFILE,
  organization: null,
};

/** Seed 004's example account (`GET /api/client/account`). */
export const SEED_CLIENT_ACCOUNT = {
  object: 'user',
  attributes: {
    id: 1,
    admin: false,
    username: 'user123',
    email: 'user@example.com',
    first_name: 'John',
    last_name: 'Doe',
    language: 'en',
  },
};

export const LARAVEL_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
export const DATE_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
export const ISO_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$/;

/** Fills every nullable field, so the response can show the seed's types. */
export async function fillProfile(t: TestApp, userId: number): Promise<void> {
  await t.db.query(
    `UPDATE users SET first_name = 'John', last_name = 'Doe', phone = '+381641234567', address = 'Some street 1',
       country_id = 688, birthday = '1989-01-03', email_verified_at = now() WHERE id = $1`,
    [userId],
  );
}

/** The whole users row, to prove a refused request changed nothing. */
export async function userRow(t: TestApp, userId: number): Promise<Record<string, unknown>> {
  const [row] = await t.db.query(`SELECT * FROM users WHERE id = $1`, [userId]);
  return row as Record<string, unknown>;
}

/** Moves the user's logins 20 minutes back: no session counts as a recent authentication any more. */
export async function ageLogins(t: TestApp, userId: number): Promise<void> {
  await t.db.query(`UPDATE sessions SET logged_in_at = now() - interval '20 minutes' WHERE user_id = $1`, [userId]);
}

/** A second session of the same user, from another device. */
export async function secondSession(t: TestApp, user: LoggedInUser): Promise<{ Authorization: string }> {
  return bearer((await login(t, user, 'other-device')).token);
}

export async function eventsOf(t: TestApp, userId: number): Promise<string[]> {
  const rows: { event: string }[] = await t.db.query(`SELECT event FROM activity_logs WHERE user_id = $1 ORDER BY id`, [userId]);
  return rows.map((row) => row.event);
}
