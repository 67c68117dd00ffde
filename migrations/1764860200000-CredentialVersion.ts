import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The credential version (issue 28): a number per user that every end of the account's credentials (a password
 * reset, a password change, an email-change revert or cancel, a ban) raises, copied onto each session and two-factor
 * challenge when it is created. A sign-in that proved the account's credentials at one version opens its session or
 * challenge only while the user row still has that version, and a refresh or a challenge's completion only works
 * while the two match, so nothing proven before such a change survives it, whatever the interleaving. A constant
 * default: adding the columns rewrites no table.
 */
export class CredentialVersion1764860200000 implements MigrationInterface {
  name = 'CredentialVersion1764860200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE users ADD COLUMN credential_version integer NOT NULL DEFAULT 0`);
    await queryRunner.query(`ALTER TABLE sessions ADD COLUMN credential_version integer NOT NULL DEFAULT 0`);
    await queryRunner.query(`ALTER TABLE two_factor_challenges ADD COLUMN credential_version integer NOT NULL DEFAULT 0`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE two_factor_challenges DROP COLUMN credential_version`);
    await queryRunner.query(`ALTER TABLE sessions DROP COLUMN credential_version`);
    await queryRunner.query(`ALTER TABLE users DROP COLUMN credential_version`);
  }
}
