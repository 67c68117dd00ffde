import { rm } from 'node:fs/promises';
import pg from 'pg';
// Declares globalThis.tesseraEmbeddedTestServer.
import type {} from './global-setup.js';

/** Drops the per-worker databases, then stops and deletes the embedded server if global-setup started one. */
export default async function globalTeardown(): Promise<void> {
  const serverUrl = process.env.TEST_DATABASE_SERVER_URL;
  const names = (process.env.TEST_DATABASE_NAMES ?? '').split(',').filter(Boolean);
  const embedded = globalThis.tesseraEmbeddedTestServer;
  if (serverUrl && names.length > 0) {
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    try {
      for (const name of names) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    } finally {
      await admin.end();
    }
  }
  if (embedded) {
    await embedded.stop();
    await rm(embedded.dir, { recursive: true, force: true });
    globalThis.tesseraEmbeddedTestServer = undefined;
  }
}
