// Writes the app's OpenAPI document (the one /docs-json serves), its keys sorted, to a file: `npm run openapi:commit`
// writes the committed openapi/tessera.openapi.json with it, and CI compares a fresh copy with that file.
// Usage: `npm run openapi:document -- <out.json>` (scripts/ts-esm-loader.mjs runs it).
//
// The document is built by the real application, booted without listening, so the file cannot differ from
// what the server serves. The app needs a database to boot: a throw-away one is created on DATABASE_URL's
// server (default: the machine's PostgreSQL on 127.0.0.1:5432) and dropped afterwards, or, when no server
// answers, an embedded PostgreSQL is started in a temporary directory.
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createApp } from './app.factory.js';
import { loadConfig } from '../platform/config/app-config.js';
import { startEmbeddedPostgres, type EmbeddedPostgresServer } from '../platform/database/embedded-postgres.js';
import { createRootLogger } from '../platform/logging/logger.js';
import { buildOpenApiDocument } from './openapi-document.js';

const LOCAL_SERVER = 'postgres://postgres@127.0.0.1:5432/postgres';
/** The document's `servers` entry: fixed, so the written file does not depend on the environment. */
const DOCUMENT_APP_URL = 'http://localhost:3000';

async function adminQuery(serverUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** An embedded PostgreSQL in a temporary directory, for machines where no server answers. */
async function embeddedDatabase(): Promise<{ url: string; dispose: () => Promise<void> }> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'tessera-openapi-'));
  let server: EmbeddedPostgresServer;
  try {
    server = await startEmbeddedPostgres({ dataDir, database: 'tessera', logger: createRootLogger('silent') });
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    url: server.url,
    dispose: async () => {
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A database to boot the app on, and how to get rid of it. */
async function throwAwayDatabase(): Promise<{ url: string; dispose: () => Promise<void> }> {
  const given = process.env.DATABASE_URL;
  const serverUrl = given ?? LOCAL_SERVER;
  const name = `tessera_openapi_${randomBytes(4).toString('hex')}`;
  try {
    await adminQuery(serverUrl, `CREATE DATABASE ${name}`);
  } catch (error) {
    // Only the default server may be absent; a server that was named must answer.
    if (given !== undefined || (error as { code?: string }).code !== 'ECONNREFUSED') throw error;
    return embeddedDatabase();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), dispose: () => adminQuery(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

/**
 * The document with the keys of every object in alphabetical order (paths, schemas, properties, responses…), so
 * the committed file changes only where the API does and two branches that add routes touch different lines.
 * Examples keep the order the server writes their bodies in.
 */
function sortedKeys(value: unknown, inExample = false): unknown {
  if (Array.isArray(value)) return value.map((item) => sortedKeys(item, inExample));
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value);
  if (!inExample) entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(entries.map(([key, child]) => [key, sortedKeys(child, inExample || key === 'example' || key === 'examples')]));
}

async function main(): Promise<void> {
  const out = process.argv[2];
  if (!out) throw new Error('usage: write-openapi-document.ts <out.json>');
  const database = await throwAwayDatabase();
  try {
    const config = loadConfig({
      DATABASE_URL: database.url,
      APP_URL: DOCUMENT_APP_URL,
      JWT_SECRET: randomBytes(32).toString('hex'),
      LOG_LEVEL: 'silent',
      // The throw-away first admin: cheap to hash, and no generated password printed.
      ADMIN_EMAIL: 'admin@example.com',
      ADMIN_PASSWORD: randomBytes(16).toString('hex'),
      ARGON2_MEMORY_KIB: '1024',
      ARGON2_TIME_COST: '1',
    });
    const app = await createApp(config);
    try {
      const document = buildOpenApiDocument(app, config);
      await mkdir(path.dirname(path.resolve(out)), { recursive: true });
      await writeFile(out, `${JSON.stringify(sortedKeys(document), null, 2)}\n`);
      process.stdout.write(`${out}: OpenAPI ${document.openapi}, ${Object.keys(document.paths).length} paths\n`);
    } finally {
      await app.close();
    }
  } finally {
    await database.dispose();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
