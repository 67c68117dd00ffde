import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildApp, freePort, startApp, type Exit } from '../../support/processes.js';

// initdb and a first start take several seconds on a loaded machine.
const SLOW = 120_000;

/** The process group of a process, from /proc/<pid>/stat ("pid (comm) state ppid pgrp …"). */
function processGroupOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Runs the build to its exit, without waiting for readiness (for starts that must fail at once). */
function runToExit(main: string, env: Record<string, string>): Promise<Exit & { stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [main], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
}

describe('start-up and Ctrl-C as a person sees them', () => {
  let main: string;
  let base: string;

  beforeAll(async () => {
    main = await buildApp();
    base = mkdtempSync(path.join(tmpdir(), 'tessera-start-up-'));
    // As root the embedded PostgreSQL runs as the postgres user, which must be able to enter it.
    chmodSync(base, 0o711);
  }, SLOW);
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  it(
    'prints one ready line (API, docs, first admin) instead of the route map; Ctrl-C to the group closes the app, then PostgreSQL; exit 0',
    async () => {
      const dataDir = path.join(base, 'embedded');
      const app = await startApp(main, {
        env: { DATABASE_URL: '', DATA_DIR: dataDir, LOG_LEVEL: 'info', ADMIN_PASSWORD: '' },
        processGroup: true,
        readyTimeoutMs: SLOW,
      });
      let postmasterPid = 0;
      try {
        postmasterPid = Number(readFileSync(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);
        // PostgreSQL is outside the app's process group: a terminal's Ctrl-C does not reach it.
        expect(processGroupOf(app.pid)).toBe(app.pid);
        expect(processGroupOf(postmasterPid)).not.toBe(app.pid);

        const started = app.output();
        expect(started).toMatch(/Tessera is ready: API http:\/\/127\.0\.0\.1:\d+\/api, docs http:\/\/127\.0\.0\.1:\d+\/docs; first admin: username "admin", email admin@example\.com, password \S{16} /);
        expect(started).not.toContain('Mapped {');
        expect(started).not.toContain('RoutesResolver');
        expect(started.split('\n').filter(Boolean).length).toBeLessThan(12);

        // Ctrl-C: SIGINT to every process of the foreground group at once.
        process.kill(-app.pid, 'SIGINT');
        expect(await app.exited).toEqual({ code: 0, signal: null });
        expect(isAlive(postmasterPid)).toBe(false);
        const messages = app.output().split('\n').flatMap((line) => {
          try {
            return [(JSON.parse(line) as { msg: string }).msg];
          } catch {
            return [];
          }
        });
        expect(messages.slice(-2)).toEqual(['shutting down', 'embedded PostgreSQL stopped']);
      } finally {
        // Nothing left behind when an expectation failed.
        if (isAlive(app.pid)) process.kill(-app.pid, 'SIGKILL');
        if (postmasterPid > 0 && isAlive(postmasterPid)) process.kill(postmasterPid, 'SIGINT');
      }

      // The second start finds the admin: no password again.
      const again = await startApp(main, { env: { DATABASE_URL: '', DATA_DIR: dataDir, LOG_LEVEL: 'info' }, readyTimeoutMs: SLOW });
      expect(again.output()).toMatch(/Tessera is ready: API \S+, docs \S+\n/);
      expect(again.output()).not.toContain('first admin');
      await again.stop('SIGINT');
    },
    SLOW * 2,
  );

  it('says at once that the port is taken, before creating a cluster or printing a password', async () => {
    const port = await freePort();
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(port, resolve));
    const dataDir = path.join(base, 'taken-port');
    try {
      const run = await runToExit(main, { DATABASE_URL: '', DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'info' });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`Port ${port} is already in use`);
      expect(run.stdout).toBe('');
      expect(existsSync(dataDir)).toBe(false);
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  }, SLOW);

  it('names every missing production variable in one failed start', async () => {
    const run = await runToExit(main, {
      NODE_ENV: 'production',
      DATABASE_URL: '',
      JWT_SECRET: '',
      TWO_FACTOR_ENCRYPTION_KEY: '',
      SMTP_URL: '',
      SMS_HTTP_URL: '',
      PORT: String(await freePort()),
    });
    expect(run.code).toBe(1);
    for (const variable of ['DATABASE_URL', 'JWT_SECRET', 'TWO_FACTOR_ENCRYPTION_KEY', 'SMTP_URL', 'SMS_HTTP_URL']) {
      expect(run.stderr).toMatch(new RegExp(`^Invalid configuration: ${variable} is required when NODE_ENV=production`, 'm'));
    }
  }, SLOW);
});
