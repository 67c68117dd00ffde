import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Browser sessions (issue 31): a session signed in with `session: "cookie"` is reached through an opaque cookie (its
 * id and a secret) instead of access and refresh tokens. Only the secret's SHA-256 is kept; such a session has no
 * refresh token. A two-factor challenge remembers which kind of session its login asked for.
 */
export class BrowserSessions1765100000010 implements MigrationInterface {
  name = 'BrowserSessions1765100000010';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE sessions ADD COLUMN cookie_secret_hash char(64)`);
    await queryRunner.query(`ALTER TABLE sessions ALTER COLUMN refresh_token_hash DROP NOT NULL`);
    // Exactly one way in: a refresh token (bearer) or a cookie secret (browser).
    await queryRunner.query(
      `ALTER TABLE sessions ADD CONSTRAINT sessions_one_credential CHECK ((refresh_token_hash IS NULL) <> (cookie_secret_hash IS NULL))`,
    );
    await queryRunner.query(
      `ALTER TABLE two_factor_challenges ADD COLUMN session_mode varchar(6) NOT NULL DEFAULT 'bearer' CHECK (session_mode IN ('bearer', 'cookie'))`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE two_factor_challenges DROP COLUMN session_mode`);
    await queryRunner.query(`DELETE FROM sessions WHERE cookie_secret_hash IS NOT NULL`);
    await queryRunner.query(`ALTER TABLE sessions DROP CONSTRAINT sessions_one_credential`);
    await queryRunner.query(`ALTER TABLE sessions ALTER COLUMN refresh_token_hash SET NOT NULL`);
    await queryRunner.query(`ALTER TABLE sessions DROP COLUMN cookie_secret_hash`);
  }
}
