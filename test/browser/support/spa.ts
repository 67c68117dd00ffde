/**
 * The reference SPA (examples/spa) for browser tests: type-checked and built as `npm run example:spa:build` does,
 * then served by `vite preview` with the proxy its vite.config.ts ships (`/api` and `/storage` to TESSERA_URL), so
 * the browser sees the SPA and the API on one origin exactly as a developer does.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const SPA_DIR = join(ROOT, 'examples', 'spa');
const VITE = join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

/** Type-checks and builds the SPA into examples/spa/dist; a type error or a failed build fails the caller. */
export async function buildSpa(): Promise<void> {
  const run = promisify(execFile);
  await run(process.execPath, [TSC, '-p', join(SPA_DIR, 'tsconfig.json')], { cwd: ROOT });
  await run(process.execPath, [VITE, 'build', SPA_DIR, '--logLevel', 'warn'], { cwd: ROOT });
}

export interface SpaServer {
  /** The child process's output so far, for a failure's message. */
  output: () => string;
  stop: () => Promise<void>;
}

/** `vite preview` of the built SPA on 127.0.0.1:`port`, proxying to `tesseraUrl`; resolves once it answers. */
export async function serveSpa(port: number, tesseraUrl: string): Promise<SpaServer> {
  const child: ChildProcess = spawn(process.execPath, [VITE, 'preview', SPA_DIR, '--host', '127.0.0.1', '--port', String(port), '--strictPort'], {
    cwd: ROOT,
    env: { ...process.env, TESSERA_URL: tesseraUrl },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };

  // Polls the page until the server answers (or the child dies, or 30 s pass).
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`vite preview exited with ${child.exitCode}:\n${output}`);
    const answered = await fetch(`http://127.0.0.1:${port}/`).then((response) => response.ok, () => false);
    if (answered) return { output: () => output, stop };
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`vite preview did not answer on port ${port} within 30 s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
