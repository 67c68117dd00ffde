import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Webhooks (issue 33). `webhook_endpoints` holds the targets platform admins register: the URL, the event types each
 * receives (empty = all), and its `whsec_` signing secret encrypted at rest (the previous one too, for the 24 h after
 * a rotation during which both sign). `failing_since` is when the current run of failed deliveries began.
 *
 * Each event is one outbox row per endpoint (channel 'webhook'). The outbox gains what webhook deliveries need:
 * `seq` orders the rows of one `ordering_key` (a user's events to one endpoint) even when one transaction wrote them
 * (their `created_at` is the same); `message_id` is the id a receiver sees (`webhook-id`, kept across retries);
 * `response_status` is the receiver's last HTTP status; `keep_payload` keeps the payload once settled, so an admin
 * can send a failed delivery again (a webhook body holds no secret).
 */
export class Webhooks1765300000000 implements MigrationInterface {
  name = 'Webhooks1765300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE webhook_endpoints (
        id uuid PRIMARY KEY,
        url text NOT NULL,
        events text[] NOT NULL DEFAULT '{}',
        description varchar(500) NOT NULL DEFAULT '',
        enabled boolean NOT NULL DEFAULT true,
        disabled_reason varchar(16) CHECK (disabled_reason IN ('gone', 'failing', 'admin')),
        secret text NOT NULL,
        previous_secret text,
        previous_secret_expires_at timestamptz,
        failing_since timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`ALTER TABLE outbox ADD COLUMN seq bigserial`);
    await queryRunner.query(`ALTER TABLE outbox ADD COLUMN message_id text`);
    await queryRunner.query(`ALTER TABLE outbox ADD COLUMN response_status integer`);
    await queryRunner.query(`ALTER TABLE outbox ADD COLUMN keep_payload boolean NOT NULL DEFAULT false`);
    // The claim's ordering check: is an earlier row of this key still pending?
    await queryRunner.query(`CREATE INDEX outbox_ordering_index ON outbox (ordering_key, seq) WHERE status = 'pending' AND ordering_key IS NOT NULL`);
    // An endpoint's deliveries, newest first.
    await queryRunner.query(`CREATE INDEX outbox_destination_index ON outbox (channel, destination, created_at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX outbox_destination_index`);
    await queryRunner.query(`DROP INDEX outbox_ordering_index`);
    await queryRunner.query(`ALTER TABLE outbox DROP COLUMN keep_payload, DROP COLUMN response_status, DROP COLUMN message_id, DROP COLUMN seq`);
    await queryRunner.query(`DROP TABLE webhook_endpoints`);
  }
}
