import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type {
  OrganizationAddressInfoDto,
  OrganizationBillingInfoDto,
  OrganizationContactInfoDto,
  OrganizationSettingsDto,
} from '../../../dialects/open-badge/dto/organization.dto.js';

/** The info objects are stored as the Open Badge family shows them: every sub-field present, a string or null. */
export type AddressInfo = OrganizationAddressInfoDto;
export type BillingInfo = OrganizationBillingInfoDto;
export type ContactInfo = OrganizationContactInfoDto;
export type OrganizationSettings = OrganizationSettingsDto;

export type OrganizationStatus = 'enabled' | 'disabled';

/** An organization (the `001` family's `organization`); the info objects keep every sub-field, null when unset. */
@Entity('organizations')
export class Organization {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', nullable: true })
  type: string | null;

  @Column({ type: 'varchar', nullable: true })
  activity: string | null;

  @Column({ type: 'varchar' })
  name: string;

  /** Sanitised HTML (organization-description.ts). */
  @Column({ type: 'text', nullable: true })
  description: string | null;

  @Column({ type: 'jsonb' })
  addressInfo: AddressInfo;

  @Column({ type: 'jsonb' })
  billingInfo: BillingInfo;

  @Column({ type: 'jsonb' })
  contactInfo: ContactInfo;

  @Column({ type: 'jsonb' })
  settings: OrganizationSettings;

  @Column({ type: 'varchar', default: 'en' })
  language: string;

  @Column({ type: 'varchar', nullable: true })
  website: string | null;

  @Column({ type: 'varchar', default: 'enabled' })
  status: OrganizationStatus;

  /** The uploaded logo's random key (three renditions, as avatars), or null. */
  @Column({ type: 'varchar', nullable: true })
  logoKey: string | null;

  @Column({ type: 'int', default: 0 })
  creditsLeft: number;

  @Column({ type: 'int', default: 0 })
  badgeTemplatesCount: number;

  @Column({ type: 'int', default: 0 })
  badgesCount: number;

  @Column({ type: 'varchar', nullable: true })
  stripeCustomerId: string | null;

  @Column({ type: 'varchar', nullable: true })
  subscriptionId: string | null;

  @Column({ type: 'varchar', nullable: true })
  subscriptionStatus: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  currentPeriodStart: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  currentPeriodEnd: Date | null;

  /** Who created it (counts against ORGANIZATIONS_PER_USER); null once that account is gone. */
  @Column({ type: 'int', nullable: true })
  createdByUserId: number | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
