import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** A change of address waiting for the new address to confirm it (CONTRACT §2). One per user. */
@Entity('email_changes')
export class EmailChange {
  @PrimaryColumn({ type: 'int' })
  userId: number;

  @Column({ type: 'varchar' })
  newEmail: string;

  /** SHA-256 (hex) of the token mailed to the new address. */
  @Column({ type: 'char', length: 64, select: false })
  confirmTokenHash: string;

  /** SHA-256 (hex) of the token mailed to the current address, which drops the change. */
  @Column({ type: 'char', length: 64, select: false })
  cancelTokenHash: string;

  @Column({ type: 'timestamptz' })
  expiresAt: Date;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
