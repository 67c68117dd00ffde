import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** What the worker needs to build its estimator: where the zxcvbn-ts packages are, and the scoring limits. */
interface EstimatorSettings {
  core: string;
  common: string;
  en: string;
  maxLength: number;
  l33tMaxSubstitutions: number;
}

/**
 * The worker: builds zxcvbn-ts with the common and English dictionaries once, then scores one password per message.
 * CommonJS given as source (`eval`), so it runs the same from the build and from the TypeScript the tests load.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { ZxcvbnFactory } = require(workerData.core);
const common = require(workerData.common);
const en = require(workerData.en);
const estimator = new ZxcvbnFactory({
  maxLength: workerData.maxLength,
  l33tMaxSubstitutions: workerData.l33tMaxSubstitutions,
  dictionary: { ...common.dictionary, ...en.dictionary },
  graphs: common.adjacencyGraphs,
  translations: en.translations,
});
parentPort.on('message', ({ id, password, userInputs }) => {
  try {
    parentPort.postMessage({ id, score: estimator.check(password, userInputs).score });
  } catch (error) {
    parentPort.postMessage({ id, error: String(error && error.message || error) });
  }
});
`;

type Answer = { id: number; score: number; error?: undefined } | { id: number; error: string };

/**
 * zxcvbn-ts scoring in a worker thread that lives only while passwords are being screened. Its dictionaries take
 * some 27 MiB of heap once loaded (the server's RSS fell by about 30 MiB when the worker ended), and the module data
 * stays for the life of the isolate that imported it: in the server's own isolate that was for good, after the first
 * sign-up or password change.
 * In a worker, it all goes when the worker ends, `idleMs` after the last score; the next screening starts a new one
 * (about 150 ms of CPU, in the worker). The matching itself (up to some 40 ms for an adversarial password) no longer
 * runs on the event loop either.
 */
/** A running worker and the scores it owes. */
interface Running {
  worker: Worker;
  pending: Map<number, { resolve: (score: number) => void; reject: (error: Error) => void }>;
}

export class PasswordStrengthWorker {
  private current?: Running;
  private lastId = 0;
  private idleTimer?: NodeJS.Timeout;
  private readonly settings: EstimatorSettings;

  constructor(
    limits: { maxLength: number; l33tMaxSubstitutions: number },
    private readonly idleMs: number,
  ) {
    const resolve = createRequire(import.meta.url).resolve;
    this.settings = {
      core: resolve('@zxcvbn-ts/core'),
      common: resolve('@zxcvbn-ts/language-common'),
      en: resolve('@zxcvbn-ts/language-en'),
      ...limits,
    };
  }

  /** The zxcvbn score (0 to 4) of `password` against the dictionaries and `userInputs`. */
  score(password: string, userInputs: string[]): Promise<number> {
    clearTimeout(this.idleTimer);
    const { worker, pending } = (this.current ??= this.start());
    // Held while it has work (a script awaiting a score must not exit under it), released when idle.
    worker.ref();
    const id = ++this.lastId;
    return new Promise<number>((resolve, reject) => {
      pending.set(id, { resolve, reject });
      worker.postMessage({ id, password, userInputs });
    });
  }

  /** Whether a worker (and so the dictionaries) is loaded now. */
  get running(): boolean {
    return this.current !== undefined;
  }

  /** Ends the worker now (shutdown, or idle); a later score starts a new one. */
  async close(): Promise<void> {
    clearTimeout(this.idleTimer);
    const running = this.current;
    this.current = undefined;
    await running?.worker.terminate();
  }

  private start(): Running {
    const running: Running = { worker: new Worker(WORKER_SOURCE, { eval: true, workerData: this.settings }), pending: new Map() };
    running.worker.on('message', (answer: Answer) => this.settle(running, answer));
    // A worker that fails (or is ended) fails what it still owes; the next score starts another.
    running.worker.on('error', (error) => this.abandon(running, error));
    running.worker.on('exit', (code) => this.abandon(running, new Error(`the password-strength worker stopped (exit code ${code})`)));
    return running;
  }

  private settle(running: Running, answer: Answer): void {
    const request = running.pending.get(answer.id);
    running.pending.delete(answer.id);
    if (answer.error === undefined) request?.resolve(answer.score);
    else request?.reject(new Error(`password-strength worker: ${answer.error}`));
    if (running.pending.size === 0 && this.current === running) {
      running.worker.unref();
      this.idleTimer = setTimeout(() => void this.close(), this.idleMs).unref();
    }
  }

  private abandon(running: Running, error: Error): void {
    if (this.current === running) this.current = undefined;
    for (const request of running.pending.values()) request.reject(error);
    running.pending.clear();
  }
}
