import type { Redis } from 'ioredis';
import { setTimeout as sleep } from 'node:timers/promises';

/** `up`: counters are shared through Redis. `down`: each instance counts in process until Redis answers again. */
export type SharedStoreStatus = 'up' | 'down';

/** The logger calls the link makes (Nest's Logger has this shape). */
export interface LinkLogger {
  warn(fields: Record<string, unknown>, message: string): void;
}

export interface RedisLinkOptions {
  /** A write that answers only when Redis takes writes (a connected Redis out of memory or read-only does not). */
  probe: () => Promise<unknown>;
  /** Runs after a successful probe, before the link is up again: what the instance kept alone goes to Redis. */
  handOver: () => Promise<void>;
  logger: LinkLogger;
  /** While down with the connection open (commands time out or are refused), how often the probe is tried. */
  probeIntervalMs: number;
}

/**
 * Whether the rate limiter uses Redis now. It goes down as soon as the connection closes or a command fails, and
 * comes back up once the probe answers: tried when the client has reconnected, every `probeIntervalMs` while the
 * connection is open but failing, and when readiness asks. Each move writes one warning line, never one per request.
 */
export class RedisLink {
  private current: SharedStoreStatus = 'down';
  /** A down move was logged (an up move is logged only after one: connecting at start-up is no recovery). */
  private downLogged = false;
  private closing = false;
  private recovering?: Promise<boolean>;
  /** Connections closed so far: a recovery that saw one close meanwhile does not count (its probe met the old one). */
  private closes = 0;
  /** A probe after a failed command on an open connection, deciding whether Redis is down. */
  private confirming?: Promise<void>;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly redis: Redis,
    private readonly options: RedisLinkOptions,
  ) {
    redis.on('ready', () => void this.recover());
    redis.on('close', () => {
      this.closes++;
      this.lost('the connection closed');
    });
    // Connection errors are followed by 'close'; without a listener ioredis would log each as unhandled.
    redis.on('error', () => undefined);
    this.timer = setInterval(() => {
      if (this.current === 'down' && redis.status === 'ready') void this.recover();
    }, options.probeIntervalMs);
    this.timer.unref();
  }

  get status(): SharedStoreStatus {
    return this.current;
  }

  get up(): boolean {
    return this.current === 'up';
  }

  /**
   * A command failed for another reason than an exceeded limit (the request that sent it goes on with the instance's
   * counters). With the connection gone, counting moves to the instance at once; with it open (a slow answer, a
   * refused write) only if the probe fails too: one reply late under load is no outage.
   */
  failed(error: unknown): void {
    const reason = error instanceof Error ? error.message : String(error);
    if (this.redis.status !== 'ready') {
      this.lost(reason);
      return;
    }
    if (this.closing || !this.up || this.confirming) return;
    this.confirming = this.options
      .probe()
      .then(
        () => undefined,
        () => this.lost(reason),
      )
      .finally(() => (this.confirming = undefined));
  }

  /** Resolves once the link is up, or after `ms`; says whether it is up. */
  async waitUntilUp(ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (!this.up && !this.closing && Date.now() < deadline) await sleep(25);
    return this.up;
  }

  /** Logs the down state once when the instance starts without Redis (no move from up announces it). */
  announceStartWithout(): void {
    if (this.up || this.downLogged) return;
    this.downLogged = true;
    this.options.logger.warn({ redis: 'down' }, 'Redis did not answer at start-up: rate limits are counted per instance until it does');
  }

  /** For readiness: the status after trying the probe now (a Redis that hangs is found without a request failing). */
  async check(): Promise<SharedStoreStatus> {
    if (this.up) {
      try {
        await this.options.probe();
      } catch (error) {
        this.lost(error instanceof Error ? error.message : String(error));
      }
      return this.current;
    }
    await this.recover();
    return this.current;
  }

  /** Stops the moves and their log lines: the client is being closed on purpose. */
  close(): void {
    this.closing = true;
    clearInterval(this.timer);
  }

  private lost(reason: string): void {
    if (this.closing || this.current === 'down') return;
    this.current = 'down';
    this.downLogged = true;
    this.options.logger.warn({ redis: 'down', reason }, 'Redis does not answer: rate limits are counted per instance until it does');
  }

  private recover(): Promise<boolean> {
    if (this.closing || this.up) return Promise.resolve(this.up);
    // One attempt at a time; cleared only once it settled (a .finally callback never runs synchronously).
    this.recovering ??= this.attemptRecovery().finally(() => (this.recovering = undefined));
    return this.recovering;
  }

  private async attemptRecovery(): Promise<boolean> {
    const closes = this.closes;
    try {
      await this.options.probe();
      await this.options.handOver();
    } catch {
      return false;
    }
    if (this.closing || this.closes !== closes || this.redis.status !== 'ready') return false;
    this.current = 'up';
    if (this.downLogged) {
      this.downLogged = false;
      this.options.logger.warn({ redis: 'up' }, 'Redis answers again: rate limits are shared by every instance again');
    }
    return true;
  }
}
