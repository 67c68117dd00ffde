import { jest } from '@jest/globals';
import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import { RedisLink } from './redis-link.js';

/** The part of an ioredis client the link reads: its status and its connection events. */
class FakeRedis extends EventEmitter {
  status = 'connecting';
  connect(): void {
    this.status = 'ready';
    this.emit('ready');
  }
  drop(): void {
    this.status = 'reconnecting';
    this.emit('error', new Error('connect ECONNREFUSED'));
    this.emit('close');
  }
}

/** A link over a fake client; its probe fails with `failure` while `failing` is set. */
function setUp(failure = 'Command timed out') {
  const redis = new FakeRedis();
  const lines: { fields: Record<string, unknown>; message: string }[] = [];
  const state = { failing: false };
  const options = {
    probe: jest.fn(async () => {
      if (state.failing) throw new Error(failure);
      return 'OK';
    }),
    handOver: jest.fn(async () => undefined),
    logger: { warn: (fields: Record<string, unknown>, message: string) => void lines.push({ fields, message }) },
    probeIntervalMs: 60_000,
  };
  const link = new RedisLink(redis as unknown as Redis, options);
  return { redis, link, lines, options, state };
}

describe('RedisLink', () => {
  it('comes up with the connection, quietly: connecting at start-up is no recovery', async () => {
    const { redis, link, lines } = setUp();
    expect(link.status).toBe('down');
    redis.connect();
    expect(await link.waitUntilUp(1000)).toBe(true);
    expect(lines).toEqual([]);
    link.close();
  });

  it('logs one line when Redis goes away and one when it answers again, however many requests failed between', async () => {
    const { redis, link, lines, options } = setUp();
    redis.connect();
    await link.waitUntilUp(1000);

    redis.drop();
    for (let i = 0; i < 50; i++) link.failed(new Error("Stream isn't writeable and enableOfflineQueue options is false"));
    redis.drop();
    expect(link.status).toBe('down');
    expect(lines).toEqual([{ fields: { redis: 'down', reason: 'the connection closed' }, message: expect.stringMatching(/^Redis does not answer/) }]);

    redis.connect();
    expect(await link.waitUntilUp(1000)).toBe(true);
    // Once when it first came up, once now.
    expect(options.handOver).toHaveBeenCalledTimes(2);
    expect(lines.map((line) => line.fields.redis)).toEqual(['down', 'up']);
    expect(lines[1]!.message).toMatch(/^Redis answers again/);
    link.close();
  });

  it('stays down while the probe fails on an open connection (out of memory, read-only), and reports it', async () => {
    const { redis, link, lines, options, state } = setUp('OOM command not allowed when used memory > maxmemory');
    redis.connect();
    await link.waitUntilUp(1000);
    state.failing = true;
    expect(await link.check()).toBe('down');
    expect(await link.check()).toBe('down');
    expect(options.handOver).toHaveBeenCalledTimes(1);
    state.failing = false;
    expect(await link.check()).toBe('up');
    expect(options.handOver).toHaveBeenCalledTimes(2);
    expect(lines.map((line) => line.fields.redis)).toEqual(['down', 'up']);
    link.close();
  });

  it('stays up when one command fails on an open connection and the probe answers; goes down when the probe fails too', async () => {
    const { redis, link, lines, options, state } = setUp();
    redis.connect();
    await link.waitUntilUp(1000);
    const probes = options.probe.mock.calls.length;

    link.failed(new Error('Command timed out'));
    link.failed(new Error('Command timed out'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(options.probe.mock.calls.length).toBe(probes + 1);
    expect(link.status).toBe('up');

    state.failing = true;
    link.failed(new Error('Command timed out'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(link.status).toBe('down');
    expect(lines).toEqual([{ fields: { redis: 'down', reason: 'Command timed out' }, message: expect.stringMatching(/^Redis does not answer/) }]);
    link.close();
  });

  it('says once that it started without Redis, then announces the recovery', async () => {
    const { redis, link, lines } = setUp();
    expect(await link.waitUntilUp(50)).toBe(false);
    link.announceStartWithout();
    link.announceStartWithout();
    redis.drop();
    redis.connect();
    await link.waitUntilUp(1000);
    expect(lines.map((line) => line.message)).toEqual([expect.stringMatching(/did not answer at start-up/), expect.stringMatching(/^Redis answers again/)]);
    link.close();
  });

  it('is not up before what the instance kept alone was handed over, and retries when the hand-over fails', async () => {
    const { redis, link, options } = setUp();
    let failHandOver = true;
    options.handOver.mockImplementation(async () => {
      if (failHandOver) throw new Error('Connection is closed.');
    });
    redis.connect();
    expect(await link.waitUntilUp(100)).toBe(false);
    failHandOver = false;
    expect(await link.check()).toBe('up');
    link.close();
  });

  it('does not come up when the connection closed while the probe and hand-over ran', async () => {
    const { redis, link, options, lines } = setUp();
    redis.connect();
    await link.waitUntilUp(1000);
    redis.drop();
    let release!: () => void;
    options.handOver.mockImplementation(() => new Promise<undefined>((resolve) => (release = () => resolve(undefined))));
    redis.status = 'ready';
    const checked = link.check();
    await new Promise((resolve) => setImmediate(resolve));
    redis.drop();
    release();
    expect(await checked).toBe('down');
    expect(lines.map((line) => line.fields.redis)).toEqual(['down']);
    link.close();
  });

  it('logs nothing once closed on purpose (shutdown)', async () => {
    const { redis, link, lines } = setUp();
    redis.connect();
    await link.waitUntilUp(1000);
    link.close();
    redis.drop();
    expect(lines).toEqual([]);
  });
});
