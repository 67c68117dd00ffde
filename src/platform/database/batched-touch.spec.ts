import { jest } from '@jest/globals';
import { BatchedTouch } from './batched-touch.js';

describe('BatchedTouch', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('writes the ids seen within the window once, in one call', async () => {
    const writes: number[][] = [];
    const batch = new BatchedTouch<number>(async (ids) => void writes.push(ids), () => undefined, 1_000);
    batch.add(1);
    batch.add(2);
    batch.add(1);
    expect(writes).toEqual([]);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(writes).toEqual([[1, 2]]);
    await jest.advanceTimersByTimeAsync(5_000);
    expect(writes).toHaveLength(1);
  });

  it('writes each id with the latest value added for it', async () => {
    const writes: [number[], (string | undefined)[]][] = [];
    const batch = new BatchedTouch<number, string>(async (ids, values) => void writes.push([ids, values]), () => undefined);
    batch.add(1, '10.0.0.1');
    batch.add(2, '10.0.0.2');
    batch.add(1, '10.0.0.3');
    await batch.flush();
    expect(writes).toEqual([[[1, 2], ['10.0.0.3', '10.0.0.2']]]);
  });

  it('writes at once when the batch is full', () => {
    const writes: number[][] = [];
    const batch = new BatchedTouch<number>(async (ids) => void writes.push(ids), () => undefined, 1_000, 3);
    [1, 2, 3].forEach((id) => batch.add(id));
    expect(writes).toEqual([[1, 2, 3]]);
  });

  it('reports a failed write instead of throwing it', async () => {
    const failures: [unknown, number][] = [];
    const batch = new BatchedTouch<string>(() => Promise.reject(new Error('connection lost')), (error, count) => void failures.push([error, count]));
    batch.add('a');
    await expect(batch.flush()).resolves.toBeUndefined();
    expect(failures).toEqual([[new Error('connection lost'), 1]]);
  });

  it('does nothing when nothing is pending', async () => {
    const write = jest.fn(async (_ids: string[]) => undefined);
    await new BatchedTouch<string>(write, () => undefined).flush();
    expect(write).not.toHaveBeenCalled();
  });
});
