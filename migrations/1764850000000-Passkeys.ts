import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Passkeys (issue 23): WebAuthn credentials of a user, and the challenges the server hands out for registering and
 * signing in with them. Challenges live in PostgreSQL (not in memory) so that any instance can finish a ceremony
 * another one started; only a SHA-256 of the challenge and of the login challenge token is kept.
 */
export class Passkeys1764850000000 implements MigrationInterface {
  name = 'Passkeys1764850000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE passkeys (
        id serial PRIMARY KEY,
        user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        credential_id varchar(1366) NOT NULL,
        public_key bytea NOT NULL,
        counter bigint NOT NULL DEFAULT 0 CHECK (counter >= 0),
        name varchar(100) NOT NULL,
        device_type varchar(16) NOT NULL CHECK (device_type IN ('singleDevice', 'multiDevice')),
        backed_up boolean NOT NULL,
        transports varchar(16)[] NOT NULL DEFAULT '{}',
        aaguid uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz
      )`);
    // A credential belongs to one account: the same authenticator cannot be registered twice, by anyone.
    await queryRunner.query(`CREATE UNIQUE INDEX passkeys_credential_id_unique ON passkeys (credential_id)`);
    await queryRunner.query(`CREATE INDEX passkeys_user_id_index ON passkeys (user_id)`);

    await queryRunner.query(`
      CREATE TABLE webauthn_challenges (
        id bigserial PRIMARY KEY,
        purpose varchar(16) NOT NULL CHECK (purpose IN ('registration', 'sign_in', 'second_factor')),
        challenge_hash char(64) NOT NULL,
        token_hash char(64),
        user_id integer REFERENCES users (id) ON DELETE CASCADE,
        session_id varchar(40) REFERENCES sessions (id) ON DELETE CASCADE,
        two_factor_challenge_id integer REFERENCES two_factor_challenges (id) ON DELETE CASCADE,
        username_given boolean NOT NULL DEFAULT false,
        expires_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK (purpose <> 'registration' OR (user_id IS NOT NULL AND session_id IS NOT NULL)),
        CHECK (purpose <> 'sign_in' OR token_hash IS NOT NULL),
        CHECK (purpose <> 'second_factor' OR (user_id IS NOT NULL AND two_factor_challenge_id IS NOT NULL))
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX webauthn_challenges_challenge_hash_unique ON webauthn_challenges (challenge_hash)`);
    await queryRunner.query(`CREATE INDEX webauthn_challenges_expires_at_index ON webauthn_challenges (expires_at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE webauthn_challenges`);
    await queryRunner.query(`DROP TABLE passkeys`);
  }
}
