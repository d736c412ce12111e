import { afterEach, describe, expect, it, vi } from 'vitest';
import { CircuitBreaker, openDurationMs } from '../../src/index.js';
import { boom, deferred, ManualClock } from '../support/clock.js';

function failTrial(breaker: CircuitBreaker) {
  expect(() => breaker.execute(() => boom())).toThrow();
}

describe('backoff of the open duration', () => {
  it('grows by the multiplier on each consecutive re-open, capped, and falls back after a close', () => {
    const clock = new ManualClock(0);
    const breaker = new CircuitBreaker('api', {
      clock,
      failureThreshold: 1,
      resetTimeoutMs: 100,
      backoff: { multiplier: 2, maxResetTimeoutMs: 500 },
    });
    const openDurations: number[] = [];
    breaker.on('stateChange', ({ to }) => {
      if (to === 'open') openDurations.push((breaker.stats().nextAttemptAt ?? 0) - clock.now());
    });
    failTrial(breaker); // trip: 100
    for (let i = 0; i < 4; i++) {
      clock.advance(openDurations.at(-1) ?? 0);
      failTrial(breaker); // half-open trial fails: 200, 400, 500, 500
    }
    expect(openDurations).toEqual([100, 200, 400, 500, 500]);
    clock.advance(500);
    breaker.execute(() => 'ok'); // closes
    failTrial(breaker);
    expect(openDurations.at(-1)).toBe(100);
  });

  it('full jitter picks within [0, d]; ratio jitter within d x (1 ± r), capped at the maximum', () => {
    const backoff = { multiplier: 2, maxResetTimeoutMs: 10_000 };
    for (let i = 0; i < 1000; i++) {
      const full = openDurationMs(1000, { ...backoff, jitter: 'full' }, 2);
      expect(full).toBeGreaterThanOrEqual(0);
      expect(full).toBeLessThanOrEqual(4000);
      const ratio = openDurationMs(1000, { ...backoff, jitter: 0.25 }, 2);
      expect(ratio).toBeGreaterThanOrEqual(3000);
      expect(ratio).toBeLessThanOrEqual(5000);
      const capped = openDurationMs(1000, { ...backoff, jitter: 0.5 }, 10);
      expect(capped).toBeLessThanOrEqual(10_000);
      expect(capped).toBeGreaterThanOrEqual(5000);
    }
    expect(openDurationMs(1000, { ...backoff, jitter: 'full' }, 0, () => 0.5)).toBe(500);
    expect(openDurationMs(1000, { ...backoff, jitter: 0.1 }, 0, () => 1)).toBeCloseTo(1100);
  });
});

describe('maxHalfOpenWaitMs', () => {
  it('re-opens when trial calls never finish, instead of staying HALF_OPEN forever (resilience4j #935)', () => {
    const clock = new ManualClock(0);
    const breaker = new CircuitBreaker('api', { clock, failureThreshold: 1, resetTimeoutMs: 100, maxHalfOpenWaitMs: 1000 });
    failTrial(breaker);
    clock.advance(100);
    const hung = breaker.execute(() => new Promise(() => {}));
    expect(hung).toBeInstanceOf(Promise);
    expect(breaker.state).toBe('half_open');
    clock.advance(999);
    expect(() => breaker.checkState()).toThrow();
    expect(breaker.state).toBe('half_open');
    clock.advance(1);
    expect(() => breaker.checkState()).toThrow();
    expect(breaker.state).toBe('open');
    clock.advance(200); // the re-open backs off like a failed trial: 100 ms base, no backoff configured
    expect(breaker.execute(() => 'ok')).toBe('ok');
    expect(breaker.state).toBe('closed');
  });

  it('lets no extra call slip through during the OPEN to HALF_OPEN switch (resilience4j #1432)', async () => {
    const clock = new ManualClock(0);
    const breaker = new CircuitBreaker('api', { clock, failureThreshold: 1, resetTimeoutMs: 100, halfOpenMaxCalls: 3 });
    failTrial(breaker);
    clock.advance(100);
    const gate = deferred();
    let ran = 0;
    const call = breaker.wrap(async () => {
      ran++;
      return gate.promise;
    });
    const calls = Array.from({ length: 1000 }, () => call().catch(() => 'rejected'));
    expect(ran).toBe(3);
    gate.resolve('done');
    const results = await Promise.all(calls);
    expect(results.filter((r) => r === 'done')).toHaveLength(3);
  });
});

describe('autoTransition', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('is off by default: no timer, the move happens on the next call', () => {
    vi.useFakeTimers();
    const breaker = new CircuitBreaker('api', { failureThreshold: 1 });
    failTrial(breaker);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('moves OPEN to HALF_OPEN on a timer and emits the event; the timer is cleared by any other transition', async () => {
    vi.useFakeTimers({ now: 0 });
    const breaker = new CircuitBreaker('api', { failureThreshold: 1, resetTimeoutMs: 1000, autoTransition: true });
    const changes: string[] = [];
    breaker.on('stateChange', ({ from, to }) => changes.push(`${from}->${to}`));
    failTrial(breaker);
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(breaker.state).toBe('half_open');
    expect(changes).toEqual(['closed->open', 'open->half_open']);
    expect(vi.getTimerCount()).toBe(0);
    failTrial(breaker);
    expect(vi.getTimerCount()).toBe(1);
    breaker.reset();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('its timer does not keep the process alive (unref)', () => {
    const breaker = new CircuitBreaker('api', { failureThreshold: 1, resetTimeoutMs: 60_000, autoTransition: true });
    failTrial(breaker);
    const handle = (breaker as unknown as { rare: { autoTransitionTimer: NodeJS.Timeout } }).rare.autoTransitionTimer;
    expect(handle.hasRef()).toBe(false);
    breaker.reset();
  });
});
