/** Shared fixtures of the admin e2e files (issue 9). */
import type { TestApp } from './app.js';
import { loggedInUser, makeAdmin, type LoggedInUser } from './factories.js';

export const FORBIDDEN = { message: 'This action is unauthorized.' };
export const UNAUTHENTICATED = { message: 'Unauthenticated.' };
export const NOT_FOUND = { message: 'Not Found.' };
export const BANNED = { message: 'Your account is banned by administrator.' };

/** A logged-in user with the admin role. */
export async function loggedInAdmin(t: TestApp): Promise<LoggedInUser> {
  const admin = await loggedInUser(t);
  await makeAdmin(t, admin.id);
  return admin;
}

export interface ActivityRow {
  event: string;
  user_id: number | null;
  actor_id: number | null;
  properties: Record<string, unknown>;
}

/** The entries of `event` about `userId`, oldest first. */
export async function activityOf(t: TestApp, userId: number, event: string): Promise<ActivityRow[]> {
  return t.db.query(`SELECT event, user_id, actor_id, properties FROM activity_logs WHERE user_id = $1 AND event = $2 ORDER BY id`, [
    userId,
    event,
  ]);
}
