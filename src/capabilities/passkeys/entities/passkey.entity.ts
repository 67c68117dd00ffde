import { Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import { User } from '../../../core/users/user.entity.js';

export type PasskeyDeviceType = 'singleDevice' | 'multiDevice';

/** A WebAuthn credential (a passkey) of a user. The public key verifies its sign-ins; nothing here is secret. */
@Entity('passkeys')
export class Passkey {
  @PrimaryGeneratedColumn()
  id: number;

  @Column()
  userId: number;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: Relation<User>;

  /** The credential ID, base64url, as the browser reports it. */
  @Column({ type: 'varchar', length: 1366 })
  credentialId: string;

  /** COSE-encoded public key. Not needed outside verification, so not loaded by default. */
  @Column({ type: 'bytea', select: false })
  publicKey: Buffer;

  /** The authenticator's signature counter at the last sign-in; a lower one means a cloned authenticator. */
  @Column({ type: 'bigint', transformer: { to: (value: number) => value, from: (value: string) => Number(value) } })
  counter: number;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  @Column({ type: 'varchar', length: 16 })
  deviceType: PasskeyDeviceType;

  @Column({ type: 'boolean' })
  backedUp: boolean;

  @Column({ type: 'varchar', length: 16, array: true })
  transports: string[];

  /** The authenticator model's AAGUID (all zeros for `none` attestation from many authenticators). */
  @Column({ type: 'uuid' })
  aaguid: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  lastUsedAt: Date | null;
}
