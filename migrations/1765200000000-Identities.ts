import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Sign-in with identity providers (issue 32). `identities` keys an external account by (issuer, subject), never by
 * email. `oauth_flows` holds each flow between authorize and callback (and a link ticket before it is opened), in
 * PostgreSQL so any instance finishes it: only hashes of the state, the browser binding and the ticket, and the PKCE
 * verifier sealed at rest. `oauth_sign_in_codes` holds the one-time codes the callback hands the browser, hashed.
 * An account created through a provider has no password: `users.password` becomes nullable.
 */
export class Identities1765200000000 implements MigrationInterface {
  name = 'Identities1765200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE users ALTER COLUMN password DROP NOT NULL`);
    await queryRunner.query(`
      CREATE TABLE identities (
        id serial PRIMARY KEY,
        user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        provider varchar(32) NOT NULL,
        issuer varchar(500) NOT NULL,
        subject varchar(255) NOT NULL,
        email varchar(255),
        created_at timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX identities_issuer_subject_unique ON identities (issuer, subject)`);
    await queryRunner.query(`CREATE INDEX identities_user_id_index ON identities (user_id)`);
    await queryRunner.query(`
      CREATE TABLE oauth_flows (
        id serial PRIMARY KEY,
        provider varchar(32) NOT NULL,
        state_hash char(64),
        browser_hash char(64),
        nonce varchar(128),
        code_verifier text,
        return_to varchar(2048) NOT NULL,
        link_ticket_hash char(64),
        link_user_id integer REFERENCES users (id) ON DELETE CASCADE,
        credential_version integer,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX oauth_flows_state_hash_unique ON oauth_flows (state_hash)`);
    await queryRunner.query(`CREATE UNIQUE INDEX oauth_flows_link_ticket_hash_unique ON oauth_flows (link_ticket_hash)`);
    await queryRunner.query(`CREATE INDEX oauth_flows_link_user_id_index ON oauth_flows (link_user_id)`);
    await queryRunner.query(`CREATE INDEX oauth_flows_expires_at_index ON oauth_flows (expires_at)`);
    await queryRunner.query(`
      CREATE TABLE oauth_sign_in_codes (
        code_hash char(64) PRIMARY KEY,
        user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        identity_id integer NOT NULL REFERENCES identities (id) ON DELETE CASCADE,
        credential_version integer NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL
      )`);
    await queryRunner.query(`CREATE INDEX oauth_sign_in_codes_user_id_index ON oauth_sign_in_codes (user_id)`);
    await queryRunner.query(`CREATE INDEX oauth_sign_in_codes_expires_at_index ON oauth_sign_in_codes (expires_at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE oauth_sign_in_codes`);
    await queryRunner.query(`DROP TABLE oauth_flows`);
    await queryRunner.query(`DROP TABLE identities`);
    // Accounts created through a provider have no password: they get an unusable one (nothing verifies against it).
    await queryRunner.query(`UPDATE users SET password = '!' WHERE password IS NULL`);
    await queryRunner.query(`ALTER TABLE users ALTER COLUMN password SET NOT NULL`);
  }
}
