import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ApiKeys1763772000000 implements MigrationInterface {
  name = 'ApiKeys1763772000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // Only a SHA-256 digest of the secret is kept: the full key cannot be read back from this table.
    await queryRunner.query(`
      CREATE TABLE api_keys (
        id serial PRIMARY KEY,
        user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        identifier varchar(16) NOT NULL,
        secret_hash char(64) NOT NULL,
        description varchar(500) NOT NULL,
        allowed_ips jsonb NOT NULL DEFAULT '[]',
        last_used_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX api_keys_identifier_unique ON api_keys (identifier)`);
    await queryRunner.query(`CREATE INDEX api_keys_user_index ON api_keys (user_id, created_at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE api_keys`);
  }
}
