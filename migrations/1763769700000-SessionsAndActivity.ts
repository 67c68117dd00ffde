import type { MigrationInterface, QueryRunner } from 'typeorm';

export class SessionsAndActivity1763769700000 implements MigrationInterface {
  name = 'SessionsAndActivity1763769700000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE sessions (
        id varchar(40) PRIMARY KEY,
        user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        ip_address varchar(45) NOT NULL,
        user_agent text NOT NULL,
        device_name varchar(255),
        created_at timestamptz NOT NULL DEFAULT now(),
        last_activity timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz,
        logged_in_at timestamptz NOT NULL,
        generation integer NOT NULL DEFAULT 1,
        rotated_at timestamptz NOT NULL,
        refresh_token_hash char(64) NOT NULL,
        previous_refresh_token_hash char(64)
      )`);
    await queryRunner.query(`CREATE INDEX sessions_user_active_index ON sessions (user_id) WHERE revoked_at IS NULL`);

    await queryRunner.query(`
      CREATE TABLE activity_logs (
        id bigserial PRIMARY KEY,
        user_id integer REFERENCES users (id) ON DELETE CASCADE,
        actor_id integer REFERENCES users (id) ON DELETE SET NULL,
        event varchar(64) NOT NULL,
        description text NOT NULL,
        ip varchar(45),
        user_agent text,
        is_api boolean NOT NULL DEFAULT false,
        api_key_identifier varchar(16),
        properties jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX activity_logs_user_index ON activity_logs (user_id, id DESC)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE activity_logs`);
    await queryRunner.query(`DROP TABLE sessions`);
  }
}
