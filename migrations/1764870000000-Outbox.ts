import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The transactional outbox (issue 29): a message (a mail today, a webhook delivery next) is a row written in the
 * transaction of the change that causes it, and delivered by the workers of every instance. `payload` holds the
 * message's data encrypted at rest and is dropped once the row is settled (sent or failed).
 *
 * `channel` picks the deliverer ('mail'; 'webhook' later), `destination` is where it goes (an address; an endpoint
 * id), `ordering_key` groups messages to deliver in order (a user's webhook events; null for mail).
 * `delete_when_sent`: the row goes once delivered (the notice of an account deletion: nothing of the account stays).
 */
export class Outbox1764870000000 implements MigrationInterface {
  name = 'Outbox1764870000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE outbox (
        id uuid PRIMARY KEY,
        channel varchar(32) NOT NULL,
        kind varchar(64) NOT NULL,
        destination text NOT NULL,
        ordering_key text,
        payload text,
        status varchar(16) NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
        attempts integer NOT NULL DEFAULT 0,
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        give_up_at timestamptz NOT NULL,
        settled_at timestamptz,
        delete_when_sent boolean NOT NULL DEFAULT false
      )`);
    // What the workers claim: the due pending rows, oldest first.
    await queryRunner.query(`CREATE INDEX outbox_due_index ON outbox (next_attempt_at) WHERE status = 'pending'`);
    // The admin listing by status and the pruning of settled rows.
    await queryRunner.query(`CREATE INDEX outbox_status_index ON outbox (channel, status, created_at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE outbox`);
  }
}
