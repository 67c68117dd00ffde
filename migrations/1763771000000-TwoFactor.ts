import type { MigrationInterface, QueryRunner } from 'typeorm';

export class TwoFactor1763771000000 implements MigrationInterface {
  name = 'TwoFactor1763771000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // A counter kept in step with the codes table, so GET /api/me needs no extra query.
    await queryRunner.query(`ALTER TABLE users ADD COLUMN two_factor_recovery_codes_left integer NOT NULL DEFAULT 0`);

    await queryRunner.query(`
      CREATE TABLE two_factor_settings (
        user_id integer PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
        totp_secret text,
        pending_totp_secret text,
        totp_last_step integer,
        sms_code_hash char(64),
        sms_code_expires_at timestamptz,
        sms_code_attempts integer NOT NULL DEFAULT 0,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`COMMENT ON COLUMN two_factor_settings.totp_secret IS 'AES-256-GCM ciphertext, never the base32 secret'`);

    await queryRunner.query(`
      CREATE TABLE two_factor_recovery_codes (
        id serial PRIMARY KEY,
        user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        code_hash char(64) NOT NULL,
        used_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX two_factor_recovery_codes_user_code_index ON two_factor_recovery_codes (user_id, code_hash)`);

    await queryRunner.query(`
      CREATE TABLE two_factor_challenges (
        id serial PRIMARY KEY,
        token_hash char(64) NOT NULL UNIQUE,
        user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        method varchar(10) NOT NULL CHECK (method IN ('totp', 'sms')),
        sms_code_hash char(64),
        device_name varchar(255),
        attempts integer NOT NULL DEFAULT 0,
        expires_at timestamptz NOT NULL,
        consumed_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX two_factor_challenges_user_index ON two_factor_challenges (user_id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE two_factor_challenges`);
    await queryRunner.query(`DROP TABLE two_factor_recovery_codes`);
    await queryRunner.query(`DROP TABLE two_factor_settings`);
    await queryRunner.query(`ALTER TABLE users DROP COLUMN two_factor_recovery_codes_left`);
  }
}
