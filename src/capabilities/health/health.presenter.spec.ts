import { presentReadiness } from './health.presenter.js';

describe('presentReadiness', () => {
  it('keeps each dependency status and drops timings', () => {
    const database = { status: 'up' as const, responseTime: 3 };
    expect(presentReadiness({ status: 'ok', info: { database }, error: {}, details: { database } })).toEqual({
      status: 'ok',
      details: { database: { status: 'up' } },
    });
  });
});
