import type { EntityManager } from 'typeorm';
import { DomainError } from '../../platform/errors/domain-error.js';
import { PLATFORM_ERRORS } from '../../platform/errors/errors.js';
import type { AddedCredential } from '../../platform/mail/mail-templates.js';
import type { MailService } from '../../platform/mail/mail.service.js';
import type { AuthContext } from '../users/auth-context.js';
import { CREDENTIAL_ERRORS } from './errors.js';

/**
 * The rule for adding a durable way into an account (a passkey, a two-factor method, an API key): only once the
 * account's address is proven. Whoever registers first on someone else's address must hold nothing but the
 * password, which the owner's reset replaces. Checked before any work, so nothing is created or sent.
 */
export function assertAddressProven(auth: AuthContext): void {
  if (!auth.user.emailVerifiedAt) throw new DomainError(CREDENTIAL_ERRORS.ADDRESS_NOT_VERIFIED);
}

/**
 * On the transaction that stores the new credential: locks the account's row and checks again, now, that the
 * address is proven and the calling session still live. A recovery (reset, password change, reverted email change)
 * writes the same row, so it either commits first, and this refuses, or waits for this credential and ends it
 * with the others: nothing added by a session a recovery ended outlives it.
 */
export async function lockAccountForNewCredential(auth: AuthContext, manager: EntityManager): Promise<void> {
  // NO KEY UPDATE: serialises with every change of the row, without blocking inserts that only reference it.
  await manager.query(`SELECT 1 FROM users WHERE id = $1 FOR NO KEY UPDATE`, [auth.user.id]);
  // A statement of its own: it reads what committed while the lock was awaited.
  const [state] = (await manager.query(
    `SELECT u.email_verified_at IS NOT NULL AS proven,
            ($2::varchar IS NULL OR EXISTS (SELECT 1 FROM sessions s WHERE s.id = $2::varchar AND s.revoked_at IS NULL)) AS live
       FROM users u WHERE u.id = $1`,
    [auth.user.id, auth.session?.id ?? null],
  )) as Array<{ proven: boolean; live: boolean }>;
  if (!state?.live) throw new DomainError(PLATFORM_ERRORS.UNAUTHENTICATED);
  if (!state.proven) throw new DomainError(CREDENTIAL_ERRORS.ADDRESS_NOT_VERIFIED);
}

/**
^ * Mails the owner, at the address of record and on the transaction that adds it, that a credential was added: what, when, from
 * which address and device, and how to undo it. Whoever added it with a stolen session is then known to the owner.
 */
export function announceNewCredential(mail: MailService, auth: AuthContext, manager: EntityManager, added: AddedCredential): Promise<void> {
  const { user, client } = auth;
  return mail.sendCredentialAddedNotice(manager, user.email, { name: user.firstName ?? user.username, added, at: new Date(), ip: client.ip, userAgent: client.userAgent });
}
