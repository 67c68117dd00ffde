import type { MigrationInterface, QueryRunner } from 'typeorm';

/** One-time tokens mailed for password resets and email verification (issue 4). Only their SHA-256 is kept. */
export class UserTokens1763773000000 implements MigrationInterface {
  name = 'UserTokens1763773000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE user_tokens (
        id bigserial PRIMARY KEY,
        user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        purpose varchar(32) NOT NULL CHECK (purpose IN ('password_reset', 'email_verification')),
        token_hash char(64) NOT NULL,
        email varchar(191) NOT NULL,
        expires_at timestamptz NOT NULL,
        used_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX user_tokens_token_hash_unique ON user_tokens (token_hash)`);
    // At most one live token per user and purpose: issuing a new one replaces the old one in place (upsert),
    // which also serialises two concurrent requests for the same user.
    await queryRunner.query(`CREATE UNIQUE INDEX user_tokens_live_unique ON user_tokens (user_id, purpose) WHERE used_at IS NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE user_tokens`);
  }
}
