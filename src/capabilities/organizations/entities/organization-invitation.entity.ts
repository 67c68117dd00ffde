import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { InvitableRole } from '../organization-roles.js';

/** A pending invitation past `expiresAt` reads as `expired`; it is stored so only when a new invitation to the address replaces it. */
export type StoredInvitationStatus = 'pending' | 'accepted' | 'declined' | 'revoked' | 'expired';

/** An invitation to an organization, bound to an address. Its link's token is kept only as a SHA-256, apart from the id. */
@Entity('organization_invitations')
export class OrganizationInvitation {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  organizationId: string;

  /** As the inviter typed it; compared lower-cased. */
  @Column({ type: 'varchar' })
  email: string;

  @Column({ type: 'varchar' })
  role: InvitableRole;

  @Column({ type: 'char', length: 64, select: false })
  tokenHash: string;

  @Column({ type: 'varchar', default: 'pending' })
  status: StoredInvitationStatus;

  @Column({ type: 'timestamptz' })
  expiresAt: Date;

  @Column({ type: 'int', nullable: true })
  invitedByUserId: number | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
