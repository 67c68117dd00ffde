import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * One database per jest worker, with a random name, on DATABASE_URL's server (default: the machine's PostgreSQL).
 * The first app a worker boots applies the migrations to it (start-up migrations); global-teardown drops them.
 * This file runs outside jest's module system, so it imports nothing from the project.
 */
export default async function globalSetup(globalConfig: { maxWorkers: number }): Promise<void> {
  const serverUrl =
    process.env.TEST_DATABASE_SERVER_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const prefix = `tessera_test_${randomBytes(4).toString('hex')}`;
  const names: string[] = [];
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    for (let worker = 1; worker <= Math.max(1, globalConfig.maxWorkers); worker++) {
      const name = `${prefix}_w${worker}`;
      await admin.query(`CREATE DATABASE ${name}`);
      names.push(name);
    }
  } finally {
    await admin.end();
  }
  process.env.TEST_DATABASE_SERVER_URL = serverUrl;
  process.env.TEST_DATABASE_PREFIX = prefix;
  process.env.TEST_DATABASE_NAMES = names.join(',');
}
