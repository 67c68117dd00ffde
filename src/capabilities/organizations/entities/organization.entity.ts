import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export interface AddressInfo {
  city: string | null;
  state: string | null;
  region: string | null;
  street: string | null;
  country: string | null;
  postcode: string | null;
}

export interface BillingInfo {
  vat: string | null;
  email: string | null;
  code_dest: string | null;
  fiscal_code: string | null;
  certified_email: string | null;
  legal_name: string | null;
}

export interface ContactInfo {
  name: string | null;
  email: string | null;
  mobile: string | null;
  last_name: string | null;
  tech_email: string | null;
  legal_email: string | null;
}

export interface OrganizationSettings {
  public_profile: 0 | 1;
  public_badge_types: 0 | 1;
  public_learning_paths: 0 | 1;
  public_badge_templates: 0 | 1;
}

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
