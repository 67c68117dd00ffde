import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 21: scopes, expiry, a checksummed secret and the address of the last use. Existing keys get every scope
 * but `admin` (as a key created without `scopes` does now) and format version 1: they have no checksum and keep
 * working until they are deleted. The defaults stay, so a key inserted by an instance still running the previous
 * release during a rolling deploy is labelled the same way.
 */
export class ApiKeyScopesExpiryChecksum1764830000000 implements MigrationInterface {
  name = 'ApiKeyScopesExpiryChecksum1764830000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE api_keys
        ADD COLUMN scopes jsonb NOT NULL DEFAULT '["account.read", "account.write", "activity.read", "sessions.read", "sessions.write"]',
        ADD COLUMN expires_at timestamptz,
        ADD COLUMN format_version smallint NOT NULL DEFAULT 1 CHECK (format_version IN (1, 2)),
        ADD COLUMN last_used_ip varchar(64)`);
    await queryRunner.query(`ALTER TABLE api_keys ADD CONSTRAINT api_keys_scopes_array CHECK (jsonb_typeof(scopes) = 'array')`);
    // Read once at start-up: the identifiers that may be presented without a checksum.
    await queryRunner.query(`CREATE INDEX api_keys_legacy_format_index ON api_keys (identifier) WHERE format_version = 1`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX api_keys_legacy_format_index`);
    await queryRunner.query(`
      ALTER TABLE api_keys
        DROP CONSTRAINT api_keys_scopes_array,
        DROP COLUMN scopes, DROP COLUMN expires_at, DROP COLUMN format_version, DROP COLUMN last_used_ip`);
  }
}
