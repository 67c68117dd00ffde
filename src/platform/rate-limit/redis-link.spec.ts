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

function setUp(probe: () => Promise<unknown> = async () => 'OK') {
  const redis = new FakeRedis();
  const lines: { fields: Record<string, unknown>; message: string }[] = [];
  const options = {
    probe: jest.fn(probe),
    handOver: jest.fn(async () => undefined),
    logger: { warn: (fields: Record<string, unknown>, message: string) => void lines.push({ fields, message }) },
    probeIntervalMs: 60_000,
  };
  const link = new RedisLink(redis as unknown as Redis, options);
  return { redis, link, lines, options };
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
    let writable = true;
    const { redis, link, lines, options } = setUp(async () => {
      if (!writable) throw new Error('OOM command not allowed when used memory > maxmemory');
      return 'OK';
    });
    redis.connect();
    await link.waitUntilUp(1000);
    writable = false;
    expect(await link.check()).toBe('down');
    expect(await link.check()).toBe('down');
    expect(options.handOver).toHaveBeenCalledTimes(1);
    writable = true;
    expect(await link.check()).toBe('up');
    expect(options.handOver).toHaveBeenCalledTimes(2);
    expect(lines.map((line) => line.fields.redis)).toEqual(['down', 'up']);
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

  it('logs nothing once closed on purpose (shutdown)', async () => {
    const { redis, link, lines } = setUp();
    redis.connect();
    await link.waitUntilUp(1000);
    link.close();
    redis.drop();
    expect(lines).toEqual([]);
  });
});
