import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConsecutiveWindow } from '../../src/core/windows/consecutive.js';
import { CountWindow } from '../../src/core/windows/count.js';
import { TimeWindow } from '../../src/core/windows/time.js';
import { Outcome } from '../../src/core/windows/window.js';
import { CircuitBreaker } from '../../src/index.js';
import { boom, ManualClock } from '../support/clock.js';

const rule = { minimumCalls: 4, failureRateThreshold: 0.5, slowCallRateThreshold: undefined };
const outcomeArb = fc.constantFrom(Outcome.SUCCESS, Outcome.FAILURE, Outcome.SLOW_SUCCESS);

describe('consecutive window', () => {
  it('trips at the threshold and resets on any success', () => {
    const window = new ConsecutiveWindow(3);
    expect(window.record(Outcome.FAILURE, 0)).toBe(false);
    expect(window.record(Outcome.FAILURE, 0)).toBe(false);
    expect(window.record(Outcome.SLOW_SUCCESS, 0)).toBe(false);
    expect(window.record(Outcome.FAILURE, 0)).toBe(false);
    expect(window.record(Outcome.FAILURE, 0)).toBe(false);
    expect(window.record(Outcome.FAILURE, 0)).toBe(true);
    expect(window.counts(0)).toEqual({ calls: 6, failures: 5, slowCalls: 1, consecutiveFailures: 3 });
  });
});

describe('count window', () => {
  it('waits for minimumCalls, then trips when the failure rate reaches the threshold', () => {
    const breaker = new CircuitBreaker('api', { window: { type: 'count', size: 10, minimumCalls: 4, failureRateThreshold: 0.5 } });
    const ok = breaker.wrap(() => 'ok');
    const fail = breaker.wrap(() => boom());
    for (let i = 0; i < 3; i++) expect(() => fail()).toThrow();
    expect(breaker.state).toBe('closed'); // 3 calls < minimumCalls, though all failed
    ok();
    expect(breaker.state).toBe('open'); // 3 failures of 4 calls >= 50%
  });

  it('stays closed while the failure rate is under the threshold, whatever the volume', () => {
    const breaker = new CircuitBreaker('api', { window: { type: 'count', size: 100, minimumCalls: 10, failureRateThreshold: 0.5 } });
    const ok = breaker.wrap(() => 'ok');
    const fail = breaker.wrap(() => boom());
    for (let i = 0; i < 1000; i++) {
      if (i % 10 === 0) expect(() => fail()).toThrow();
      else ok();
    }
    expect(breaker.state).toBe('closed');
    expect(breaker.stats().window).toMatchObject({ calls: 100, failures: 10, failureRate: 0.1 });
  });

  it('agrees with a naive model of the last N calls (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.array(outcomeArb, { maxLength: 200 }), (size, outcomes) => {
        const window = new CountWindow(size, rule);
        const seen: number[] = [];
        for (const outcome of outcomes) {
          const tripped = window.record(outcome, 0);
          seen.push(outcome);
          const last = seen.slice(-size);
          const failures = last.filter((o) => o === Outcome.FAILURE).length;
          const slow = last.filter((o) => o === Outcome.SLOW_SUCCESS).length;
          expect(window.counts(0)).toEqual({ calls: last.length, failures, slowCalls: slow, consecutiveFailures: 0 });
          expect(tripped).toBe(last.length >= rule.minimumCalls && failures / last.length >= rule.failureRateThreshold);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('snapshot and restore keep the outcomes in order', () => {
    const window = new CountWindow(3, rule);
    for (const o of [Outcome.FAILURE, Outcome.SUCCESS, Outcome.SLOW_SUCCESS, Outcome.FAILURE]) window.record(o, 0);
    const copy = new CountWindow(3, rule);
    expect(copy.restore(window.snapshot())).toBe(true);
    expect(copy.snapshot()).toEqual(window.snapshot());
    expect(copy.snapshot()).toEqual({ type: 'count', size: 3, outcomes: [Outcome.SUCCESS, Outcome.SLOW_SUCCESS, Outcome.FAILURE] });
    expect(new CountWindow(4, rule).restore(window.snapshot())).toBe(false);
  });
});

describe('time window', () => {
  it('drops calls older than durationMs, lazily, with no timer', () => {
    const window = new TimeWindow(1000, 10, rule);
    window.record(Outcome.FAILURE, 0);
    window.record(Outcome.FAILURE, 500);
    expect(window.counts(999).calls).toBe(2);
    expect(window.counts(1000).calls).toBe(1); // the bucket of t=0 left the window
    expect(window.counts(1500).calls).toBe(0);
  });

  it('agrees with a naive model of calls in the last buckets (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(outcomeArb, fc.integer({ min: 0, max: 400 })), { maxLength: 200 }),
        fc.integer({ min: 1, max: 8 }),
        (steps, buckets) => {
          const durationMs = buckets * 100;
          const window = new TimeWindow(durationMs, buckets, rule);
          const seen: { bucket: number; outcome: number }[] = [];
          let now = 0;
          for (const [outcome, gap] of steps) {
            now += gap;
            const bucket = Math.floor(now / 100);
            const tripped = window.record(outcome, now);
            seen.push({ bucket, outcome });
            const live = seen.filter((s) => s.bucket > bucket - buckets);
            const failures = live.filter((s) => s.outcome === Outcome.FAILURE).length;
            const slow = live.filter((s) => s.outcome === Outcome.SLOW_SUCCESS).length;
            expect(window.counts(now)).toEqual({ calls: live.length, failures, slowCalls: slow, consecutiveFailures: 0 });
            expect(tripped).toBe(live.length >= rule.minimumCalls && failures / live.length >= 0.5);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a clock that steps backwards records into the newest bucket', () => {
    const window = new TimeWindow(1000, 10, rule);
    window.record(Outcome.FAILURE, 5000);
    window.record(Outcome.FAILURE, 100);
    expect(window.counts(5000).calls).toBe(2);
  });

  it('costs O(1) per call: a jump of many windows clears in one step', () => {
    const window = new TimeWindow(1000, 10, rule);
    window.record(Outcome.FAILURE, 0);
    window.record(Outcome.SUCCESS, 1e12);
    expect(window.counts(1e12)).toEqual({ calls: 1, failures: 0, slowCalls: 0, consecutiveFailures: 0 });
  });

  it('trips a breaker on the failure rate of the last durationMs', () => {
    const clock = new ManualClock(0);
    const breaker = new CircuitBreaker('api', {
      clock,
      window: { type: 'time', durationMs: 10_000, buckets: 10, minimumCalls: 4, failureRateThreshold: 0.5 },
    });
    const ok = breaker.wrap(() => 'ok');
    const fail = breaker.wrap(() => boom());
    for (let i = 0; i < 3; i++) expect(() => fail()).toThrow();
    clock.advance(10_000); // those three failures age out
    ok();
    ok();
    ok();
    expect(() => fail()).toThrow();
    expect(breaker.state).toBe('closed'); // 1 of 4
    expect(() => fail()).toThrow();
    expect(() => fail()).toThrow();
    expect(breaker.state).toBe('open'); // 3 of 6
  });
});

describe('window regressions found by the model tests', () => {
  it('a time window cleared and refilled in the same bucket snapshots that bucket (not -1)', () => {
    const window = new TimeWindow(1000, 10, rule);
    window.record(Outcome.FAILURE, 5000);
    window.clear();
    window.record(Outcome.FAILURE, 5050);
    const copy = new TimeWindow(1000, 10, rule);
    expect(copy.restore(window.snapshot())).toBe(true);
    expect(copy.counts(5050).calls).toBe(1);
    const clock = new ManualClock(5050);
    const initialState = { version: 1, name: 't', state: 'closed', since: 0, window: window.snapshot() } as const;
    expect(new CircuitBreaker('t', { clock, initialState, window: { type: 'time', durationMs: 1000 } }).stats().window.calls).toBe(1);
  });
});
