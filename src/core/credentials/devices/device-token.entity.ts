import { Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import { User } from '../../users/user.entity.js';

/** A device the account signed in from: its token lets it past the lock-out others' failures set on the account. */
@Entity('device_tokens')
export class DeviceToken {
  @PrimaryGeneratedColumn()
  id: number;

  @Column()
  userId: number;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: Relation<User>;

  /** SHA-256 of the token; the token itself is only ever in the sign-in answer. */
  @Column({ type: 'char', length: 64, select: false })
  tokenHash: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  /** 90 days after the device last signed in with it. */
  @Column({ type: 'timestamptz' })
  expiresAt: Date;
}
