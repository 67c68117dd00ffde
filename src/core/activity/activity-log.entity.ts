import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type ActivityProperties = Record<string, string | number | boolean | null>;

/** One account event (docs/security.md#the-activity-log): what happened to whom, done by whom, from where. */
@Entity('activity_logs')
export class ActivityLog {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  /** The user the event is about. */
  @Column({ type: 'int', nullable: true })
  userId: number | null;

  /** Who did it (the user themself, an admin), or null for an anonymous caller. */
  @Column({ type: 'int', nullable: true })
  actorId: number | null;

  @Column({ type: 'varchar' })
  event: string;

  @Column({ type: 'text' })
  description: string;

  @Column({ type: 'varchar', nullable: true })
  ip: string | null;

  @Column({ type: 'text', nullable: true })
  userAgent: string | null;

  @Column({ default: false })
  isApi: boolean;

  @Column({ type: 'varchar', nullable: true })
  apiKeyIdentifier: string | null;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  properties: ActivityProperties;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
