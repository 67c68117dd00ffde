import type { User } from '../users/user.entity.js';

/**
 * The credential version (`users.credential_version`): every end of an account's credentials raises it first
 * (AccountLifecycle.end), and a sign-in creates its session or two-factor challenge only at the version it read
 * together with its proof (the password hash, the passkey). The version is therefore not selected by default, like
 * the hash: a user loaded again later carries none, and cannot pass for the one the proof was checked against.
 */
export type ProvenUser = Pick<User, 'id' | 'credentialVersion'>;

/** The version read with the proof; throws when the caller loaded the user without it (a programming error). */
export function provenVersion(user: ProvenUser): number {
  if (!Number.isInteger(user.credentialVersion)) {
    throw new Error(`user ${user.id}: the credential version must be read with the proof (it is not selected by default)`);
  }
  return user.credentialVersion;
}

/**
 * The rest of an `INSERT … SELECT` that creates a row only while the user (`$userParam`) still has the version
 * (`$versionParam`), selecting from `users u`. FOR SHARE holds the user row until the insert commits: an ending in
 * progress has raised the version on that row already, so the insert waits for its commit and then finds the new
 * version (no row); an ending that starts later waits for the insert, and then ends the row it created.
 */
export const atProvenVersion = (userParam: string, versionParam: string): string =>
  `FROM users u WHERE u.id = ${userParam} AND u.credential_version = ${versionParam} FOR SHARE`;
