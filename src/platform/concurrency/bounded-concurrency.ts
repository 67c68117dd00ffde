import { DomainError } from '../errors/domain-error.js';
import { PLATFORM_ERRORS } from '../errors/errors.js';

interface Waiter {
  start: () => void;
  timer: NodeJS.Timeout;
}

/**
 * At most `limit` tasks at once; the others wait in line, each for at most `maxWaitMs`, after which it is refused
 * with 503 SERVICE_UNAVAILABLE and Retry-After (the client retries later instead of piling up memory here).
 */
export class BoundedConcurrency {
  private running = 0;
  /** Insertion-ordered: the first waiter is the oldest; a timed-out one leaves in O(1). */
  private readonly waiting = new Set<Waiter>();

  constructor(
    readonly limit: number,
    readonly maxWaitMs: number,
    private readonly retryAfterSeconds = Math.max(1, Math.ceil(maxWaitMs / 1000)),
  ) {}

  get active(): number {
    return this.running;
  }

  get queued(): number {
    return this.waiting.size;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await task();
    } finally {
      this.release();
    }
  }

  private acquire(): Promise<void> {
    if (this.running < this.limit) {
      this.running++;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        start: resolve,
        timer: setTimeout(() => {
          this.waiting.delete(waiter);
          reject(new DomainError(PLATFORM_ERRORS.SERVICE_UNAVAILABLE, { retryAfter: this.retryAfterSeconds }));
        }, this.maxWaitMs),
      };
      this.waiting.add(waiter);
    });
  }

  /** Hands the slot straight to the oldest waiter (the count stays), or frees it. */
  private release(): void {
    const next = this.waiting.values().next();
    if (next.done) {
      this.running--;
      return;
    }
    this.waiting.delete(next.value);
    clearTimeout(next.value.timer);
    next.value.start();
  }
}
