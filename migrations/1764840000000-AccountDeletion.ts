import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Self-service account deletion (issue 22). Activity entries outlive the account they are about (an audit trail:
 * event and time stay, the deletion clears IP and user agent), so their user reference is set to NULL instead of
 * cascading. Every other table with a user column cascades. Avatar files cannot be removed inside the
 * transaction: their names wait in avatar_file_removals until the storage confirms the removal (retried while it
 * is down). The table has no user column on purpose: the account is gone when its files are removed.
 */
export class AccountDeletion1764840000000 implements MigrationInterface {
  name = 'AccountDeletion1764840000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE activity_logs
        DROP CONSTRAINT activity_logs_user_id_fkey,
        ADD CONSTRAINT activity_logs_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE SET NULL`);
    await queryRunner.query(`
      CREATE TABLE avatar_file_removals (
        file_name varchar(64) PRIMARY KEY,
        attempts integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_attempt_at timestamptz
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE avatar_file_removals`);
    await queryRunner.query(`
      ALTER TABLE activity_logs
        DROP CONSTRAINT activity_logs_user_id_fkey,
        ADD CONSTRAINT activity_logs_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE`);
  }
}
