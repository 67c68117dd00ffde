import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export type DisabledReason = 'gone' | 'failing' | 'admin';

/** A receiver of account events (docs/guides/webhooks.md). Its secrets are sealed with platform/crypto. */
@Entity('webhook_endpoints')
export class WebhookEndpoint {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ type: 'text' })
  url: string;

  /** The event types it receives; empty: all. */
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  events: string[];

  @Column({ type: 'varchar', length: 500, default: '' })
  description: string;

  @Column({ default: true })
  enabled: boolean;

  @Column({ type: 'varchar', length: 16, nullable: true })
  disabledReason: DisabledReason | null;

  /** The `whsec_` secret, sealed at rest. */
  @Column({ type: 'text', select: false })
  secret: string;

  /** The secret before the last rotation, sealed; it signs beside the new one until `previousSecretExpiresAt`. */
  @Column({ type: 'text', nullable: true, select: false })
  previousSecret: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  previousSecretExpiresAt: Date | null;

  /** When the current run of failed deliveries began; null after a success. */
  @Column({ type: 'timestamptz', nullable: true })
  failingSince: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
