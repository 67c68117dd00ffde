import { Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import { User } from '../../core/users/user.entity.js';

export type UserTokenPurpose = 'password_reset' | 'email_verification';

/**
 * A mailed one-time token (password reset, email verification). Only the SHA-256 of the token is stored;
 * `email` is the address it was mailed to, and the token is good only while the user still has that address.
 */
@Entity('user_tokens')
export class UserToken {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ type: 'int' })
  userId: number;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: Relation<User>;

  @Column({ type: 'varchar' })
  purpose: UserTokenPurpose;

  /** SHA-256 (hex) of the token; never selected unless asked for. */
  @Column({ type: 'char', length: 64, select: false })
  tokenHash: string;

  @Column({ type: 'varchar' })
  email: string;

  @Column({ type: 'timestamptz' })
  expiresAt: Date;

  /** Set when the token is spent (single use). A newer token of the same purpose overwrites a live row in place. */
  @Column({ type: 'timestamptz', nullable: true })
  usedAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
