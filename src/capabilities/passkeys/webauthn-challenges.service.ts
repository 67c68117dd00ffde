import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import type { EntityManager, Repository } from 'typeorm';
import { sameDigest, sha256Hex } from '../../core/credentials/sessions/session-tokens.js';
import { WebAuthnChallenge, type WebAuthnChallengePurpose } from './entities/webauthn-challenge.entity.js';

/** A challenge lives as long as the browser's ceremony may take (the options' `timeout`). */
export const CHALLENGE_TTL_MS = 5 * 60_000;
/** Expired rows swept per new challenge: more than are created, so the table stays small. */
const SWEEP_BATCH = 20;

/** What a challenge is bound to; a challenge is consumed only by a ceremony with the same binding. */
export interface ChallengeBinding {
  purpose: WebAuthnChallengePurpose;
  userId?: number | null;
  sessionId?: string;
  twoFactorChallengeId?: number;
  usernameGiven?: boolean;
}

/** A sign-in challenge taken by its token: the digest to compare the signed challenge with, and whom it allows. */
export interface TakenSignInChallenge {
  challengeHash: string;
  userId: number | null;
  usernameGiven: boolean;
}

/**
 * WebAuthn challenges, kept in PostgreSQL so that any instance finishes what another started. Random 32 bytes, stored
 * as SHA-256 only, single use (consuming deletes the row, so of two concurrent uses one finds it), 5 minutes.
 */
@Injectable()
export class WebAuthnChallengesService {
  constructor(@InjectRepository(WebAuthnChallenge) private readonly challenges: Repository<WebAuthnChallenge>) {}

  /** 32 random bytes for the options; issue() stores the base64url form the browser will sign. */
  newChallenge(): Uint8Array<ArrayBuffer> {
    return new Uint8Array(randomBytes(32));
  }

  /**
   * Stores `challenge` (base64url, as in the options) with its binding; for sign-in also returns the
   * `challenge_token` that names it. A new registration or second-factor challenge replaces the open one of the same
   * session or login challenge, so their rows stay few; expired rows of anyone are swept on the way.
   */
  async issue(challenge: string, binding: ChallengeBinding): Promise<{ token: string | null }> {
    const token = binding.purpose === 'sign_in' ? randomBytes(32).toString('base64url') : null;
    await this.challenges.manager.transaction(async (manager) => {
      // A bounded batch of expired rows, skipping those another request is sweeping: no two requests wait on each other.
      await manager.query(
        `DELETE FROM webauthn_challenges WHERE id IN
           (SELECT id FROM webauthn_challenges WHERE expires_at <= now() LIMIT ${SWEEP_BATCH} FOR UPDATE SKIP LOCKED)`,
      );
      if (binding.purpose === 'registration') await manager.delete(WebAuthnChallenge, { purpose: binding.purpose, sessionId: binding.sessionId });
      if (binding.purpose === 'second_factor') {
        await manager.delete(WebAuthnChallenge, { purpose: binding.purpose, twoFactorChallengeId: binding.twoFactorChallengeId });
      }
      await manager.insert(WebAuthnChallenge, {
        purpose: binding.purpose,
        challengeHash: sha256Hex(challenge),
        tokenHash: token === null ? null : sha256Hex(token),
        userId: binding.userId ?? null,
        sessionId: binding.sessionId ?? null,
        twoFactorChallengeId: binding.twoFactorChallengeId ?? null,
        usernameGiven: binding.usernameGiven ?? false,
        expiresAt: new Date(Date.now() + CHALLENGE_TTL_MS),
      });
    });
    return { token };
  }

  /**
   * Consumes the live challenge `challenge` (base64url, from the signed client data) when it carries this binding.
   * True at most once per challenge, across every instance.
   */
  async consume(challenge: string, binding: ChallengeBinding, manager?: EntityManager): Promise<boolean> {
    const query = (manager ?? this.challenges.manager)
      .createQueryBuilder()
      .delete()
      .from(WebAuthnChallenge)
      .where('challenge_hash = :hash AND purpose = :purpose AND expires_at > now()', { hash: sha256Hex(challenge), purpose: binding.purpose });
    if (binding.userId !== undefined) query.andWhere('user_id = :userId', { userId: binding.userId });
    if (binding.sessionId !== undefined) query.andWhere('session_id = :sessionId', { sessionId: binding.sessionId });
    if (binding.twoFactorChallengeId !== undefined) {
      query.andWhere('two_factor_challenge_id = :twoFactorChallengeId', { twoFactorChallengeId: binding.twoFactorChallengeId });
    }
    const result = await query.execute();
    return (result.affected ?? 0) === 1;
  }

  /** Consumes the live sign-in challenge named by `token`; null when there is none (unknown, used or expired). */
  async takeSignIn(token: string): Promise<TakenSignInChallenge | null> {
    const rows = (await this.challenges.query(
      `DELETE FROM webauthn_challenges WHERE token_hash = $1 AND purpose = 'sign_in' AND expires_at > now()
        RETURNING challenge_hash, user_id, username_given`,
      [sha256Hex(token)],
    )) as [Array<{ challenge_hash: string; user_id: number | null; username_given: boolean }>, number];
    const [row] = rows[0];
    return row ? { challengeHash: row.challenge_hash, userId: row.user_id, usernameGiven: row.username_given } : null;
  }

  /** Whether the challenge a browser signed is the one taken (constant-time on the digests). */
  isTaken(challenge: string, taken: TakenSignInChallenge): boolean {
    return sameDigest(sha256Hex(challenge), taken.challengeHash);
  }
}
