import { getEventListeners } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CircuitOpenError, isCircuitOpenError } from '../../src/index.js';
import { type RetryOptions, retry } from '../../src/policies/index.js';
import { deferred } from '../support/clock.js';

/** A sleep that resolves at once and records each requested wait. */
function recordingSleep() {
  const delays: number[] = [];
  const sleep = (ms: number) => {
    delays.push(ms);
    return Promise.resolve();
  };
  return { delays, sleep };
}

/** A fn that fails `failures` times with numbered errors, then returns 'ok'. */
function flaky(failures: number) {
  let calls = 0;
  const fn = vi.fn(async () => {
    calls++;
    if (calls <= failures) throw new Error(`fail ${calls}`);
    return 'ok';
  });
  return fn;
}

describe('retry options', () => {
  it.each<[string, unknown, ErrorConstructor, RegExp]>([
    ['options not an object', 'fast', TypeError, /option "options" must be an object, got "fast"/],
    ['an unknown key', { maxAttempt: 3 }, TypeError, /unknown option "maxAttempt"/],
    ['maxAttempts 0', { maxAttempts: 0 }, RangeError, /"maxAttempts" must be an integer >= 1, got 0/],
    ['maxAttempts fractional', { maxAttempts: 2.5 }, RangeError, /"maxAttempts".*got 2\.5/],
    ['maxAttempts Infinity', { maxAttempts: Number.POSITIVE_INFINITY }, RangeError, /"maxAttempts".*got Infinity/],
    ['maxAttempts null (not taken as the default)', { maxAttempts: null }, TypeError, /"maxAttempts".*got null/],
    ['maxAttempts a string', { maxAttempts: '3' }, TypeError, /"maxAttempts".*got "3"/],
    ['backoff not an object', { backoff: 100 }, TypeError, /"backoff" must be an object, got 100/],
    ['an unknown backoff key', { backoff: { delayMs: 100 } }, TypeError, /backoff: unknown option "delayMs"/],
    ['negative initialDelayMs', { backoff: { initialDelayMs: -1 } }, RangeError, /"backoff.initialDelayMs".*got -1/],
    ['NaN initialDelayMs', { backoff: { initialDelayMs: Number.NaN } }, RangeError, /"backoff.initialDelayMs".*got NaN/],
    ['multiplier below 1', { backoff: { multiplier: 0.5 } }, RangeError, /"backoff.multiplier".*got 0\.5/],
    [
      'maxDelayMs below initialDelayMs',
      { backoff: { initialDelayMs: 500, maxDelayMs: 100 } },
      RangeError,
      /"backoff.maxDelayMs".*between 500 and .*got 100/,
    ],
    ['maxDelayMs past the timer limit', { backoff: { maxDelayMs: 2 ** 31 } }, RangeError, /"backoff.maxDelayMs".*got 2147483648/],
    ['an unknown jitter word', { backoff: { jitter: 'half' } }, TypeError, /"backoff.jitter".*got "half"/],
    ['a jitter ratio above 1', { backoff: { jitter: 1.5 } }, RangeError, /"backoff.jitter".*got 1\.5/],
    ['retryOn not a function', { retryOn: true }, TypeError, /"retryOn" must be a function, got true/],
    ['retryCircuitOpen not a boolean', { retryCircuitOpen: 'yes' }, TypeError, /"retryCircuitOpen" must be a boolean, got "yes"/],
    ['sleep not a function', { sleep: 10 }, TypeError, /"sleep" must be a function, got 10/],
    ['random not a function', { random: 0.5 }, TypeError, /"random" must be a function, got 0\.5/],
  ])('rejects %s', (_label, options, ErrorType, message) => {
    expect(() => retry(options as RetryOptions)).toThrow(ErrorType);
    expect(() => retry(options as RetryOptions)).toThrow(message);
  });

  it('accepts no options at all, and never mutates the options it is given', async () => {
    expect(() => retry()).not.toThrow();
    const options = Object.freeze({ maxAttempts: 2, backoff: Object.freeze({ initialDelayMs: 0 }) });
    const policy = retry(options);
    await expect(policy.execute(flaky(1))).resolves.toBe('ok');
    expect(options).toEqual({ maxAttempts: 2, backoff: { initialDelayMs: 0 } });
  });

  it('ignores inherited keys, so a polluted prototype cannot set options', async () => {
    const options = Object.create({ maxAttempts: 1 }) as RetryOptions;
    const { sleep } = recordingSleep();
    const fn = flaky(2);
    await expect(retry({ ...options, sleep }).execute(fn)).resolves.toBe('ok');
    expect(fn).toHaveBeenCalledTimes(3);
  });
});

describe('retry attempts', () => {
  it('calls fn once when it succeeds', async () => {
    const fn = vi.fn(async (a: number, b: number) => a + b);
    await expect(retry().execute(fn, 2, 3)).resolves.toBe(5);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('retries until the fn succeeds, with the same arguments each time', async () => {
    const { sleep } = recordingSleep();
    const seen: unknown[][] = [];
    let calls = 0;
    const result = await retry({ maxAttempts: 5, sleep }).execute(
      async (...args: unknown[]) => {
        seen.push(args);
        if (++calls < 3) throw new Error('not yet');
        return 'done';
      },
      'a',
      1,
    );
    expect(result).toBe('done');
    expect(seen).toEqual([
      ['a', 1],
      ['a', 1],
      ['a', 1],
    ]);
  });

  it('gives up after maxAttempts and rejects with the last error', async () => {
    const { sleep } = recordingSleep();
    const fn = flaky(10);
    await expect(retry({ maxAttempts: 3, sleep }).execute(fn)).rejects.toThrow('fail 3');
    expect(fn).toHaveBeenCalledTimes(3);
  });

  it('never retries with maxAttempts 1', async () => {
    const { sleep, delays } = recordingSleep();
    const fn = flaky(1);
    await expect(retry({ maxAttempts: 1, sleep }).execute(fn)).rejects.toThrow('fail 1');
    expect(fn).toHaveBeenCalledTimes(1);
    expect(delays).toEqual([]);
  });

  it('retries a fn that throws synchronously, and always returns a promise', async () => {
    const { sleep } = recordingSleep();
    let calls = 0;
    const result = retry({ sleep }).execute(() => {
      if (++calls === 1) throw new Error('sync');
      return 7;
    });
    expect(result).toBeInstanceOf(Promise);
    await expect(result).resolves.toBe(7);
  });
});

describe('retry backoff', () => {
  it('waits 100, 200, 400 ms by default (exponential, no jitter)', async () => {
    const { sleep, delays } = recordingSleep();
    await expect(retry({ maxAttempts: 4, sleep }).execute(flaky(10))).rejects.toThrow('fail 4');
    expect(delays).toEqual([100, 200, 400]);
  });

  it('caps each wait at maxDelayMs', async () => {
    const { sleep, delays } = recordingSleep();
    const policy = retry({ maxAttempts: 5, sleep, backoff: { initialDelayMs: 100, multiplier: 10, maxDelayMs: 1_500 } });
    await expect(policy.execute(flaky(10))).rejects.toThrow('fail 5');
    expect(delays).toEqual([100, 1_000, 1_500, 1_500]);
  });

  it('waits the same with multiplier 1, and not at all with initialDelayMs 0', async () => {
    const constant = recordingSleep();
    await retry({ maxAttempts: 3, sleep: constant.sleep, backoff: { initialDelayMs: 50, multiplier: 1 } })
      .execute(flaky(10))
      .catch(() => {});
    expect(constant.delays).toEqual([50, 50]);
    const immediate = recordingSleep();
    await retry({ maxAttempts: 3, sleep: immediate.sleep, backoff: { initialDelayMs: 0 } })
      .execute(flaky(10))
      .catch(() => {});
    expect(immediate.delays).toEqual([0, 0]);
  });

  it('keeps full-jitter waits within [0, d] across the whole range of random', async () => {
    const randoms = [0, 0.25, 0.5, 0.999_999, 0, 0.999_999];
    const { sleep, delays } = recordingSleep();
    let i = 0;
    const policy = retry({
      maxAttempts: 7,
      sleep,
      random: () => randoms[i++ % randoms.length] ?? 0,
      backoff: { initialDelayMs: 100, maxDelayMs: 1_000, jitter: 'full' },
    });
    await expect(policy.execute(flaky(10))).rejects.toThrow();
    const ceilings = [100, 200, 400, 800, 1_000, 1_000];
    expect(delays).toHaveLength(6);
    delays.forEach((delay, index) => {
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThanOrEqual(ceilings[index] as number);
      expect(delay).toBeCloseTo((randoms[index] as number) * (ceilings[index] as number), 6);
    });
  });

  it('keeps ratio-jitter waits within [d(1 - r), d(1 + r)], capped at maxDelayMs', async () => {
    for (const r of [0, 0.999_999]) {
      const { sleep, delays } = recordingSleep();
      const policy = retry({
        maxAttempts: 5,
        sleep,
        random: () => r,
        backoff: { initialDelayMs: 100, maxDelayMs: 700, jitter: 0.5 },
      });
      await expect(policy.execute(flaky(10))).rejects.toThrow();
      const bases = [100, 200, 400, 700];
      delays.forEach((delay, index) => {
        const base = bases[index] as number;
        expect(delay).toBeGreaterThanOrEqual(base * 0.5 - 1e-9);
        expect(delay).toBeLessThanOrEqual(Math.min(base * 1.5, 700) + 1e-9);
      });
      if (r === 0) expect(delays).toEqual([50, 100, 200, 350]);
      else expect(delays[3]).toBe(700);
    }
  });

  it('clamps a wait when an injected random misbehaves (negative, above 1, NaN)', async () => {
    for (const value of [-5, 7, Number.NaN]) {
      const { sleep, delays } = recordingSleep();
      const policy = retry({
        maxAttempts: 2,
        sleep,
        random: () => value,
        backoff: { initialDelayMs: 100, maxDelayMs: 150, jitter: 'full' },
      });
      await expect(policy.execute(flaky(10))).rejects.toThrow();
      expect(delays[0]).toBeGreaterThanOrEqual(0);
      expect(delays[0]).toBeLessThanOrEqual(150);
    }
  });

  describe('on the default sleep (fake timers)', () => {
    beforeEach(() => {
      vi.useFakeTimers();
    });
    afterEach(() => {
      vi.useRealTimers();
    });

    it('makes the next attempt only once the wait has passed, and leaves no timer behind', async () => {
      const fn = flaky(2);
      const result = retry({ maxAttempts: 3 }).execute(fn);
      await vi.advanceTimersByTimeAsync(0);
      expect(fn).toHaveBeenCalledTimes(1);
      await vi.advanceTimersByTimeAsync(99);
      expect(fn).toHaveBeenCalledTimes(1);
      await vi.advanceTimersByTimeAsync(1);
      expect(fn).toHaveBeenCalledTimes(2);
      await vi.advanceTimersByTimeAsync(200);
      await expect(result).resolves.toBe('ok');
      expect(fn).toHaveBeenCalledTimes(3);
      expect(vi.getTimerCount()).toBe(0);
    });
  });
});

describe('retryOn', () => {
  it('is asked with the error and the 1-based attempt, and false stops with that error', async () => {
    const { sleep } = recordingSleep();
    const asked: [string, number][] = [];
    const retryOn = (error: unknown, attempt: number) => {
      asked.push([(error as Error).message, attempt]);
      return attempt < 2;
    };
    const fn = flaky(10);
    await expect(retry({ maxAttempts: 5, sleep, retryOn }).execute(fn)).rejects.toThrow('fail 2');
    expect(asked).toEqual([
      ['fail 1', 1],
      ['fail 2', 2],
    ]);
    expect(fn).toHaveBeenCalledTimes(2);
  });

  it('retries only on exactly true (a truthy non-boolean does not retry)', async () => {
    const { sleep } = recordingSleep();
    const fn = flaky(10);
    const retryOn = (() => 'yes') as unknown as () => boolean;
    await expect(retry({ maxAttempts: 5, sleep, retryOn }).execute(fn)).rejects.toThrow('fail 1');
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('stops and rejects with what a throwing retryOn threw', async () => {
    const { sleep } = recordingSleep();
    const fn = flaky(10);
    const retryOn = () => {
      throw new Error('predicate bug');
    };
    await expect(retry({ maxAttempts: 5, sleep, retryOn }).execute(fn)).rejects.toThrow('predicate bug');
    expect(fn).toHaveBeenCalledTimes(1);
  });
});

describe('retry and CircuitOpenError', () => {
  const open = () => new CircuitOpenError('db', 'open', 5_000);

  it('never retries a CircuitOpenError by default, even when retryOn says yes', async () => {
    const { sleep } = recordingSleep();
    const retryOn = vi.fn(() => true);
    const fn = vi.fn(async () => {
      throw open();
    });
    const rejection = await retry({ maxAttempts: 5, sleep, retryOn })
      .execute(fn)
      .catch((error: unknown) => error);
    expect(isCircuitOpenError(rejection)).toBe(true);
    expect(fn).toHaveBeenCalledTimes(1);
    expect(retryOn).not.toHaveBeenCalled();
  });

  it('retries a CircuitOpenError with retryCircuitOpen, still through retryOn', async () => {
    const { sleep } = recordingSleep();
    let calls = 0;
    const fn = vi.fn(async () => {
      if (++calls < 3) throw open();
      return 'closed again';
    });
    await expect(retry({ maxAttempts: 5, sleep, retryCircuitOpen: true }).execute(fn)).resolves.toBe('closed again');
    expect(fn).toHaveBeenCalledTimes(3);

    const refusing = vi.fn(async () => {
      throw open();
    });
    const retryOn = (error: unknown) => !isCircuitOpenError(error);
    await expect(retry({ maxAttempts: 5, sleep, retryCircuitOpen: true, retryOn }).execute(refusing)).rejects.toBeInstanceOf(
      CircuitOpenError,
    );
    expect(refusing).toHaveBeenCalledTimes(1);
  });
});

describe('retry and the caller signal', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('hands every attempt the caller signal and the arguments', async () => {
    const controller = new AbortController();
    const signals: AbortSignal[] = [];
    let calls = 0;
    const result = retry({ maxAttempts: 3, backoff: { initialDelayMs: 0 } }).executeWithSignal(
      async (signal, id: string) => {
        signals.push(signal);
        if (++calls < 2) throw new Error('again');
        return id;
      },
      controller.signal,
      'u1',
    );
    await expect(result).resolves.toBe('u1');
    expect(signals).toEqual([controller.signal, controller.signal]);
  });

  it('stops waiting when the caller aborts during a backoff wait, with the caller reason', async () => {
    const controller = new AbortController();
    const fn = flaky(10);
    const result = retry({ maxAttempts: 5, backoff: { initialDelayMs: 1_000 } }).executeWithSignal(fn, controller.signal);
    const outcome = result.catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(500);
    const reason = new Error('user left');
    controller.abort(reason);
    expect(await outcome).toBe(reason);
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('stops waiting on abort even when an injected sleep ignores the signal', async () => {
    const controller = new AbortController();
    const fn = flaky(10);
    const never = new Promise<void>(() => {});
    const result = retry({ maxAttempts: 5, sleep: () => never }).executeWithSignal(fn, controller.signal);
    const outcome = result.catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(0);
    controller.abort('cancelled');
    expect(await outcome).toBe('cancelled');
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('rejects at once with the caller reason when it aborts during an attempt that ignores the signal', async () => {
    const controller = new AbortController();
    const hanging = deferred<string>();
    const fn = vi.fn(() => hanging.promise);
    const outcome = retry({ maxAttempts: 5 })
      .executeWithSignal(fn, controller.signal)
      .catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(0);
    controller.abort('stop');
    expect(await outcome).toBe('stop');
    hanging.reject(new Error('late failure'));
    await vi.advanceTimersByTimeAsync(10_000);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('reports the caller reason, not the attempt error the abort caused', async () => {
    const controller = new AbortController();
    const fn = vi.fn(
      (signal: AbortSignal) =>
        new Promise((_resolve, reject) => {
          signal.addEventListener('abort', () => reject(new DOMException('The operation was aborted', 'AbortError')), { once: true });
        }),
    );
    const outcome = retry({ maxAttempts: 5 })
      .executeWithSignal(fn, controller.signal)
      .catch((error: unknown) => error);
    const reason = new Error('navigation');
    controller.abort(reason);
    expect(await outcome).toBe(reason);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('removes its listeners from the caller signal after every wait and attempt', async () => {
    const controller = new AbortController();
    const fn = flaky(2);
    const result = retry({ maxAttempts: 3 }).executeWithSignal(fn, controller.signal);
    await vi.advanceTimersByTimeAsync(50);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(300);
    await expect(result).resolves.toBe('ok');
    expect(fn).toHaveBeenCalledTimes(3);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('never calls fn when the caller signal is already aborted', async () => {
    const fn = vi.fn(async () => 'x');
    await expect(retry().executeWithSignal(fn, AbortSignal.abort('gone'))).rejects.toBe('gone');
    expect(fn).not.toHaveBeenCalled();
  });
});
