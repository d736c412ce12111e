import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CallTimeoutError, CircuitBreaker, ErrorCode, isCallTimeoutError } from '../../src/index.js';
import { deferred } from '../support/clock.js';

/** A fn that never settles on its own, but rejects when its signal aborts (as fetch does). */
const hangUntilAborted = (signal: AbortSignal) =>
  new Promise<never>((_resolve, reject) => {
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });

describe('callTimeoutMs with cancellation', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('rejects with CallTimeoutError, aborts the signal with it, and counts a failure', async () => {
    const breaker = new CircuitBreaker('api', { callTimeoutMs: 100, failureThreshold: 1 });
    let seenSignal: AbortSignal | undefined;
    const call = breaker.wrapWithSignal((signal) => {
      seenSignal = signal;
      return hangUntilAborted(signal);
    });
    const result = call(undefined);
    const outcome = expect(result).rejects.toBeInstanceOf(CallTimeoutError);
    await vi.advanceTimersByTimeAsync(100);
    await outcome;
    expect(seenSignal?.aborted).toBe(true);
    expect(isCallTimeoutError(seenSignal?.reason)).toBe(true);
    expect((seenSignal as AbortSignal).reason as CallTimeoutError).toMatchObject({ code: ErrorCode.CALL_TIMEOUT });
    expect(breaker.state).toBe('open');
    expect(breaker.stats().totals).toMatchObject({ timeouts: 1, failures: 1 });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('times out a plain wrapped async fn too (which cannot see a signal)', async () => {
    const breaker = new CircuitBreaker('api', { callTimeoutMs: 50 });
    const never = deferred();
    const result = breaker.wrap(() => never.promise)();
    const outcome = expect(result).rejects.toBeInstanceOf(CallTimeoutError);
    await vi.advanceTimersByTimeAsync(50);
    await outcome;
  });

  it('clears the timer when the call settles first', async () => {
    const breaker = new CircuitBreaker('api', { callTimeoutMs: 1000 });
    await expect(breaker.wrapWithSignal(async () => 'fast')(undefined)).resolves.toBe('fast');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('one AbortController per call: a timeout aborts only its own call (opossum #780)', async () => {
    const breaker = new CircuitBreaker('api', { callTimeoutMs: 100 });
    const signals: AbortSignal[] = [];
    const gate = deferred<string>();
    const call = breaker.wrapWithSignal((signal, slow: boolean) => {
      signals.push(signal);
      return slow ? hangUntilAborted(signal) : gate.promise;
    });
    const slow = call(undefined, true);
    const slowOutcome = expect(slow).rejects.toBeInstanceOf(CallTimeoutError);
    await vi.advanceTimersByTimeAsync(60);
    const fast = call(undefined, false);
    await vi.advanceTimersByTimeAsync(40);
    await slowOutcome;
    expect(signals[0]?.aborted).toBe(true);
    expect(signals[1]?.aborted).toBe(false);
    gate.resolve('fine');
    await expect(fast).resolves.toBe('fine');
  });

  it('an outer abort rejects with the caller reason, is not a failure, and is not reported as a timeout (cockatiel #99)', async () => {
    const breaker = new CircuitBreaker('api', { callTimeoutMs: 1000, failureThreshold: 1 });
    const timeouts: unknown[] = [];
    breaker.on('timeout', (event) => timeouts.push(event));
    const controller = new AbortController();
    let inner: AbortSignal | undefined;
    const result = breaker.executeWithSignal((signal) => {
      inner = signal;
      return hangUntilAborted(signal);
    }, controller.signal);
    const reason = new Error('user navigated away');
    controller.abort(reason);
    await expect(result).rejects.toBe(reason);
    expect(inner?.reason).toBe(reason);
    expect(timeouts).toEqual([]);
    expect(breaker.state).toBe('closed');
    expect(breaker.stats().totals).toMatchObject({ failures: 0, timeouts: 0, ignored: 1 });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('an already-aborted outer signal rejects at once without running fn', async () => {
    const breaker = new CircuitBreaker('api');
    const fn = vi.fn(async () => 1);
    const reason = new Error('gone');
    await expect(breaker.executeWithSignal(fn, AbortSignal.abort(reason))).rejects.toBe(reason);
    expect(fn).not.toHaveBeenCalled();
  });

  it('an outer abort releases the half-open permit', async () => {
    const breaker = new CircuitBreaker('api', { failureThreshold: 1, resetTimeoutMs: 0 });
    expect(() =>
      breaker.execute(() => {
        throw new Error('x');
      }),
    ).toThrow();
    const controller = new AbortController();
    const trial = breaker.executeWithSignal((signal) => hangUntilAborted(signal), controller.signal);
    expect(breaker.stats().halfOpenInFlight).toBe(1);
    controller.abort();
    await expect(trial).rejects.toThrow();
    expect(breaker.state).toBe('half_open');
    expect(breaker.stats().halfOpenInFlight).toBe(0);
    await expect(breaker.executeWithSignal(async () => 'ok', undefined)).resolves.toBe('ok');
    expect(breaker.state).toBe('closed');
  });

  it('the fallback runs with the CallTimeoutError', async () => {
    const breaker = new CircuitBreaker('api', { callTimeoutMs: 10, fallback: (error) => (isCallTimeoutError(error) ? 'stale' : 'other') });
    const result = breaker.wrapWithSignal(hangUntilAborted)(undefined);
    await vi.advanceTimersByTimeAsync(10);
    await expect(result).resolves.toBe('stale');
  });

  it('removes its abort listener from the outer signal after each call: no leak over 100,000 calls (cockatiel #81)', async () => {
    vi.useRealTimers();
    const breaker = new CircuitBreaker('api', { callTimeoutMs: 60_000 });
    const outer = new AbortController();
    let added = 0;
    let removed = 0;
    const add = outer.signal.addEventListener.bind(outer.signal);
    const remove = outer.signal.removeEventListener.bind(outer.signal);
    outer.signal.addEventListener = ((...args: Parameters<typeof add>) => {
      added++;
      return add(...args);
    }) as typeof add;
    outer.signal.removeEventListener = ((...args: Parameters<typeof remove>) => {
      removed++;
      return remove(...args);
    }) as typeof remove;
    const warnings: unknown[] = [];
    const onWarning = (warning: unknown) => warnings.push(warning);
    process.on('warning', onWarning);
    const call = breaker.wrapWithSignal(async (_signal, i: number) => i);
    for (let i = 0; i < 100_000; i++) await call(outer.signal, i);
    process.off('warning', onWarning);
    expect(added).toBe(100_000);
    expect(removed).toBe(100_000);
    expect(warnings).toEqual([]);
  });

  it('rejects a signal argument that is not an AbortSignal', async () => {
    const breaker = new CircuitBreaker('api');
    await expect(breaker.wrapWithSignal(async () => 1)('nope' as never)).rejects.toThrow(/signal must be an AbortSignal/);
  });
});
