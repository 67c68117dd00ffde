import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type WebAuthnChallengePurpose = 'registration' | 'sign_in' | 'second_factor';

/**
 * A challenge handed to the browser for one WebAuthn ceremony: single use, 5 minutes. Only SHA-256 digests of the
 * challenge (and of the sign-in `challenge_token`) are stored; rows are deleted when used.
 */
@Entity('webauthn_challenges')
export class WebAuthnChallenge {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ type: 'varchar', length: 16 })
  purpose: WebAuthnChallengePurpose;

  @Column({ type: 'char', length: 64, select: false })
  challengeHash: string;

  /** Sign-in only: the digest of the `challenge_token` the options answer carried. */
  @Column({ type: 'char', length: 64, nullable: true, select: false })
  tokenHash: string | null;

  /** Registration and second factor: the user; sign-in: the user named by `username`, if any. */
  @Column({ type: 'int', nullable: true })
  userId: number | null;

  /** Registration: the session that asked for the options (and proved it is the user's). */
  @Column({ type: 'varchar', length: 40, nullable: true })
  sessionId: string | null;

  /** Second factor: the login challenge this passkey assertion answers. */
  @Column({ type: 'int', nullable: true })
  twoFactorChallengeId: number | null;

  /** Sign-in: a username was given, so only that user's passkeys may answer (none, when it named nobody). */
  @Column({ type: 'boolean', default: false })
  usernameGiven: boolean;

  @Column({ type: 'timestamptz' })
  expiresAt: Date;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
