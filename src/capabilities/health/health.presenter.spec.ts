import { presentReadiness } from './health.presenter.js';

const database = { status: 'up' as const, responseTime: 3 };
const required = { status: 'ok' as const, info: { database }, error: {}, details: { database } };

describe('presentReadiness', () => {
  it('keeps each dependency status and drops timings', () => {
    expect(presentReadiness({ required, degradable: {} })).toEqual({ status: 'ok', details: { database: { status: 'up' } } });
  });

  it('reports a dependency the instance serves without, and says degraded while it is down', () => {
    expect(presentReadiness({ required, degradable: { redis: { status: 'up' } } })).toEqual({
      status: 'ok',
      details: { database: { status: 'up' }, redis: { status: 'up' } },
    });
    expect(presentReadiness({ required, degradable: { redis: { status: 'down' } } })).toEqual({
      status: 'degraded',
      details: { database: { status: 'up' }, redis: { status: 'down' } },
    });
  });

  it('adds the mail outbox counts when they were read, which never degrade the answer', () => {
    const mail_outbox = { pending: 3, failed: 1, oldest_pending_seconds: 42 };
    expect(presentReadiness({ required, degradable: { mail_outbox } })).toEqual({
      status: 'ok',
      details: { database: { status: 'up' }, mail_outbox: { pending: 3, failed: 1, oldest_pending_seconds: 42 } },
    });
  });
});
