import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Email changes (issue 17). A change of a verified address waits here until its owner opens the link mailed to the
 * new address; the current address keeps working (login, mail, password reset) meanwhile. At most one pending
 * change per user. A confirmed change stays for its revert window: the cancel link mailed to the previous address
 * can still undo it (a stolen session that confirmed an address of its own must not keep the account). Only SHA-256
 * digests of the two tokens are kept.
 */
export class EmailChanges1764800000000 implements MigrationInterface {
  name = 'EmailChanges1764800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE email_changes (
        id bigserial PRIMARY KEY,
        user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        old_email varchar(191) NOT NULL,
        new_email varchar(191) NOT NULL,
        confirm_token_hash char(64) NOT NULL,
        cancel_token_hash char(64) NOT NULL,
        expires_at timestamptz NOT NULL,
        confirmed_at timestamptz,
        revert_until timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX email_changes_confirm_token_hash_unique ON email_changes (confirm_token_hash)`);
    await queryRunner.query(`CREATE UNIQUE INDEX email_changes_cancel_token_hash_unique ON email_changes (cancel_token_hash)`);
    // One pending change per user: a new request replaces it in place (upsert), also under concurrency.
    await queryRunner.query(`CREATE UNIQUE INDEX email_changes_pending_unique ON email_changes (user_id) WHERE confirmed_at IS NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE email_changes`);
  }
}
