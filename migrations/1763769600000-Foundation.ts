import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createRequire } from 'node:module';
import type { Countries } from 'world-countries';

// world-countries is CommonJS whose typings declare a default export; require() gives the array itself.
const countries: Countries = createRequire(import.meta.url)('world-countries');

/** UN M49 codes of the regions world-countries names (Vanguard's countries carry the numeric region code). */
const M49_REGION: Record<string, string> = {
  Africa: '002',
  Americas: '019',
  Antarctic: '010',
  Asia: '142',
  Europe: '150',
  Oceania: '009',
};

/** EU members plus Iceland, Liechtenstein and Norway (ISO 3166-1 alpha-2). */
const EEA = new Set(
  'AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE IS LI NO'.split(' '),
);

export class Foundation1763769600000 implements MigrationInterface {
  name = 'Foundation1763769600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE roles (
        id serial PRIMARY KEY,
        slug varchar(50) NOT NULL,
        name varchar(100) NOT NULL,
        description text,
        scopes jsonb NOT NULL DEFAULT '[]',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX roles_slug_unique ON roles (slug)`);
    await queryRunner.query(`
      INSERT INTO roles (id, slug, name, description, scopes) VALUES
        (1, 'admin', 'Admin', 'System administrator.', '["admin"]'),
        (2, 'user', 'User', 'Default system user.', '["user"]')`);
    await queryRunner.query(`SELECT setval('roles_id_seq', 2)`);

    await queryRunner.query(`
      CREATE TABLE countries (
        id integer PRIMARY KEY,
        name varchar(255) NOT NULL,
        full_name varchar(255) NOT NULL,
        capital varchar(255),
        citizenship varchar(255),
        country_code char(3) NOT NULL,
        currency varchar(255),
        currency_code varchar(3),
        currency_symbol varchar(16),
        iso_3166_2 char(2) NOT NULL,
        iso_3166_3 char(3) NOT NULL,
        region_code varchar(3),
        sub_region_code varchar(3),
        region varchar(64),
        sub_region varchar(64),
        eea boolean NOT NULL DEFAULT false,
        calling_code varchar(16),
        flag varchar(16)
      )`);
    const rows = countries
      .filter((country) => /^\d{3}$/.test(country.ccn3))
      .map((country) => {
        const [currencyCode] = Object.keys(country.currencies ?? {});
        const currency = currencyCode ? country.currencies[currencyCode] : undefined;
        const suffixes = country.idd?.suffixes ?? [];
        const callingCode =
          country.idd?.root && suffixes.length === 1 ? `${country.idd.root}${suffixes[0]}`.replace('+', '') : country.idd?.root?.replace('+', '') || null;
        return [
          Number(country.ccn3),
          country.name.common,
          country.name.official,
          country.capital?.[0] ?? null,
          country.demonyms?.eng?.m ?? null,
          country.ccn3,
          currency?.name ?? null,
          currencyCode ?? null,
          currency?.symbol ?? null,
          country.cca2,
          country.cca3,
          M49_REGION[country.region] ?? null,
          null,
          country.region || null,
          country.subregion || null,
          EEA.has(country.cca2),
          callingCode,
          country.flag ?? null,
        ];
      });
    for (const row of rows) {
      await queryRunner.query(
        `INSERT INTO countries (id, name, full_name, capital, citizenship, country_code, currency, currency_code,
           currency_symbol, iso_3166_2, iso_3166_3, region_code, sub_region_code, region, sub_region, eea, calling_code, flag)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18)`,
        row,
      );
    }

    await queryRunner.query(`
      CREATE TABLE users (
        id serial PRIMARY KEY,
        uuid uuid NOT NULL DEFAULT gen_random_uuid(),
        username varchar(50) NOT NULL,
        email varchar(191) NOT NULL,
        email_verified_at timestamptz,
        password varchar(255) NOT NULL,
        first_name varchar(100),
        last_name varchar(100),
        phone varchar(20),
        address varchar(255),
        country_id integer REFERENCES countries (id),
        birthday date,
        role_id integer NOT NULL REFERENCES roles (id),
        status varchar(20) NOT NULL CHECK (status IN ('Active', 'Banned', 'Unconfirmed')),
        language varchar(10) NOT NULL DEFAULT 'en',
        avatar_key varchar(255),
        avatar_url varchar(2048),
        public_profile boolean NOT NULL DEFAULT true,
        public_badges boolean NOT NULL DEFAULT false,
        t_c_accepted_at timestamptz,
        last_login timestamptz,
        two_factor_method varchar(10) CHECK (two_factor_method IN ('totp', 'sms')),
        two_factor_country_code integer,
        two_factor_phone varchar(20),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX users_uuid_unique ON users (uuid)`);
    await queryRunner.query(`CREATE UNIQUE INDEX users_username_unique ON users (lower(username))`);
    await queryRunner.query(`CREATE UNIQUE INDEX users_email_unique ON users (lower(email))`);
    await queryRunner.query(`CREATE INDEX users_role_id_index ON users (role_id)`);
    await queryRunner.query(`CREATE INDEX users_created_at_index ON users (created_at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE users`);
    await queryRunner.query(`DROP TABLE countries`);
    await queryRunner.query(`DROP TABLE roles`);
  }
}
