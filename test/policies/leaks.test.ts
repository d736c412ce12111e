import { getEventListeners } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CircuitBreaker } from '../../src/index.js';
import { bulkhead, compose, type Policy, retry, timeout } from '../../src/policies/index.js';

const CALLS = 100_000;

/**
 * Runs `CALLS` calls, two at a time, with the same caller signal. A `sloppy`
 * fn leaves a listener on the signal it is given: harmless where the policy gives
 * each call its own signal (timeout, breaker), which is what the test shows.
 */
async function runMany(policy: Policy, signal: AbortSignal, sloppy: boolean): Promise<number> {
  let sum = 0;
  const fn = async (inner: AbortSignal, i: number) => {
    if (sloppy) inner.addEventListener('abort', () => {});
    return i % 3;
  };
  // Two at a time, so a bulkhead of one queues every other call.
  for (let i = 0; i < CALLS; i += 2) {
    const [a, b] = await Promise.all([policy.executeWithSignal(fn, signal, i), policy.executeWithSignal(fn, signal, i + 1)]);
    sum += a + b;
  }
  return sum;
}

describe(`${CALLS.toLocaleString('en')} calls`, () => {
  const warnings: Error[] = [];
  const onWarning = (warning: Error) => warnings.push(warning);
  beforeEach(() => {
    vi.useFakeTimers();
    warnings.length = 0;
    process.on('warning', onWarning);
  });
  afterEach(() => {
    process.off('warning', onWarning);
    vi.useRealTimers();
  });

  // retry and bulkhead hand fn the caller's own signal, so there fn must clean up after itself.
  it.each<[string, () => Policy, boolean]>([
    ['timeout', () => timeout({ timeoutMs: 1_000 }), true],
    ['bulkhead', () => bulkhead({ maxConcurrent: 1, maxQueue: 10 }), false],
    ['retry', () => retry({ maxAttempts: 3 }), false],
    [
      'compose(retry, bulkhead, breaker, timeout)',
      () =>
        compose(
          retry({ maxAttempts: 3 }),
          bulkhead({ maxConcurrent: 1, maxQueue: 10 }),
          new CircuitBreaker('leak-check', { callTimeoutMs: 5_000 }),
          timeout({ timeoutMs: 1_000 }),
        ),
      true,
    ],
  ])('through %s leave no abort listener, no timer and no warning behind', async (_name, create, sloppy) => {
    const controller = new AbortController();
    const sum = await runMany(create(), controller.signal, sloppy);
    expect(sum).toBe(99_999);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(0);
    expect(warnings.map((warning) => warning.name)).toEqual([]);
  });
});
