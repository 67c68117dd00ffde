import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Organizations (issue 30): the `001` family's `organization`, memberships with roles, invitations, and the
 * organization each user has chosen as current. The info objects are jsonb with every sub-field present (a string
 * or null), validated on write. An invitation's token is kept only as a SHA-256, apart from its id; one pending
 * invitation per organization and address (compared lower-cased) is a partial unique index, so two invites racing
 * make one row.
 */
export class Organizations1765000000000 implements MigrationInterface {
  name = 'Organizations1765000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE organizations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        type varchar(50),
        activity varchar(50),
        name varchar(150) NOT NULL,
        description text,
        address_info jsonb NOT NULL,
        billing_info jsonb NOT NULL,
        contact_info jsonb NOT NULL,
        settings jsonb NOT NULL,
        language varchar(10) NOT NULL DEFAULT 'en',
        website varchar(2048),
        status varchar(10) NOT NULL DEFAULT 'enabled' CHECK (status IN ('enabled', 'disabled')),
        logo_key varchar(64),
        credits_left integer NOT NULL DEFAULT 0,
        badge_templates_count integer NOT NULL DEFAULT 0,
        badges_count integer NOT NULL DEFAULT 0,
        stripe_customer_id varchar(255),
        subscription_id varchar(255),
        subscription_status varchar(255),
        current_period_start timestamptz,
        current_period_end timestamptz,
        created_by_user_id integer REFERENCES users (id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX organizations_created_by_user_id_index ON organizations (created_by_user_id)`);
    await queryRunner.query(`CREATE INDEX organizations_name_lower_index ON organizations (lower(name), id)`);

    await queryRunner.query(`
      CREATE TABLE organization_memberships (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
        user_id integer NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        role varchar(10) NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    // The member list's order (joined first, then id) is this index: a page is an index range, not a sort.
    await queryRunner.query(`CREATE UNIQUE INDEX organization_memberships_unique ON organization_memberships (organization_id, user_id)`);
    await queryRunner.query(`CREATE INDEX organization_memberships_page_index ON organization_memberships (organization_id, created_at, id)`);
    await queryRunner.query(`CREATE INDEX organization_memberships_user_id_index ON organization_memberships (user_id)`);

    await queryRunner.query(`
      CREATE TABLE organization_invitations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
        email varchar(255) NOT NULL,
        role varchar(10) NOT NULL CHECK (role IN ('admin', 'member')),
        token_hash char(64) NOT NULL,
        status varchar(10) NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'declined', 'revoked', 'expired')),
        expires_at timestamptz NOT NULL,
        invited_by_user_id integer REFERENCES users (id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX organization_invitations_token_hash_unique ON organization_invitations (token_hash)`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX organization_invitations_pending_unique ON organization_invitations (organization_id, lower(email)) WHERE status = 'pending'`,
    );
    await queryRunner.query(`CREATE INDEX organization_invitations_org_index ON organization_invitations (organization_id, created_at)`);
    await queryRunner.query(`CREATE INDEX organization_invitations_email_index ON organization_invitations (lower(email))`);
    await queryRunner.query(`CREATE INDEX organization_invitations_invited_by_index ON organization_invitations (invited_by_user_id)`);

    // The organization GET /api/v1/auth/user shows; gone with the organization.
    await queryRunner.query(`ALTER TABLE users ADD COLUMN current_organization_id uuid REFERENCES organizations (id) ON DELETE SET NULL`);
    await queryRunner.query(`CREATE INDEX users_current_organization_id_index ON users (current_organization_id) WHERE current_organization_id IS NOT NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE users DROP COLUMN current_organization_id`);
    await queryRunner.query(`DROP TABLE organization_invitations`);
    await queryRunner.query(`DROP TABLE organization_memberships`);
    await queryRunner.query(`DROP TABLE organizations`);
  }
}
