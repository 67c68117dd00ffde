import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Pending email changes (issue 17): the new address waits here until its owner opens the mailed link; the current
 * address keeps working (login, mail, password reset) meanwhile. One per user; only SHA-256 digests of the two
 * tokens are kept (confirmation, mailed to the new address; cancellation, mailed to the current one).
 */
export class EmailChanges1764800000000 implements MigrationInterface {
  name = 'EmailChanges1764800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE email_changes (
        user_id integer PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
        new_email varchar(191) NOT NULL,
        confirm_token_hash char(64) NOT NULL,
        cancel_token_hash char(64) NOT NULL,
        expires_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX email_changes_confirm_token_hash_unique ON email_changes (confirm_token_hash)`);
    await queryRunner.query(`CREATE UNIQUE INDEX email_changes_cancel_token_hash_unique ON email_changes (cancel_token_hash)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE email_changes`);
  }
}
