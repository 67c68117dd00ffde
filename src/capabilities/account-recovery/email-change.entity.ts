import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A change of address (docs/security.md#pending-email-change-and-revert): pending until the new address confirms it (`confirmedAt`), then kept until
 * `revertUntil`, while the cancel link mailed to the previous address can still undo it.
 */
@Entity('email_changes')
export class EmailChange {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ type: 'int' })
  userId: number;

  /** The address the account had when the change was asked for; a revert restores it. */
  @Column({ type: 'varchar' })
  oldEmail: string;

  @Column({ type: 'varchar' })
  newEmail: string;

  /** SHA-256 (hex) of the token mailed to the new address. */
  @Column({ type: 'char', length: 64, select: false })
  confirmTokenHash: string;

  /** SHA-256 (hex) of the token mailed to the previous address, which cancels (or reverts) the change. */
  @Column({ type: 'char', length: 64, select: false })
  cancelTokenHash: string;

  /** The end of the confirmation link's life. */
  @Column({ type: 'timestamptz' })
  expiresAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  confirmedAt: Date | null;

  /** The end of the cancel link's life for a confirmed change. */
  @Column({ type: 'timestamptz' })
  revertUntil: Date;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
