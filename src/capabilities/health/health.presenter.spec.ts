import { presentReadiness } from './health.presenter.js';

describe('presentReadiness', () => {
  it('keeps each dependency status and drops timings', () => {
    const database = { status: 'up' as const, responseTime: 3 };
    expect(presentReadiness({ status: 'ok', info: { database }, error: {}, details: { database } })).toEqual({
      status: 'ok',
      details: { database: { status: 'up' } },
    });
  });

  it('adds the mail outbox counts when they were read', () => {
    const database = { status: 'up' as const };
    expect(presentReadiness({ status: 'ok', info: { database }, error: {}, details: { database } }, { pending: 3, failed: 1, oldestPendingSeconds: 42 })).toEqual({
      status: 'ok',
      details: { database: { status: 'up' }, mail_outbox: { pending: 3, failed: 1, oldest_pending_seconds: 42 } },
    });
  });
});
