import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import type { EntityManager, Repository } from 'typeorm';
import { sha256Hex } from '../../core/credentials/sessions/session-tokens.js';
import { UserToken, type UserTokenPurpose } from './user-token.entity.js';

/** A token just issued: the plaintext goes into the mail and nowhere else. */
export interface IssuedToken {
  token: string;
  userId: number;
  /** The address the token was issued for (the user's address as stored). */
  email: string;
  firstName: string | null;
}

/** The user a spent token belonged to. */
export interface SpentToken {
  userId: number;
  email: string;
  firstName: string | null;
}

interface TokenRow {
  user_id: number;
  email: string;
  first_name: string | null;
}

/** 32 random bytes, base64url (43 characters). */
export function newOneTimeToken(): string {
  return randomBytes(32).toString('base64url');
}

// Replaces the user's live token of this purpose in place (the partial unique index on (user_id, purpose)
// WHERE used_at IS NULL), so a new request invalidates the older token even when two requests race.
const UPSERT_LIVE_TOKEN = `
  ON CONFLICT (user_id, purpose) WHERE used_at IS NULL
  DO UPDATE SET token_hash = excluded.token_hash, email = excluded.email, expires_at = excluded.expires_at, created_at = now()`;

/**
 * The one-time token store behind password resets and email verification. Tokens are stored as their
 * SHA-256 only; spending one is a single conditional UPDATE, so a token works once even under concurrency.
 */
@Injectable()
export class UserTokensService {
  constructor(@InjectRepository(UserToken) private readonly tokens: Repository<UserToken>) {}

  /**
   * Issues a token for the account with this email (case-insensitively), or does nothing when there is none.
   * One statement either way, so a known and an unknown address cost the same database work.
   */
  async issueForEmail(purpose: UserTokenPurpose, email: string, ttlSeconds: number, manager: EntityManager = this.tokens.manager): Promise<IssuedToken | null> {
    const token = newOneTimeToken();
    const rows: TokenRow[] = await manager.query(
      `WITH target AS (
         SELECT id, email, first_name FROM users WHERE lower(email) = lower($1)
       ), issued AS (
         INSERT INTO user_tokens (user_id, purpose, token_hash, email, expires_at)
         SELECT id, $2, $3, email, now() + make_interval(secs => $4) FROM target
         ${UPSERT_LIVE_TOKEN}
         RETURNING user_id
       )
       SELECT target.id AS user_id, target.email, target.first_name FROM issued JOIN target ON target.id = issued.user_id`,
      [email, purpose, sha256Hex(token), ttlSeconds],
    );
    const [row] = rows;
    return row ? { token, userId: row.user_id, email: row.email, firstName: row.first_name } : null;
  }

  /** Issues a token for a known user and the address it will be mailed to; pass the caller's transaction, if any. */
  async issueForUser(purpose: UserTokenPurpose, user: { id: number; email: string }, ttlSeconds: number, manager?: EntityManager): Promise<string> {
    const token = newOneTimeToken();
    await (manager ?? this.tokens.manager).query(
      `INSERT INTO user_tokens (user_id, purpose, token_hash, email, expires_at)
       VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5))
       ${UPSERT_LIVE_TOKEN}`,
      [user.id, purpose, sha256Hex(token), user.email, ttlSeconds],
    );
    return token;
  }

  /**
   * Spends a live token atomically: unused, unexpired, issued for the user's current address and, when `email`
   * is given, for that address too. Null when any of that fails; a failed attempt spends nothing.
   */
  async consume(purpose: UserTokenPurpose, token: string, email: string | null, manager?: EntityManager): Promise<SpentToken | null> {
    const rows: TokenRow[] = await (manager ?? this.tokens.manager).query(
      `WITH spent AS (
         UPDATE user_tokens t SET used_at = now()
         FROM users u
         WHERE t.token_hash = $1 AND t.purpose = $2 AND t.used_at IS NULL AND t.expires_at > now()
           AND u.id = t.user_id AND lower(u.email) = lower(t.email)
           AND ($3::text IS NULL OR lower(t.email) = lower($3::text))
         RETURNING t.user_id, u.email, u.first_name
       )
       SELECT user_id, email, first_name FROM spent`,
      [sha256Hex(token), purpose, email],
    );
    const [row] = rows;
    return row ? { userId: row.user_id, email: row.email, firstName: row.first_name } : null;
  }
}
