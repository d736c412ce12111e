import { getEventListeners } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { BulkheadFullError, ErrorCode, isBulkheadFullError } from '../../src/index.js';
import { type BulkheadOptions, bulkhead } from '../../src/policies/index.js';
import { deferred } from '../support/clock.js';

/** Lets pending promise callbacks run. */
const flush = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

describe('bulkhead options', () => {
  it.each<[string, unknown, ErrorConstructor, RegExp]>([
    ['no options', undefined, TypeError, /option "options" must be an object, got undefined/],
    ['an unknown key', { maxConcurrent: 1, maxQueued: 1 }, TypeError, /unknown option "maxQueued"/],
    ['a missing maxConcurrent', {}, TypeError, /"maxConcurrent".*got undefined/],
    ['maxConcurrent 0', { maxConcurrent: 0 }, RangeError, /"maxConcurrent" must be an integer >= 1, got 0/],
    ['maxConcurrent fractional', { maxConcurrent: 1.5 }, RangeError, /"maxConcurrent".*got 1\.5/],
    ['maxConcurrent Infinity', { maxConcurrent: Number.POSITIVE_INFINITY }, RangeError, /"maxConcurrent".*got Infinity/],
    ['maxConcurrent a string', { maxConcurrent: '4' }, TypeError, /"maxConcurrent".*got "4"/],
    ['a negative maxQueue', { maxConcurrent: 1, maxQueue: -1 }, RangeError, /"maxQueue" must be an integer >= 0 \(or Infinity\), got -1/],
    ['maxQueue NaN', { maxConcurrent: 1, maxQueue: Number.NaN }, RangeError, /"maxQueue".*got NaN/],
    ['maxQueue null', { maxConcurrent: 1, maxQueue: null }, TypeError, /"maxQueue".*got null/],
  ])('rejects %s', (_label, options, ErrorType, message) => {
    expect(() => bulkhead(options as BulkheadOptions)).toThrow(ErrorType);
    expect(() => bulkhead(options as BulkheadOptions)).toThrow(message);
  });

  it('reports its limits, defaults maxQueue to 0, accepts an unbounded queue, and leaves the options alone', () => {
    const options = Object.freeze({ maxConcurrent: 3 });
    const pool = bulkhead(options);
    expect([pool.maxConcurrent, pool.maxQueue, pool.running, pool.queued]).toEqual([3, 0, 0, 0]);
    expect(options).toEqual({ maxConcurrent: 3 });
    expect(bulkhead({ maxConcurrent: 1, maxQueue: Number.POSITIVE_INFINITY }).maxQueue).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('bulkhead limits', () => {
  it('runs at most maxConcurrent calls at once and queues the next ones', async () => {
    const pool = bulkhead({ maxConcurrent: 2, maxQueue: 5 });
    const gates = [deferred(), deferred(), deferred()];
    const started: number[] = [];
    const results = gates.map((gate, index) =>
      pool.execute(() => {
        started.push(index);
        return gate.promise;
      }),
    );
    expect(started).toEqual([0, 1]);
    expect([pool.running, pool.queued]).toEqual([2, 1]);
    gates[0]?.resolve('a');
    await results[0];
    expect(started).toEqual([0, 1, 2]);
    expect([pool.running, pool.queued]).toEqual([2, 0]);
    gates[1]?.resolve('b');
    gates[2]?.resolve('c');
    await expect(Promise.all(results)).resolves.toEqual(['a', 'b', 'c']);
    expect([pool.running, pool.queued]).toEqual([0, 0]);
  });

  it('starts queued calls first in, first out', async () => {
    const pool = bulkhead({ maxConcurrent: 1, maxQueue: 10 });
    const order: string[] = [];
    const first = deferred();
    const running = pool.execute(() => first.promise);
    const queued = ['b', 'c', 'd'].map((name) => pool.execute(async () => order.push(name)));
    first.resolve(undefined);
    await Promise.all([running, ...queued]);
    expect(order).toEqual(['b', 'c', 'd']);
  });

  it('rejects with BulkheadFullError, without running fn, when every slot and queue place is taken', async () => {
    const pool = bulkhead({ maxConcurrent: 1, maxQueue: 1 });
    const gate = deferred();
    const running = pool.execute(() => gate.promise);
    const waiting = pool.execute(async () => 'queued');
    const extra = vi.fn(async () => 'extra');
    const rejection = await pool.execute(extra).catch((error: unknown) => error);
    expect(rejection).toBeInstanceOf(BulkheadFullError);
    expect(isBulkheadFullError(rejection)).toBe(true);
    expect(rejection).toMatchObject({ code: ErrorCode.BULKHEAD_FULL, maxConcurrent: 1, maxQueue: 1 });
    expect(extra).not.toHaveBeenCalled();
    gate.resolve('done');
    await expect(Promise.all([running, waiting])).resolves.toEqual(['done', 'queued']);
  });

  it('has no queue by default: a call over maxConcurrent is rejected at once', async () => {
    const pool = bulkhead({ maxConcurrent: 1 });
    const gate = deferred();
    const running = pool.execute(() => gate.promise);
    await expect(pool.execute(async () => 1)).rejects.toBeInstanceOf(BulkheadFullError);
    gate.resolve(0);
    await running;
    await expect(pool.execute(async () => 1)).resolves.toBe(1);
  });

  it('frees the slot when fn rejects, throws synchronously or returns a plain value', async () => {
    const pool = bulkhead({ maxConcurrent: 1 });
    await expect(pool.execute(async () => Promise.reject(new Error('async')))).rejects.toThrow('async');
    await expect(
      pool.execute(() => {
        throw new Error('sync');
      }),
    ).rejects.toThrow('sync');
    await expect(pool.execute(() => 'plain')).resolves.toBe('plain');
    expect(pool.running).toBe(0);
  });

  it('runs the whole queue even when queued fns throw synchronously (no stack overflow)', async () => {
    const pool = bulkhead({ maxConcurrent: 1, maxQueue: Number.POSITIVE_INFINITY });
    const gate = deferred();
    const first = pool.execute(() => gate.promise);
    const queued = Array.from({ length: 20_000 }, () =>
      pool
        .execute(() => {
          throw new Error('sync');
        })
        .catch(() => 'caught'),
    );
    gate.resolve('first');
    const settled = await Promise.all(queued);
    await first;
    expect(settled.every((value) => value === 'caught')).toBe(true);
    expect([pool.running, pool.queued]).toEqual([0, 0]);
  });
});

describe('bulkhead and the caller signal', () => {
  it('removes a queued call when its caller aborts, rejecting with the reason, and never runs it', async () => {
    const pool = bulkhead({ maxConcurrent: 1, maxQueue: 2 });
    const gate = deferred();
    const running = pool.execute(() => gate.promise);
    const controller = new AbortController();
    const abandoned = vi.fn(async () => 'never');
    const leaving = pool.executeWithSignal(abandoned, controller.signal).catch((error: unknown) => error);
    const staying = pool.execute(async () => 'stayed');
    expect(pool.queued).toBe(2);
    controller.abort('user left');
    expect(await leaving).toBe('user left');
    expect(pool.queued).toBe(1);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    gate.resolve('ran');
    await expect(Promise.all([running, staying])).resolves.toEqual(['ran', 'stayed']);
    expect(abandoned).not.toHaveBeenCalled();
  });

  it('frees the queue place of an aborted call for a new caller', async () => {
    const pool = bulkhead({ maxConcurrent: 1, maxQueue: 1 });
    const gate = deferred();
    const running = pool.execute(() => gate.promise);
    const controller = new AbortController();
    const leaving = pool.executeWithSignal(async () => 'never', controller.signal).catch(() => 'left');
    controller.abort();
    await leaving;
    const next = pool.execute(async () => 'next');
    gate.resolve('first');
    await expect(Promise.all([running, next])).resolves.toEqual(['first', 'next']);
  });

  it('removes its abort listener once a queued call starts, and passes the caller signal to fn', async () => {
    const pool = bulkhead({ maxConcurrent: 1, maxQueue: 1 });
    const gate = deferred();
    const running = pool.execute(() => gate.promise);
    const controller = new AbortController();
    let seen: AbortSignal | undefined;
    const queued = pool.executeWithSignal(async (signal) => {
      seen = signal;
      return 'ok';
    }, controller.signal);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    gate.resolve('first');
    await expect(queued).resolves.toBe('ok');
    await running;
    expect(seen).toBe(controller.signal);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('keeps the slot of a running call until fn settles, even after its caller aborts', async () => {
    const pool = bulkhead({ maxConcurrent: 1 });
    const controller = new AbortController();
    const gate = deferred();
    const running = pool.executeWithSignal(() => gate.promise, controller.signal);
    controller.abort();
    await flush();
    expect(pool.running).toBe(1);
    await expect(pool.execute(async () => 1)).rejects.toBeInstanceOf(BulkheadFullError);
    gate.resolve('late');
    await expect(running).resolves.toBe('late');
    expect(pool.running).toBe(0);
  });

  it('rejects a call whose signal is already aborted without taking a slot', async () => {
    const pool = bulkhead({ maxConcurrent: 1 });
    const fn = vi.fn(async () => 1);
    await expect(pool.executeWithSignal(fn, AbortSignal.abort('gone'))).rejects.toBe('gone');
    expect(fn).not.toHaveBeenCalled();
    expect(pool.running).toBe(0);
  });
});
