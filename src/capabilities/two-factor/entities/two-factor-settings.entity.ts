import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/**
 * The secret side of a user's two-factor state; the public side (method, phone, recovery codes left) lives on
 * `users`. Secrets are AES-256-GCM ciphertexts and never selected unless asked for.
 */
@Entity('two_factor_settings')
export class TwoFactorSettings {
  @PrimaryColumn({ type: 'int' })
  userId: number;

  /** The active TOTP secret, encrypted. */
  @Column({ type: 'text', nullable: true, select: false })
  totpSecret: string | null;

  /** The secret of the last `GET …/two-factor`, encrypted, until a code confirms it. */
  @Column({ type: 'text', nullable: true, select: false })
  pendingTotpSecret: string | null;

  /** The last accepted TOTP time step: a code is accepted once. */
  @Column({ type: 'int', nullable: true })
  totpLastStep: number | null;

  /** HMAC of the SMS code that confirms a pending phone. */
  @Column({ type: 'char', length: 64, nullable: true, select: false })
  smsCodeHash: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  smsCodeExpiresAt: Date | null;

  @Column({ type: 'int', default: 0 })
  smsCodeAttempts: number;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
