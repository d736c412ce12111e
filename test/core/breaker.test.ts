import { describe, expect, it, vi } from 'vitest';
import {
  CircuitBreaker,
  CircuitOpenError,
  CircuitState,
  ErrorCode,
  isCircuitOpenError,
  isServiceException,
  ServiceException,
} from '../../src/index.js';
import { boom, deferred, ManualClock } from '../support/clock.js';

function tripped(clock = new ManualClock(), config = {}) {
  const breaker = new CircuitBreaker('db', { failureThreshold: 2, resetTimeoutMs: 1000, clock, ...config });
  const fail = breaker.wrap(() => boom());
  for (let i = 0; i < 2; i++) expect(() => fail()).toThrow('boom');
  return { breaker, clock };
}

describe('CircuitBreaker: the seed behaviours', () => {
  it('starts closed and passes calls through', () => {
    const breaker = new CircuitBreaker('db');
    expect(breaker.state).toBe(CircuitState.CLOSED);
    expect(breaker.name).toBe('db');
    expect(breaker.wrap((a: number, b: number) => a + b)(2, 3)).toBe(5);
  });

  it('opens after failureThreshold consecutive failures', () => {
    const breaker = new CircuitBreaker('db', { failureThreshold: 3 });
    const fail = breaker.wrap(() => boom());
    expect(() => fail()).toThrow('boom');
    expect(() => fail()).toThrow('boom');
    expect(breaker.state).toBe('closed');
    expect(() => fail()).toThrow('boom');
    expect(breaker.state).toBe('open');
  });

  it('a success resets the consecutive failure count', () => {
    const breaker = new CircuitBreaker('db', { failureThreshold: 2 });
    let ok = false;
    const call = breaker.wrap(() => (ok ? 'ok' : boom()));
    expect(() => call()).toThrow();
    ok = true;
    call();
    ok = false;
    expect(() => call()).toThrow();
    expect(breaker.state).toBe('closed');
  });

  it('rejects with CircuitOpenError carrying breakerName, code and retryAfter, without running fn', () => {
    const { breaker, clock } = tripped();
    const fn = vi.fn(() => 1);
    clock.advance(400);
    let caught: unknown;
    try {
      breaker.execute(fn);
    } catch (error) {
      caught = error;
    }
    expect(fn).not.toHaveBeenCalled();
    expect(caught).toBeInstanceOf(CircuitOpenError);
    expect(caught).toBeInstanceOf(ServiceException);
    expect(caught).toBeInstanceOf(Error);
    const error = caught as CircuitOpenError;
    expect(error.name).toBe('CircuitOpenError');
    expect(error.breakerName).toBe('db');
    expect(error.code).toBe(ErrorCode.CIRCUIT_OPEN);
    expect(error.retryAfter).toBe(600);
    expect(error.state).toBe('open');
    expect(isCircuitOpenError(error)).toBe(true);
    expect(isServiceException(error)).toBe(true);
  });

  it('runs the fallback with the error and the original arguments when rejected', () => {
    const fallback = vi.fn((error: unknown, id: string) => `cached ${id} (${(error as Error).name})`);
    const breaker = new CircuitBreaker('db', { fallback });
    breaker.forceOpen();
    const get = breaker.wrap((id: string) => `fresh ${id}`);
    expect(get('42')).toBe('cached 42 (CircuitOpenError)');
    expect(fallback).toHaveBeenCalledTimes(1);
  });

  it('runs the fallback when the call itself fails', () => {
    const breaker = new CircuitBreaker('db', { fallback: (error: unknown) => `fallback: ${(error as Error).message}` });
    expect(breaker.execute(() => boom('down'))).toBe('fallback: down');
  });

  it('moves OPEN to HALF_OPEN once resetTimeoutMs has passed, driven by the clock', () => {
    const { breaker, clock } = tripped();
    clock.advance(999);
    expect(() => breaker.checkState()).toThrow(CircuitOpenError);
    expect(breaker.state).toBe('open');
    clock.advance(1);
    expect(() => breaker.checkState()).not.toThrow();
    expect(breaker.state).toBe('half_open');
  });

  it('reading state never moves it: the transition happens on the next call or checkState()', () => {
    const { breaker, clock } = tripped();
    clock.advance(5000);
    expect(breaker.state).toBe('open');
    expect(breaker.execute(() => 'trial')).toBe('trial');
    expect(breaker.state).toBe('closed');
  });

  it('closes after successThreshold successful trials', () => {
    const { breaker, clock } = tripped(new ManualClock(), { successThreshold: 2 });
    clock.advance(1000);
    breaker.execute(() => 1);
    expect(breaker.state).toBe('half_open');
    breaker.execute(() => 1);
    expect(breaker.state).toBe('closed');
  });

  it('re-opens on a failed trial, with a fresh open duration', () => {
    const { breaker, clock } = tripped();
    clock.advance(1000);
    expect(() => breaker.execute(() => boom())).toThrow('boom');
    expect(breaker.state).toBe('open');
    clock.advance(999);
    expect(() => breaker.checkState()).toThrow(CircuitOpenError);
    clock.advance(1);
    breaker.checkState();
    expect(breaker.state).toBe('half_open');
  });

  it('reset() closes the circuit and forgets failures', () => {
    const { breaker } = tripped();
    breaker.reset();
    expect(breaker.state).toBe('closed');
    expect(breaker.stats().window.consecutiveFailures).toBe(0);
    expect(breaker.execute(() => 'ok')).toBe('ok');
  });
});

describe('half-open permits (the seed RLock, as async interleaving)', () => {
  it('lets at most halfOpenMaxCalls trials run at once; the rest are rejected', async () => {
    const { breaker, clock } = tripped(new ManualClock(), { halfOpenMaxCalls: 2 });
    clock.advance(1000);
    const gates = [deferred(), deferred()];
    let started = 0;
    const call = breaker.wrap(async () => {
      const gate = gates[started++];
      return gate?.promise;
    });
    const results = Array.from({ length: 10 }, () =>
      call().then(
        () => 'ok',
        (e: unknown) => (isCircuitOpenError(e) ? 'rejected' : 'other'),
      ),
    );
    expect(started).toBe(2);
    expect(breaker.stats().halfOpenInFlight).toBe(2);
    for (const gate of gates) gate.resolve(undefined);
    const outcomes = await Promise.all(results);
    expect(outcomes.filter((o) => o === 'ok')).toHaveLength(2);
    expect(outcomes.filter((o) => o === 'rejected')).toHaveLength(8);
    expect(breaker.state).toBe('closed');
  });

  it('a late result from a call started before a transition does not count in the new state', async () => {
    const breaker = new CircuitBreaker('db', { failureThreshold: 1 });
    const slow = deferred();
    const pending = breaker.execute(() => slow.promise);
    breaker.forceOpen();
    breaker.reset();
    slow.reject(new Error('late'));
    await expect(pending).rejects.toThrow('late');
    expect(breaker.state).toBe('closed');
    expect(breaker.stats().window.failures).toBe(0);
    expect(breaker.stats().totals.failures).toBe(1);
  });
});

describe('which errors count', () => {
  class NotFound extends Error {}
  class Timeout extends Error {}

  it('recordErrors as classes: only those errors count as failures', () => {
    const breaker = new CircuitBreaker('db', { failureThreshold: 1, recordErrors: [Timeout] });
    expect(() => breaker.execute(() => boom())).toThrow('boom');
    expect(breaker.state).toBe('closed');
    expect(() =>
      breaker.execute(() => {
        throw new Timeout('t');
      }),
    ).toThrow('t');
    expect(breaker.state).toBe('open');
  });

  it('recordErrors as a predicate', () => {
    const breaker = new CircuitBreaker('db', { failureThreshold: 1, recordErrors: (e) => (e as Error).message === 'count me' });
    expect(() => breaker.execute(() => boom('not me'))).toThrow();
    expect(breaker.state).toBe('closed');
    expect(() => breaker.execute(() => boom('count me'))).toThrow();
    expect(breaker.state).toBe('open');
  });

  it('ignoreErrors never count, even when recordErrors matches; the error still reaches the caller', () => {
    const fallback = vi.fn();
    const breaker = new CircuitBreaker('db', { failureThreshold: 1, recordErrors: [Error], ignoreErrors: [NotFound], fallback });
    expect(() =>
      breaker.execute(() => {
        throw new NotFound('nope');
      }),
    ).toThrow('nope');
    expect(breaker.state).toBe('closed');
    expect(fallback).not.toHaveBeenCalled();
    expect(breaker.stats().totals.ignored).toBe(1);
  });

  it('a predicate that throws counts the call as a failure and the original error reaches the caller', () => {
    const logger = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };
    const breaker = new CircuitBreaker('db', {
      failureThreshold: 1,
      logger,
      ignoreErrors: () => {
        throw new Error('predicate bug');
      },
    });
    expect(() => breaker.execute(() => boom('original'))).toThrow('original');
    expect(breaker.state).toBe('open');
    expect(logger.error).toHaveBeenCalled();
  });
});

describe('sync stays sync, async stays async', () => {
  it('a sync fn returns and throws directly, never a promise', () => {
    const breaker = new CircuitBreaker('db');
    const value = breaker.wrap(() => 7)();
    expect(value).toBe(7);
    expect(() => breaker.wrap(() => boom())()).toThrow('boom');
  });

  it('a sync fn on an open circuit throws synchronously', () => {
    const { breaker } = tripped();
    expect(() => breaker.wrap(() => 1)()).toThrow(CircuitOpenError);
  });

  it('an async function on an open circuit returns a rejected promise and never throws', async () => {
    const { breaker } = tripped();
    const call = breaker.wrap(async () => 1);
    let result: Promise<number> | undefined;
    expect(() => {
      result = call();
    }).not.toThrow();
    await expect(result).rejects.toBeInstanceOf(CircuitOpenError);
  });

  it('a plain function that has returned a promise before gets async rejections too', async () => {
    const breaker = new CircuitBreaker('db', { failureThreshold: 1 });
    const call = breaker.wrap(() => Promise.reject(new Error('down')));
    await expect(call()).rejects.toThrow('down');
    expect(breaker.state).toBe('open');
    await expect(call()).rejects.toBeInstanceOf(CircuitOpenError);
  });

  it('execute remembers functions that returned promises', async () => {
    const breaker = new CircuitBreaker('db', { failureThreshold: 1 });
    const fn = () => Promise.reject(new Error('down'));
    await expect(breaker.execute(fn)).rejects.toThrow('down');
    await expect(breaker.execute(fn)).rejects.toBeInstanceOf(CircuitOpenError);
  });

  it('wrapAsync always returns a promise, for rejections, sync throws and sync values', async () => {
    const breaker = new CircuitBreaker('db', { failureThreshold: 1 });
    const call = breaker.wrapAsync((x: number) => {
      if (x < 0) throw new Error('negative');
      return x;
    });
    await expect(call(2)).resolves.toBe(2);
    const failing = call(-1);
    expect(failing).toBeInstanceOf(Promise);
    await expect(failing).rejects.toThrow('negative');
    const rejected = call(1);
    expect(rejected).toBeInstanceOf(Promise);
    await expect(rejected).rejects.toBeInstanceOf(CircuitOpenError);
  });

  it('records a custom thenable when it settles', async () => {
    const breaker = new CircuitBreaker('db', { failureThreshold: 1 });
    // biome-ignore lint/suspicious/noThenProperty: a custom thenable is the subject of this test
    const thenable = { then: (_resolve: unknown, reject: (e: unknown) => void) => reject(new Error('thenable failed')) };
    await expect(breaker.execute(() => thenable)).rejects.toThrow('thenable failed');
    expect(breaker.state).toBe('open');
  });

  it('an async fallback value is returned as a promise', async () => {
    const breaker = new CircuitBreaker('db', { fallback: async () => 'fallback' });
    await expect(breaker.wrap(async () => boom())()).resolves.toBe('fallback');
  });

  it('passes this and arguments through', () => {
    const breaker = new CircuitBreaker('db');
    const counter = {
      base: 10,
      add: breaker.wrap(function (this: { base: number }, a: number, b: number) {
        return this.base + a + b;
      }),
    };
    expect(counter.add(1, 2)).toBe(13);
  });

  it('keeps the wrapped function name and length', () => {
    const breaker = new CircuitBreaker('db');
    function fetchUser(_id: string, _opts: object) {
      return 1;
    }
    const wrapped = breaker.wrap(fetchUser);
    expect(wrapped.name).toBe('fetchUser');
    expect(wrapped.length).toBe(2);
  });
});
