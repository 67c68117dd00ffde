import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Device tokens (issue 28): every sign-in answers one, bound to the account; sent back on later sign-ins it lets that
 * device past the account's lock-out that others' failures set. Only a SHA-256 of the token is kept.
 */
export class DeviceTokens1764864000000 implements MigrationInterface {
  name = 'DeviceTokens1764864000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE device_tokens (
        id serial PRIMARY KEY,
        user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        token_hash char(64) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX device_tokens_token_hash_unique ON device_tokens (token_hash)`);
    await queryRunner.query(`CREATE INDEX device_tokens_user_id_index ON device_tokens (user_id, expires_at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE device_tokens`);
  }
}
