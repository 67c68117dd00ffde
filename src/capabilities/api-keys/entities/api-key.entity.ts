import { Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import type { ApiKeyScope } from '../../../core/users/api-key-scopes.js';
import { User } from '../../../core/users/user.entity.js';
import type { ApiKeyFormat } from '../api-key-tokens.js';

/** A personal API key. The bearer key is `identifier + secret`; only the secret's SHA-256 digest is stored. */
@Entity('api_keys')
export class ApiKey {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'int' })
  userId: number;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: Relation<User>;

  /** `ptlc_` + 11 random characters; public, unique, the lookup key. */
  @Column({ type: 'varchar', length: 16 })
  identifier: string;

  @Column({ type: 'char', length: 64, select: false })
  secretHash: string;

  @Column({ type: 'varchar', length: 500 })
  description: string;

  /** Canonical IPv4/IPv6 addresses and CIDR ranges; empty means any address. */
  @Column({ type: 'jsonb', default: () => "'[]'" })
  allowedIps: string[];

  /** What the key may do (see API_KEY_SCOPES); read with the key on every request, so checking it costs no query. */
  @Column({ type: 'jsonb' })
  scopes: ApiKeyScope[];

  /** Null: the key does not expire. */
  @Column({ type: 'timestamptz', nullable: true })
  expiresAt: Date | null;

  /** 1: made before the checksum existed (accepted without one); 2: its secret ends in a checksum. */
  @Column({ type: 'smallint' })
  formatVersion: ApiKeyFormat;

  @Column({ type: 'timestamptz', nullable: true })
  lastUsedAt: Date | null;

  /** Written with `last_used_at`, so at most once a minute: the address of a use in that minute. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  lastUsedIp: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
