import { Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import { User } from '../../users/entities/user.entity.js';

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

  @Column({ type: 'timestamptz', nullable: true })
  lastUsedAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
