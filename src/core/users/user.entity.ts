import {
  Column,
  CreateDateColumn,
  Entity,
  Generated,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { Country } from './country.entity.js';
import { Role } from './role.entity.js';

export enum UserStatus {
  Active = 'Active',
  Banned = 'Banned',
  Unconfirmed = 'Unconfirmed',
}

export type TwoFactorMethod = 'totp' | 'sms';

/**
 * The `status` a verified address gives (for an UPDATE's `set`): Unconfirmed becomes Active, Banned stays Banned.
 * Used wherever a mailed link proves the address: verification, a confirmed email change, a password reset.
 */
export const STATUS_ONCE_VERIFIED = (): string => `CASE WHEN status = '${UserStatus.Unconfirmed}' THEN '${UserStatus.Active}' ELSE status END`;

@Entity('users')
export class User {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'uuid' })
  @Generated('uuid')
  uuid: string;

  @Column()
  username: string;

  @Column()
  email: string;

  @Column({ type: 'timestamptz', nullable: true })
  emailVerifiedAt: Date | null;

  /** argon2id hash; never selected unless asked for. Null: the account was created through an identity provider and has no password. */
  @Column({ type: 'varchar', nullable: true, select: false })
  password: string | null;

  @Column({ type: 'varchar', nullable: true })
  firstName: string | null;

  @Column({ type: 'varchar', nullable: true })
  lastName: string | null;

  @Column({ type: 'varchar', nullable: true })
  phone: string | null;

  @Column({ type: 'varchar', nullable: true })
  address: string | null;

  @Column({ type: 'int', nullable: true })
  countryId: number | null;

  @ManyToOne(() => Country, { nullable: true })
  @JoinColumn({ name: 'country_id' })
  country?: Country | null;

  @Column({ type: 'date', nullable: true })
  birthday: string | null;

  @Column()
  roleId: number;

  @ManyToOne(() => Role)
  @JoinColumn({ name: 'role_id' })
  role?: Role;

  @Column({ type: 'varchar' })
  status: UserStatus;

  @Column({ default: 'en' })
  language: string;

  /** Storage key of the uploaded renditions (without the rendition suffix), or null. */
  @Column({ type: 'varchar', nullable: true })
  avatarKey: string | null;

  /** An external avatar URL, stored as given and never fetched. */
  @Column({ type: 'varchar', nullable: true })
  avatarUrl: string | null;

  @Column({ default: true })
  publicProfile: boolean;

  @Column({ default: false })
  publicBadges: boolean;

  @Column({ name: 't_c_accepted_at', type: 'timestamptz', nullable: true })
  termsAcceptedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  lastLogin: Date | null;

  /** The active two-factor method, or null when two-factor is off. */
  @Column({ type: 'varchar', nullable: true })
  twoFactorMethod: TwoFactorMethod | null;

  @Column({ type: 'int', nullable: true })
  twoFactorCountryCode: number | null;

  @Column({ type: 'varchar', nullable: true })
  twoFactorPhone: string | null;

  /** Unused recovery codes; kept in step with two_factor_recovery_codes by the TwoFactor module. */
  @Column({ type: 'int', default: 0 })
  twoFactorRecoveryCodesLeft: number;

  /**
   * Raised by every end of the account's credentials (AccountLifecycle.end). A session or two-factor challenge carries
   * the version its sign-in proved, and is created, refreshed and completed only while the user row still has it.
   * Never selected unless asked for: it is read with the proof (core/credentials/credential-version.ts).
   */
  @Column({ type: 'int', default: 0, select: false })
  credentialVersion: number;

  /** The organization the `001` family shows (a uuid of one of the user's memberships), or null. */
  @Column({ type: 'uuid', nullable: true })
  currentOrganizationId: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
