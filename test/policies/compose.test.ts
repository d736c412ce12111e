import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CallTimeoutError, CircuitBreaker, CircuitOpenError, isCallTimeoutError, isCircuitOpenError } from '../../src/index.js';
import { bulkhead, compose, type PolicyStage, retry, timeout } from '../../src/policies/index.js';

/** A stage that logs when a call enters and leaves it, and which signal it got. */
function recorder(name: string, log: string[]): PolicyStage {
  return {
    executeWithSignal(fn, signal, ...args) {
      log.push(`${name}:in`);
      return Promise.resolve(fn(signal ?? new AbortController().signal, ...args)).finally(() => log.push(`${name}:out`)) as never;
    },
  };
}

const hangUntilAborted = (signal: AbortSignal) =>
  new Promise<never>((_resolve, reject) => {
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });

describe('compose arguments', () => {
  it('needs at least one stage', () => {
    expect(() => compose()).toThrow(RangeError);
    expect(() => compose()).toThrow(/compose\(\) needs at least one policy or breaker, got none/);
  });

  it.each<[string, unknown, RegExp]>([
    ['undefined', undefined, /argument 1 must be a policy or a CircuitBreaker.*got undefined/],
    ['a plain function', () => 1, /argument 1 .*got function/],
    ['an object without executeWithSignal', { execute: () => 1 }, /argument 1 .*got object Object/],
    ['null', null, /argument 1 .*got null/],
  ])('rejects a stage that is %s, naming its position', (_label, stage, message) => {
    expect(() => compose(retry(), stage as PolicyStage)).toThrow(TypeError);
    expect(() => compose(retry(), stage as PolicyStage)).toThrow(message);
  });

  it('keeps its own copy of the stages', async () => {
    const log: string[] = [];
    const stages = [recorder('a', log)];
    const policy = compose(...stages);
    stages.push(recorder('b', log));
    await policy.execute(async () => 'x');
    expect(log).toEqual(['a:in', 'a:out']);
  });
});

describe('compose order', () => {
  it('runs the first stage outermost and the last one around fn', async () => {
    const log: string[] = [];
    const policy = compose(recorder('a', log), recorder('b', log), recorder('c', log));
    await expect(
      policy.execute(async (x: number) => {
        log.push(`fn(${x})`);
        return x + 1;
      }, 1),
    ).resolves.toBe(2);
    expect(log).toEqual(['a:in', 'b:in', 'c:in', 'fn(1)', 'c:out', 'b:out', 'a:out']);
  });

  it('retry outside the stages repeats them all on each attempt', async () => {
    const log: string[] = [];
    let calls = 0;
    const policy = compose(retry({ maxAttempts: 3, backoff: { initialDelayMs: 0 } }), recorder('inner', log));
    await policy.execute(async () => {
      log.push('fn');
      if (++calls < 3) throw new Error('again');
      return 'ok';
    });
    expect(log).toEqual(['inner:in', 'fn', 'inner:out', 'inner:in', 'fn', 'inner:out', 'inner:in', 'fn', 'inner:out']);
  });

  it('passes the arguments down, so an inner breaker fallback sees them', async () => {
    const breaker = new CircuitBreaker('users', { fallback: (_error: unknown, id: unknown) => `cached ${String(id)}` });
    const policy = compose(retry({ maxAttempts: 1 }), breaker);
    const getUser = policy.wrap(async (id: string): Promise<string> => {
      throw new Error(`no ${id}`);
    });
    await expect(getUser('42')).resolves.toBe('cached 42');
  });

  it('nests: a composed policy is a stage of another', async () => {
    const log: string[] = [];
    const inner = compose(recorder('b', log), recorder('c', log));
    await compose(recorder('a', log), inner).execute(async () => log.push('fn'));
    expect(log).toEqual(['a:in', 'b:in', 'c:in', 'fn', 'c:out', 'b:out', 'a:out']);
  });
});

describe('compose signal flow', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('with retry outside timeout, gives each attempt its own time limit and signal', async () => {
    const signals: AbortSignal[] = [];
    const policy = compose(retry({ maxAttempts: 3, backoff: { initialDelayMs: 0 } }), timeout({ timeoutMs: 100 }));
    const outcome = policy
      .executeWithSignal((signal) => {
        signals.push(signal);
        return hangUntilAborted(signal);
      }, undefined)
      .catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(300);
    expect(isCallTimeoutError(await outcome)).toBe(true);
    expect(signals).toHaveLength(3);
    expect(new Set(signals).size).toBe(3);
    expect(signals.every((signal) => isCallTimeoutError(signal.reason))).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('with timeout outside retry, limits all the attempts together', async () => {
    const fn = vi.fn(async () => {
      throw new Error('flaky');
    });
    const policy = compose(timeout({ timeoutMs: 250 }), retry({ maxAttempts: 10, backoff: { initialDelayMs: 100, multiplier: 1 } }));
    const outcome = policy.execute(fn).catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(250);
    expect(isCallTimeoutError(await outcome)).toBe(true);
    // Attempts at 0, 100 and 200 ms; the timeout aborted the retry's wait at 250 ms.
    expect(fn).toHaveBeenCalledTimes(3);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(fn).toHaveBeenCalledTimes(3);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('carries a caller abort through retry, breaker and timeout to fn, with the caller reason, uncounted', async () => {
    const breaker = new CircuitBreaker('api', { failureThreshold: 1 });
    const policy = compose(retry({ maxAttempts: 5 }), breaker, timeout({ timeoutMs: 1_000 }));
    const controller = new AbortController();
    let seen: AbortSignal | undefined;
    const outcome = policy
      .executeWithSignal((signal) => {
        seen = signal;
        return hangUntilAborted(signal);
      }, controller.signal)
      .catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(10);
    const reason = new Error('cancelled by user');
    controller.abort(reason);
    expect(await outcome).toBe(reason);
    expect(seen?.reason).toBe(reason);
    expect(breaker.state).toBe('closed');
    expect(breaker.stats().totals.failures).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('lets the breaker count an inner timeout as a failure', async () => {
    const breaker = new CircuitBreaker('slow-api', { failureThreshold: 1 });
    const policy = compose(breaker, timeout({ timeoutMs: 50 }));
    const outcome = policy.executeWithSignal((signal) => hangUntilAborted(signal), undefined).catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(50);
    expect(await outcome).toBeInstanceOf(CallTimeoutError);
    expect(breaker.state).toBe('open');
  });
});

describe('compose with a real CircuitBreaker', () => {
  it('stops retrying once the breaker opens, rejecting with CircuitOpenError', async () => {
    const breaker = new CircuitBreaker('payments', { failureThreshold: 3, resetTimeoutMs: 60_000 });
    const sleep = vi.fn(async () => {});
    const policy = compose(retry({ maxAttempts: 10, sleep }), breaker, timeout({ timeoutMs: 1_000 }));
    const fn = vi.fn(async () => {
      throw new Error('503');
    });
    const rejection = await policy.execute(fn).catch((error: unknown) => error);
    expect(fn).toHaveBeenCalledTimes(3);
    expect(isCircuitOpenError(rejection)).toBe(true);
    expect(rejection).toMatchObject({ breakerName: 'payments' });
    expect(breaker.state).toBe('open');
    // Three failed attempts, three waits; the fourth attempt was refused and not retried.
    expect(sleep).toHaveBeenCalledTimes(3);
    // Later calls are refused straight away, without running fn.
    await expect(policy.execute(fn)).rejects.toBeInstanceOf(CircuitOpenError);
    expect(fn).toHaveBeenCalledTimes(3);
  });

  it('retries through the breaker until a call succeeds while it stays closed', async () => {
    const breaker = new CircuitBreaker('search', { failureThreshold: 5 });
    let calls = 0;
    const policy = compose(retry({ maxAttempts: 4, backoff: { initialDelayMs: 0 } }), breaker);
    await expect(
      policy.execute(async () => {
        if (++calls < 3) throw new Error('blip');
        return 'found';
      }),
    ).resolves.toBe('found');
    expect(breaker.state).toBe('closed');
  });

  it('sheds load with a bulkhead stage, and the retry around it tries again later', async () => {
    const pool = bulkhead({ maxConcurrent: 1 });
    let release: () => void = () => {};
    const holder = pool.execute(() => new Promise<void>((resolve) => (release = resolve)));
    const sleep = vi.fn(async () => release());
    const policy = compose(retry({ maxAttempts: 2, sleep }), pool);
    await expect(policy.execute(async () => 'got a slot')).resolves.toBe('got a slot');
    expect(sleep).toHaveBeenCalledTimes(1);
    await holder;
  });
});
