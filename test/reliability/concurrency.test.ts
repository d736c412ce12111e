import { describe, expect, it } from 'vitest';
import { CircuitBreaker, isCircuitOpenError } from '../../src/index.js';
import { ManualClock } from '../support/clock.js';

/** Lets queued promise callbacks and timers run. */
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('concurrency', () => {
  it.each([1, 3, 25])(
    '10,000 concurrent async calls entering HALF_OPEN: never more than halfOpenMaxCalls=%i in flight',
    async (halfOpenMaxCalls) => {
      const clock = new ManualClock(0);
      const breaker = new CircuitBreaker('hot', {
        clock,
        failureThreshold: 1,
        resetTimeoutMs: 100,
        halfOpenMaxCalls,
        successThreshold: halfOpenMaxCalls,
      });
      await expect(breaker.execute(() => Promise.reject(new Error('x')))).rejects.toThrow('x');
      expect(breaker.state).toBe('open');
      clock.advance(100);

      let inFlight = 0;
      let maxInFlight = 0;
      const call = breaker.wrap(async (i: number) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        // Finish in a scattered order over several turns of the event loop.
        for (let turn = 0; turn <= i % 4; turn++) await tick();
        inFlight--;
        return i;
      });
      const results = await Promise.all(
        Array.from({ length: 10_000 }, (_, i) =>
          call(i).then(
            () => 'ok',
            (e: unknown) => (isCircuitOpenError(e) ? 'rejected' : 'error'),
          ),
        ),
      );
      expect(maxInFlight).toBe(halfOpenMaxCalls);
      expect(results.filter((r) => r === 'ok')).toHaveLength(halfOpenMaxCalls);
      expect(results.filter((r) => r === 'error')).toHaveLength(0);
      expect(breaker.state).toBe('closed');
      expect(breaker.stats().halfOpenInFlight).toBe(0);
    },
  );

  it('late results from calls started before a transition never corrupt the state', async () => {
    const clock = new ManualClock(0);
    const breaker = new CircuitBreaker('late', {
      clock,
      window: { type: 'count', size: 100, minimumCalls: 10, failureRateThreshold: 0.5 },
      resetTimeoutMs: 50,
    });
    const gates: ((fail: boolean) => void)[] = [];
    const call = breaker.wrap(
      () =>
        new Promise<string>((resolve, reject) => {
          gates.push((fail) => (fail ? reject(new Error('late failure')) : resolve('late success')));
        }),
    );
    // 5,000 calls start in CLOSED...
    const early = Array.from({ length: 5000 }, () => call().catch(() => 'failed'));
    // ...the circuit is forced through open, half-open and back to a fresh CLOSED...
    breaker.forceOpen();
    breaker.reset();
    const windowBefore = breaker.stats().window;
    // ...and now they all fail at once: none of them may count in the new CLOSED window.
    for (const release of gates.splice(0)) release(true);
    await Promise.all(early);
    expect(breaker.state).toBe('closed');
    expect(breaker.stats().window).toEqual(windowBefore);
    expect(breaker.stats().totals.failures).toBe(5000);
  });

  it('interleaved successes and failures across many in-flight calls keep the window totals exact', async () => {
    const breaker = new CircuitBreaker('mix', { window: { type: 'count', size: 10_000, minimumCalls: 10_000, failureRateThreshold: 1 } });
    const call = breaker.wrap(async (i: number) => {
      await tick();
      if (i % 3 === 0) throw new Error('x');
      return i;
    });
    await Promise.all(Array.from({ length: 9999 }, (_, i) => call(i).catch(() => undefined)));
    expect(breaker.stats().window).toMatchObject({ calls: 9999, failures: 3333 });
  });
});
