import { describe, expect, it } from 'vitest';
import { CircuitBreaker, type CircuitOpenError } from '../../src/index.js';
import { boom } from '../support/clock.js';

describe('manual control', () => {
  it('forceOpen rejects every call with retryAfter Infinity until reset', () => {
    const breaker = new CircuitBreaker('api');
    breaker.forceOpen();
    expect(breaker.state).toBe('forced_open');
    let error: CircuitOpenError | undefined;
    try {
      breaker.execute(() => 1);
    } catch (e) {
      error = e as CircuitOpenError;
    }
    expect(error?.retryAfter).toBe(Number.POSITIVE_INFINITY);
    expect(error?.state).toBe('forced_open');
    breaker.reset();
    expect(breaker.execute(() => 1)).toBe(1);
  });

  it('forceClosed lets every call through and records nothing in the window', () => {
    const breaker = new CircuitBreaker('api', { failureThreshold: 1 });
    breaker.forceClosed();
    for (let i = 0; i < 10; i++) expect(() => breaker.execute(() => boom())).toThrow('boom');
    expect(breaker.state).toBe('forced_closed');
    expect(breaker.stats().window.calls).toBe(0);
    expect(breaker.stats().totals.failures).toBe(10);
  });

  it('disable lets every call through and records metrics, but never trips', () => {
    const breaker = new CircuitBreaker('api', { failureThreshold: 1 });
    const failures: unknown[] = [];
    breaker.on('failure', (e) => failures.push(e));
    breaker.disable();
    for (let i = 0; i < 10; i++) expect(() => breaker.execute(() => boom())).toThrow('boom');
    expect(breaker.state).toBe('disabled');
    expect(breaker.stats().window).toMatchObject({ calls: 10, failures: 10, consecutiveFailures: 10 });
    expect(failures).toHaveLength(10);
    breaker.reset();
    expect(breaker.stats().window.calls).toBe(0);
  });

  it('isolate holds the circuit open until every handle is released', () => {
    const breaker = new CircuitBreaker('api');
    const first = breaker.isolate();
    const second = breaker.isolate();
    expect(breaker.state).toBe('forced_open');
    first.release();
    first.release(); // idempotent
    expect(breaker.state).toBe('forced_open');
    second.release();
    expect(breaker.state).toBe('closed');
  });

  it('a manual call after isolate overrides it; stale handles do nothing', () => {
    const breaker = new CircuitBreaker('api');
    const handle = breaker.isolate();
    breaker.disable();
    handle.release();
    expect(breaker.state).toBe('disabled');
  });

  it('emits manual transitions with reason "manual"', () => {
    const breaker = new CircuitBreaker('api');
    const seen: string[] = [];
    breaker.on('stateChange', (e) => seen.push(`${e.from}->${e.to}:${e.reason}`));
    breaker.forceOpen();
    breaker.forceClosed();
    breaker.disable();
    breaker.reset();
    breaker.reset(); // closed -> closed is not news
    expect(seen).toEqual([
      'closed->forced_open:manual',
      'forced_open->forced_closed:manual',
      'forced_closed->disabled:manual',
      'disabled->closed:manual',
    ]);
  });
});
