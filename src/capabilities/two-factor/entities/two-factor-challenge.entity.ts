import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { TwoFactorMethod } from '../../../core/users/user.entity.js';
import type { SessionMode } from '../../../core/credentials/sessions/session-cookie.js';

/** The second step of a login: the password was right, a code is awaited. Only the token's SHA-256 is stored. */
@Entity('two_factor_challenges')
export class TwoFactorChallenge {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'char', length: 64, select: false })
  tokenHash: string;

  @Column({ type: 'int' })
  userId: number;

  @Column({ type: 'varchar' })
  method: TwoFactorMethod;

  /** HMAC of the code sent by SMS (method `sms`). */
  @Column({ type: 'char', length: 64, nullable: true, select: false })
  smsCodeHash: string | null;

  @Column({ type: 'varchar', nullable: true })
  deviceName: string | null;

  /** Wrong codes so far; the challenge dies at MAX_CHALLENGE_ATTEMPTS. */
  @Column({ type: 'int', default: 0 })
  attempts: number;

  @Column({ type: 'timestamptz' })
  expiresAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  consumedAt: Date | null;

  /** The kind of session the login asked for (`session: "cookie"` at `POST /api/login`), opened when this completes. */
  @Column({ type: 'varchar', length: 6, default: 'bearer' })
  sessionMode: SessionMode;

  /** The user's credential version the password proved; the challenge completes only while the user still has it. */
  @Column({ type: 'int' })
  credentialVersion: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
