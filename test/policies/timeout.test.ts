import { getEventListeners } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CallTimeoutError, ErrorCode, isCallTimeoutError } from '../../src/index.js';
import { type TimeoutOptions, timeout } from '../../src/policies/index.js';
import { deferred } from '../support/clock.js';

/** A fn that never settles on its own, but rejects with its signal's reason when it aborts (as fetch does). */
const hangUntilAborted = (signal: AbortSignal) =>
  new Promise<never>((_resolve, reject) => {
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });

describe('timeout options', () => {
  it.each<[string, unknown, ErrorConstructor, RegExp]>([
    ['no options', undefined, TypeError, /option "options" must be an object, got undefined/],
    ['a bare number', 100, TypeError, /option "options" must be an object, got 100/],
    ['an unknown key', { timeoutMs: 100, ms: 100 }, TypeError, /unknown option "ms"/],
    ['a missing timeoutMs', {}, TypeError, /"timeoutMs".*got undefined/],
    ['timeoutMs 0', { timeoutMs: 0 }, RangeError, /"timeoutMs" must be a number between 1 and 2147483647, got 0/],
    ['a negative timeoutMs', { timeoutMs: -5 }, RangeError, /"timeoutMs".*got -5/],
    ['timeoutMs NaN', { timeoutMs: Number.NaN }, RangeError, /"timeoutMs".*got NaN/],
    ['timeoutMs Infinity', { timeoutMs: Number.POSITIVE_INFINITY }, RangeError, /"timeoutMs".*got Infinity/],
    ['timeoutMs past the timer limit', { timeoutMs: 2 ** 31 }, RangeError, /"timeoutMs".*got 2147483648/],
    ['timeoutMs a string', { timeoutMs: '100' }, TypeError, /"timeoutMs".*got "100"/],
    ['an empty name', { timeoutMs: 100, name: '' }, RangeError, /"name" must not be empty/],
    ['a name that is not a string', { timeoutMs: 100, name: 7 }, TypeError, /"name" must be a string, got 7/],
  ])('rejects %s', (_label, options, ErrorType, message) => {
    expect(() => timeout(options as TimeoutOptions)).toThrow(ErrorType);
    expect(() => timeout(options as TimeoutOptions)).toThrow(message);
  });

  it('reports its limit and leaves the options alone', () => {
    const options = Object.freeze({ timeoutMs: 250 });
    expect(timeout(options).timeoutMs).toBe(250);
    expect(options).toEqual({ timeoutMs: 250 });
  });
});

describe('timeout', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('resolves with the value of a call that finishes in time and clears its timer', async () => {
    const limited = timeout({ timeoutMs: 100 });
    const result = limited.execute(async (a: number) => a * 2, 21);
    expect(vi.getTimerCount()).toBe(1);
    await expect(result).resolves.toBe(42);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('passes a failing call through with its own error and clears its timer', async () => {
    const limited = timeout({ timeoutMs: 100 });
    await expect(limited.execute(async () => Promise.reject(new Error('db down')))).rejects.toThrow('db down');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('aborts the inner signal with a CallTimeoutError and rejects with it once time is up', async () => {
    const limited = timeout({ timeoutMs: 100, name: 'users-api' });
    let seen: AbortSignal | undefined;
    const call = limited.wrapWithSignal((signal: AbortSignal) => {
      seen = signal;
      return hangUntilAborted(signal);
    });
    const outcome = call(undefined).catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(99);
    expect(seen?.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    const error = await outcome;
    expect(error).toBeInstanceOf(CallTimeoutError);
    expect(error).toMatchObject({ code: ErrorCode.CALL_TIMEOUT, timeoutMs: 100, breakerName: 'users-api' });
    expect(seen?.aborted).toBe(true);
    expect(seen?.reason).toBe(error);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rejects on time even when fn ignores its signal, and swallows its late result', async () => {
    const limited = timeout({ timeoutMs: 50 });
    const never = deferred();
    const outcome = limited.execute(() => never.promise).catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(50);
    expect(isCallTimeoutError(await outcome)).toBe(true);
    // A late rejection must not surface as an unhandled rejection (vitest fails the run if it does).
    never.reject(new Error('too late'));
    await vi.advanceTimersByTimeAsync(0);
  });

  it('gives every call its own signal: one call timing out never aborts another', async () => {
    const limited = timeout({ timeoutMs: 100 });
    const signals: AbortSignal[] = [];
    const slow = limited
      .executeWithSignal((signal) => {
        signals.push(signal);
        return hangUntilAborted(signal);
      }, undefined)
      .catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(60);
    const fast = deferred<string>();
    const second = limited.executeWithSignal((signal) => {
      signals.push(signal);
      return fast.promise;
    }, undefined);
    await vi.advanceTimersByTimeAsync(40);
    expect(isCallTimeoutError(await slow)).toBe(true);
    expect(signals[0]).not.toBe(signals[1]);
    expect(signals[1]?.aborted).toBe(false);
    fast.resolve('second ok');
    await expect(second).resolves.toBe('second ok');
  });

  it('reports a caller abort with the caller reason, never as a timeout, and cleans up', async () => {
    const limited = timeout({ timeoutMs: 1_000 });
    const controller = new AbortController();
    let seen: AbortSignal | undefined;
    const outcome = limited
      .executeWithSignal((signal) => {
        seen = signal;
        return hangUntilAborted(signal);
      }, controller.signal)
      .catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(10);
    const reason = new Error('user navigated away');
    controller.abort(reason);
    const error = await outcome;
    expect(error).toBe(reason);
    expect(isCallTimeoutError(error)).toBe(false);
    expect(seen?.reason).toBe(reason);
    expect(vi.getTimerCount()).toBe(0);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('removes its listener from the caller signal when the call finishes normally', async () => {
    const limited = timeout({ timeoutMs: 1_000 });
    const controller = new AbortController();
    const result = limited.executeWithSignal(async () => 'ok', controller.signal);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    await expect(result).resolves.toBe('ok');
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('rejects with the caller reason when fn aborts its own caller synchronously, and swallows its late rejection', async () => {
    const controller = new AbortController();
    const late = deferred();
    const outcome = timeout({ timeoutMs: 100 })
      .executeWithSignal(() => {
        controller.abort('self-abort');
        return late.promise;
      }, controller.signal)
      .catch((error: unknown) => error);
    expect(await outcome).toBe('self-abort');
    expect(vi.getTimerCount()).toBe(0);
    late.reject(new Error('late'));
    await vi.advanceTimersByTimeAsync(0);
  });

  it('never calls fn when the caller signal is already aborted', async () => {
    const fn = vi.fn(async () => 1);
    await expect(timeout({ timeoutMs: 10 }).executeWithSignal(fn, AbortSignal.abort('early'))).rejects.toBe('early');
    expect(fn).not.toHaveBeenCalled();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('starts no timer for a fn that returns a plain value or throws synchronously', async () => {
    const limited = timeout({ timeoutMs: 10 });
    const plain = limited.execute(() => 'sync');
    const thrown = limited.execute(() => {
      throw new Error('sync failure');
    });
    expect(vi.getTimerCount()).toBe(0);
    await expect(plain).resolves.toBe('sync');
    await expect(thrown).rejects.toThrow('sync failure');
  });

  it('rejects a signal argument that is not an AbortSignal, naming it', async () => {
    const limited = timeout({ timeoutMs: 10 });
    const fn = vi.fn(async () => 1);
    await expect(limited.executeWithSignal(fn, {} as AbortSignal)).rejects.toThrow(
      /signal must be an AbortSignal or undefined, got object Object/,
    );
    await expect(limited.wrapWithSignal(fn)('stop' as unknown as AbortSignal)).rejects.toThrow(TypeError);
    expect(fn).not.toHaveBeenCalled();
  });
});

describe('timeout timers', () => {
  it('unrefs its timer, so a pending call never keeps the process alive', async () => {
    const spy = vi.spyOn(globalThis, 'setTimeout');
    try {
      const gate = deferred<string>();
      const result = timeout({ timeoutMs: 60_000 }).execute(() => gate.promise);
      const timer = spy.mock.results.at(-1)?.value as NodeJS.Timeout;
      expect(timer.hasRef()).toBe(false);
      gate.resolve('done');
      await expect(result).resolves.toBe('done');
    } finally {
      spy.mockRestore();
    }
  });
});
