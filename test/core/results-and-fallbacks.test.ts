import { describe, expect, it, vi } from 'vitest';
import { CircuitBreaker, CircuitOpenError } from '../../src/index.js';
import { boom } from '../support/clock.js';

describe('isFailureResult', () => {
  it('counts a returned value as a failure without throwing; the value still reaches the caller', async () => {
    const breaker = new CircuitBreaker('http', { failureThreshold: 2, isFailureResult: (r) => (r as Response).status >= 500 });
    const failures: unknown[] = [];
    breaker.on('failure', (e) => failures.push(e.reason));
    const get = breaker.wrap(async (status: number) => new Response(null, { status }));
    expect((await get(503)).status).toBe(503);
    expect((await get(200)).status).toBe(200);
    await get(503);
    expect(breaker.state).toBe('closed');
    await get(500);
    expect(breaker.state).toBe('open');
    expect(failures).toEqual(['result', 'result', 'result']);
  });

  it('a classifier that throws counts the call as a failure, and the call still returns', () => {
    const logger = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };
    const breaker = new CircuitBreaker('http', {
      failureThreshold: 1,
      logger,
      isFailureResult: () => {
        throw new Error('classifier bug');
      },
    });
    expect(breaker.execute(() => 'value')).toBe('value');
    expect(breaker.state).toBe('open');
    expect(logger.error).toHaveBeenCalledTimes(1);
  });
});

describe('fallbacks', () => {
  it('receive why they run: CircuitOpenError or the fn error', () => {
    const reasons: string[] = [];
    const breaker = new CircuitBreaker('api', {
      failureThreshold: 1,
      fallback: (error) => {
        reasons.push((error as Error).name);
        return 'fallback';
      },
    });
    expect(breaker.execute(() => boom())).toBe('fallback');
    expect(breaker.execute(() => 'fresh')).toBe('fallback');
    expect(reasons).toEqual(['Error', 'CircuitOpenError']);
  });

  it('a fallback that throws surfaces its own error (sync and async), never undefined', async () => {
    const fallbackError = new Error('fallback failed too');
    const breaker = new CircuitBreaker('api', {
      fallback: () => {
        throw fallbackError;
      },
    });
    expect(() => breaker.execute(() => boom())).toThrow(fallbackError);
    await expect(breaker.execute(async () => boom())).rejects.toBe(fallbackError);
    breaker.forceOpen();
    expect(() => breaker.execute(() => 1)).toThrow(fallbackError);
    await expect(breaker.wrap(async () => 1)()).rejects.toBe(fallbackError);
  });

  it('a fallback that rejects surfaces its rejection', async () => {
    const breaker = new CircuitBreaker('api', { fallback: async () => Promise.reject(new Error('async fallback failed')) });
    breaker.forceOpen();
    await expect(breaker.wrap(async () => 1)()).rejects.toThrow('async fallback failed');
  });

  it('ignored errors skip the fallback and reach the caller', () => {
    const breaker = new CircuitBreaker('api', { ignoreErrors: [RangeError], fallback: () => 'fallback' });
    expect(() =>
      breaker.execute(() => {
        throw new RangeError('bad input');
      }),
    ).toThrow('bad input');
  });

  it('emit a fallback event', () => {
    const breaker = new CircuitBreaker('api', { fallback: () => 0 });
    const events: unknown[] = [];
    breaker.on('fallback', (e) => events.push(e.error));
    breaker.forceOpen();
    breaker.execute(() => 1);
    expect(events[0]).toBeInstanceOf(CircuitOpenError);
    expect(breaker.stats().totals.fallbacks).toBe(1);
  });
});

describe('a fn that never settles', () => {
  it('without callTimeoutMs holds only its own half-open permit; maxHalfOpenWaitMs frees the breaker', () => {
    let now = 0;
    const breaker = new CircuitBreaker('api', {
      failureThreshold: 1,
      resetTimeoutMs: 10,
      maxHalfOpenWaitMs: 100,
      clock: { now: () => now },
    });
    expect(() => breaker.execute(() => boom())).toThrow();
    now = 10;
    void breaker.execute(() => new Promise(() => {}));
    expect(() => breaker.checkState()).toThrow(CircuitOpenError);
    now = 110;
    expect(() => breaker.checkState()).toThrow(CircuitOpenError);
    expect(breaker.state).toBe('open');
    now = 200;
    expect(breaker.execute(() => 'ok')).toBe('ok');
  });
});
