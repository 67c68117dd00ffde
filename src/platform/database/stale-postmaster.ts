/**
 * Deciding what to do with a `postmaster.pid` found in the embedded cluster's directory before starting it.
 * When Node is killed with SIGKILL the postmaster it spawned survives, keeps the lock file, and the next start
 * fails without a message; when another Tessera is still running on the same directory its postmaster must be left
 * alone. Pure: the caller reads the files and probes the processes.
 */

export interface PostmasterPid {
  pid: number;
  dataDir: string;
  port?: number;
}

/** What the operating system says about a process id. */
export interface ProcessProbe {
  alive: boolean;
  /** Its command line, when it could be read. */
  argv?: string[];
  parentPid?: number;
}

export interface PostmasterContext {
  /** Absolute cluster directory we are about to start. */
  dataDir: string;
  /** The Tessera process that last started this cluster (recorded beside it), if known. */
  ownerPid?: number;
  /** This process. */
  selfPid: number;
  probe: (pid: number) => ProcessProbe;
}

export type PostmasterVerdict =
  /** No lock file, or one PostgreSQL itself recognises as stale (its process is gone). */
  | { kind: 'start' }
  /** A postmaster orphaned by a killed Tessera still runs on our directory: stop it first. */
  | { kind: 'stop'; pid: number }
  /** The Tessera that started it is still running: refuse rather than take its database away. */
  | { kind: 'in-use'; pid: number; ownerPid: number }
  /** The lock file names a live process that is not our postmaster (a reused pid), or cannot be read. */
  | { kind: 'discard'; reason: string };

/** Parses the first lines of `postmaster.pid`: pid, data directory, start time, port. */
export function parsePostmasterPid(content: string): PostmasterPid | undefined {
  const lines = content.split('\n');
  const pid = Number(lines[0]?.trim());
  const dataDir = lines[1]?.trim();
  if (!Number.isInteger(pid) || pid <= 0 || !dataDir) return undefined;
  const port = Number(lines[3]?.trim());
  return { pid, dataDir, port: Number.isInteger(port) && port > 0 ? port : undefined };
}

/** True when `argv` is a postgres server started on `dataDir` (`…/postgres -D <dataDir> …`). */
function isPostmasterOf(argv: string[], dataDir: string): boolean {
  const dashD = argv.indexOf('-D');
  return /(^|\/)postgres$/.test(argv[0] ?? '') && dashD > 0 && argv[dashD + 1] === dataDir;
}

export function judgePostmasterPid(content: string | undefined, context: PostmasterContext): PostmasterVerdict {
  if (content === undefined) return { kind: 'start' };
  const lock = parsePostmasterPid(content);
  if (!lock) return { kind: 'discard', reason: 'unreadable lock file' };
  const running = context.probe(lock.pid);
  if (!running.alive) return { kind: 'start' };
  // Without a command line (no /proc, no ps) trust the lock file's own record of its directory.
  const ours =
    running.argv === undefined ? lock.dataDir === context.dataDir : isPostmasterOf(running.argv, context.dataDir);
  if (!ours) return { kind: 'discard', reason: `pid ${lock.pid} is not a postmaster of ${context.dataDir}` };
  // A postmaster whose parent died is re-parented (to init or a subreaper), so a parent that is still the
  // recorded owner means that Tessera is alive. Our own leftover (same pid) is ours to stop.
  const { ownerPid } = context;
  if (ownerPid !== undefined && ownerPid !== context.selfPid && running.parentPid === ownerPid) {
    return { kind: 'in-use', pid: lock.pid, ownerPid };
  }
  return { kind: 'stop', pid: lock.pid };
}
