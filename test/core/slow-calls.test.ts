import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from '../../src/index.js';
import { ManualClock } from '../support/clock.js';

/** A call that takes `ms` on the manual clock. */
function timedCall(breaker: CircuitBreaker, clock: ManualClock, ms: number) {
  return breaker.execute(() => {
    clock.advance(ms);
    return 'ok';
  });
}

describe.each([
  ['count', { type: 'count', size: 10, minimumCalls: 4 }],
  ['time', { type: 'time', durationMs: 10_000, buckets: 10, minimumCalls: 4 }],
] as const)('slow calls in a %s window', (_type, window) => {
  it('opens when the slow-call rate reaches slowCallRateThreshold', () => {
    const clock = new ManualClock(0);
    const breaker = new CircuitBreaker('api', { clock, window, slowCallThresholdMs: 100, slowCallRateThreshold: 0.5 });
    timedCall(breaker, clock, 10);
    timedCall(breaker, clock, 10);
    timedCall(breaker, clock, 150);
    expect(breaker.state).toBe('closed'); // 3 calls < minimumCalls
    timedCall(breaker, clock, 150);
    expect(breaker.state).toBe('open'); // 2 slow of 4
    expect(breaker.stats().window).toMatchObject({ calls: 4, slowCalls: 2, slowCallRate: 0.5, failures: 0 });
  });

  it('a call exactly at the threshold is not slow; slow calls alone never trip below the rate', () => {
    const clock = new ManualClock(0);
    const breaker = new CircuitBreaker('api', { clock, window, slowCallThresholdMs: 100, slowCallRateThreshold: 0.5 });
    for (let i = 0; i < 8; i++) timedCall(breaker, clock, i % 4 === 0 ? 101 : 100);
    expect(breaker.state).toBe('closed');
    expect(breaker.stats().window.slowCalls).toBe(2);
  });

  it('defaults slowCallRateThreshold to 1: only all-slow windows trip', () => {
    const clock = new ManualClock(0);
    const breaker = new CircuitBreaker('api', { clock, window, slowCallThresholdMs: 100 });
    for (let i = 0; i < 3; i++) timedCall(breaker, clock, 200);
    timedCall(breaker, clock, 1);
    expect(breaker.state).toBe('closed');
    const all = new CircuitBreaker('api2', { clock, window, slowCallThresholdMs: 100 });
    for (let i = 0; i < 4; i++) timedCall(all, clock, 200);
    expect(all.state).toBe('open');
  });
});

describe('slow calls elsewhere', () => {
  it('emit slowCall events and count in stats with the consecutive window, without tripping', () => {
    const clock = new ManualClock(0);
    const breaker = new CircuitBreaker('api', { clock, slowCallThresholdMs: 50 });
    const seen: number[] = [];
    breaker.on('slowCall', (event) => seen.push(event.durationMs));
    for (let i = 0; i < 10; i++) timedCall(breaker, clock, 80);
    expect(seen).toEqual(Array(10).fill(80));
    expect(breaker.state).toBe('closed');
    expect(breaker.stats().totals.slowCalls).toBe(10);
  });

  it('a slow trial in HALF_OPEN re-opens when slow calls can trip', () => {
    const clock = new ManualClock(0);
    const breaker = new CircuitBreaker('api', {
      clock,
      resetTimeoutMs: 100,
      window: { type: 'count', size: 4, minimumCalls: 1 },
      slowCallThresholdMs: 10,
      slowCallRateThreshold: 0.5,
    });
    timedCall(breaker, clock, 50);
    expect(breaker.state).toBe('open');
    clock.advance(100);
    timedCall(breaker, clock, 50);
    expect(breaker.state).toBe('open');
    clock.advance(100);
    timedCall(breaker, clock, 1);
    expect(breaker.state).toBe('closed');
  });
});
