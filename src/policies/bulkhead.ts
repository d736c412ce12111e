import { BulkheadFullError, withoutStack } from '../core/errors.js';
import { expectNumber, expectObject, own, ownOr, rejectUnknownKeys } from '../core/validate.js';
import { createPolicy, type Inner, type Policy } from './policy.js';
import { isThenable } from './signal.js';

/**
 * Options of {@link bulkhead}.
 *
 * @example
 * ```ts
 * import { bulkhead, type BulkheadOptions } from 'tripswitch';
 * const options: BulkheadOptions = { maxConcurrent: 10, maxQueue: 100 };
 * const pool = bulkhead(options);
 * ```
 */
export interface BulkheadOptions {
  /** Calls allowed to run at once (an integer >= 1). Required. */
  readonly maxConcurrent: number;
  /** Calls allowed to wait for a slot (an integer >= 0, or `Infinity`). Default 0: no queue. */
  readonly maxQueue?: number;
}

/**
 * A {@link Policy} that limits concurrency, with its live load.
 *
 * @example
 * ```ts
 * import { bulkhead, type BulkheadPolicy } from 'tripswitch';
 * const pool: BulkheadPolicy = bulkhead({ maxConcurrent: 2 });
 * console.log(pool.running, pool.queued); // 0 0
 * ```
 */
export interface BulkheadPolicy extends Policy {
  /** Calls allowed to run at once. */
  readonly maxConcurrent: number;
  /** Calls allowed to wait for a slot. */
  readonly maxQueue: number;
  /** Calls running now. */
  readonly running: number;
  /** Calls waiting for a slot now. */
  readonly queued: number;
}

interface Waiter {
  start(): void;
}

const BULKHEAD_KEYS = ['maxConcurrent', 'maxQueue'] as const;

/**
 * Limits concurrent calls: at most `maxConcurrent` run, at most `maxQueue` wait (first in, first out), others reject with `BulkheadFullError`.
 *
 * A slot is held until `fn` settles (a call that ignores its signal keeps its
 * slot: the limit is on real work, not on callers). A queued call whose
 * caller's signal aborts leaves the queue at once and rejects with the
 * caller's reason; a running call passes the caller's signal to `fn`, which
 * should stop on it. Compose a {@link timeout} inside to bound how long a slot is held.
 *
 * @example
 * ```ts
 * import { bulkhead } from 'tripswitch';
 * const pool = bulkhead({ maxConcurrent: 10, maxQueue: 100 });
 * const render = pool.wrap(async (page: string) => `<h1>${page}</h1>`);
 * await render('home');
 * ```
 */
export function bulkhead(options: BulkheadOptions): BulkheadPolicy {
  const raw = expectObject(options, 'options');
  rejectUnknownKeys(raw, BULKHEAD_KEYS, 'bulkhead()');
  const maxConcurrent = expectNumber(own(raw, 'maxConcurrent'), 'maxConcurrent', { integer: true, min: 1 });
  const maxQueue = expectNumber(ownOr(raw, 'maxQueue', 0), 'maxQueue', { integer: true, min: 0, allowInfinity: true });

  let running = 0;
  // A Set keeps insertion order (FIFO) and removes an aborted waiter in O(1).
  const queue = new Set<Waiter>();
  let draining = false;

  const release = (): void => {
    running--;
    drain();
  };

  // A loop, not recursion, so a long queue of fns that throw synchronously cannot overflow the stack.
  const drain = (): void => {
    if (draining) return;
    draining = true;
    try {
      while (running < maxConcurrent && queue.size > 0) {
        const next = queue.values().next().value as Waiter;
        queue.delete(next);
        next.start();
      }
    } finally {
      draining = false;
    }
  };

  const start = (fn: Inner, outer: AbortSignal | undefined, args: unknown[]): Promise<unknown> => {
    running++;
    let result: unknown;
    try {
      result = fn(outer, ...args);
    } catch (error) {
      release();
      return Promise.reject(error);
    }
    if (!isThenable(result)) {
      release();
      return Promise.resolve(result);
    }
    return Promise.resolve(result).then(
      (value) => {
        release();
        return value;
      },
      (error: unknown) => {
        release();
        throw error;
      },
    );
  };

  const run = (fn: Inner, outer: AbortSignal | undefined, args: unknown[]): Promise<unknown> => {
    if (outer?.aborted) return Promise.reject(outer.reason);
    if (running < maxConcurrent) return start(fn, outer, args);
    if (queue.size >= maxQueue) return Promise.reject(withoutStack(() => new BulkheadFullError(maxConcurrent, maxQueue)));
    return new Promise<unknown>((resolve, reject) => {
      const onAbort = (): void => {
        queue.delete(waiter);
        reject(outer?.reason);
      };
      const waiter: Waiter = {
        start: () => {
          outer?.removeEventListener('abort', onAbort);
          start(fn, outer, args).then(resolve, reject);
        },
      };
      queue.add(waiter);
      outer?.addEventListener('abort', onAbort, { once: true });
    });
  };

  return createPolicy<{ maxConcurrent: number; maxQueue: number; running: number; queued: number }>(run, {
    maxConcurrent: { value: maxConcurrent, enumerable: true },
    maxQueue: { value: maxQueue, enumerable: true },
    running: { get: () => running, enumerable: true },
    queued: { get: () => queue.size, enumerable: true },
  });
}
