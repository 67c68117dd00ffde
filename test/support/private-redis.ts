import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './processes.js';

/**
 * A Redis of the test's own (`redis-server` on a free port, nothing saved), for tests that stop Redis under a
 * running app: the machine's Redis on 6379 is shared by other test runs and is never stopped. Needs `redis-server`
 * on PATH (the redis-server package); without it the suites are skipped, saying why, or fail under CI=true.
 */
export interface PrivateRedis {
  url: string;
  port: number;
  /** SIGKILL: connections drop at once, as in a crash. */
  kill(): Promise<void>;
  /** Starts it again on the same port (empty: nothing was saved), once it answers PING. */
  start(): Promise<void>;
}

const BINARY = process.env.TEST_REDIS_SERVER_BINARY ?? 'redis-server';

export const redisServerAvailable = (): boolean => spawnSync(BINARY, ['--version'], { stdio: 'ignore' }).status === 0;

/** `describe`, or, without redis-server, one skipped test that says why (under CI=true: a failure). */
export function describeWithPrivateRedis(name: string, suite: () => void): void {
  if (redisServerAvailable()) {
    describe(name, suite);
    return;
  }
  describe(name, () => {
    const reason = `needs \`${BINARY}\` on PATH (set TEST_REDIS_SERVER_BINARY) to start a Redis of its own`;
    if (process.env.CI === 'true') it(reason, () => expect(`${BINARY} not found`).toBe('found'));
    else it.skip(`${reason}; none found, so skipped`, () => undefined);
  });
}

function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port, timeout: 500 });
    const done = (answer: boolean): void => {
      socket.destroy();
      resolve(answer);
    };
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  let output = '';

  const start = async (): Promise<void> => {
    output = '';
    const started = spawn(BINARY, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = started;
    started.stdout!.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
    started.stderr!.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
    const deadline = Date.now() + 10_000;
    while (!(await answersPing(port))) {
      if (started.exitCode !== null || Date.now() > deadline) {
        started.kill('SIGKILL');
        throw new Error(`redis-server on port ${port} did not start:\n${output}`);
      }
      await sleep(25);
    }
  };

  const kill = async (): Promise<void> => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGKILL');
    await exited;
  };

  await start();
  return { url: `redis://127.0.0.1:${port}`, port, kill, start };
}
