/**
 * Collects the ids of rows whose "last seen" timestamp is due a write and writes them together, in one statement,
 * within `windowMs` (or at once when `maxBatch` have gathered). On a busy instance most requests come from a
 * session or key not seen for the last minute, and a write and commit each would cost more than the read that
 * authenticated them; batched, it is one statement a second. The statement itself must stay conditional
 * (`… AND last_seen < now() - interval`), so other instances and late batches never write more often than that.
 * An id may carry a value written with it (the address of an API key's use); the latest one added wins.
 */
export class BatchedTouch<Id, Value = undefined> {
  private readonly pending = new Map<Id, Value | undefined>();
  private timer?: NodeJS.Timeout;

  constructor(
    /** `values[i]` goes with `ids[i]`. */
    private readonly write: (ids: Id[], values: (Value | undefined)[]) => Promise<unknown>,
    private readonly onError: (error: unknown, count: number) => void,
    private readonly windowMs = 1_000,
    private readonly maxBatch = 1_000,
  ) {}

  add(id: Id, value?: Value): void {
    this.pending.set(id, value);
    if (this.pending.size >= this.maxBatch) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.windowMs).unref();
  }

  /** Writes what is pending now; a failure is reported to `onError`, never thrown (the timestamps are advisory). */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.size === 0) return;
    const ids = [...this.pending.keys()];
    const values = [...this.pending.values()];
    this.pending.clear();
    await this.write(ids, values).catch((error: unknown) => this.onError(error, ids.length));
  }
}
