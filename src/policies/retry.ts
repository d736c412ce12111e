import { openDurationMs } from '../core/backoff.js';
import { MAX_DURATION_MS } from '../core/config.js';
import { describeValue } from '../core/describe-value.js';
import { isCircuitOpenError } from '../core/errors.js';
import { expectBoolean, expectFunction, expectNumber, expectObject, own, ownOr, rejectUnknownKeys } from '../core/validate.js';
import { createPolicy, type Inner, type Policy } from './policy.js';
import { isThenable, settle } from './signal.js';

/**
 * The wait before each retry: `initialDelayMs x multiplier^(retry - 1)`, capped at `maxDelayMs`, then jittered.
 *
 * @example
 * ```ts
 * import { retry, type RetryBackoff } from 'tripswitch';
 * const backoff: RetryBackoff = { initialDelayMs: 200, multiplier: 2, maxDelayMs: 5_000, jitter: 'full' };
 * const policy = retry({ maxAttempts: 5, backoff });
 * ```
 */
export interface RetryBackoff {
  /** Wait before the first retry, in ms (0 retries at once). Default 100. */
  readonly initialDelayMs?: number;
  /** Growth factor per retry, 1 to 1000 (1 waits the same each time). Default 2. */
  readonly multiplier?: number;
  /** Longest wait, in ms, at least `initialDelayMs`. Default 30 000 (or `initialDelayMs` if larger). */
  readonly maxDelayMs?: number;
  /**
   * Randomness so callers do not retry in step: `'none'` (default); `'full'`, a
   * uniform pick in [0, d]; or a ratio r in [0, 1], a uniform pick in
   * [d x (1 - r), d x (1 + r)], capped at `maxDelayMs`. The same rule as the breaker's `backoff.jitter`.
   */
  readonly jitter?: 'none' | 'full' | number;
}

/**
 * Options of {@link retry}; every field is optional.
 *
 * @example
 * ```ts
 * import { retry, isCallTimeoutError, type RetryOptions } from 'tripswitch';
 * const options: RetryOptions = { maxAttempts: 4, retryOn: (error) => isCallTimeoutError(error) };
 * const policy = retry(options);
 * ```
 */
export interface RetryOptions {
  /** Attempts in all, the first included (an integer >= 1; 1 never retries). Default 3. */
  readonly maxAttempts?: number;
  /** Waits between attempts. Default `{ initialDelayMs: 100, multiplier: 2, maxDelayMs: 30_000, jitter: 'none' }`. */
  readonly backoff?: RetryBackoff;
  /**
   * Whether a failed attempt (`attempt` counts from 1) is retried; only `true` retries.
   * Default: every error. Never asked about a `CircuitOpenError` unless `retryCircuitOpen` is set.
   * If it throws, the call stops and rejects with what it threw.
   */
  readonly retryOn?: (error: unknown, attempt: number) => boolean;
  /** Retry a `CircuitOpenError` too (it then goes through `retryOn` like any error). Default false. */
  readonly retryCircuitOpen?: boolean;
  /**
   * Waits `ms` before a retry; should reject when `signal` aborts. Default: a
   * `setTimeout`, cleared on abort. Inject one to drive retries on a virtual clock. The
   * retry stops waiting when the caller's signal aborts, whatever `sleep` does.
   */
  readonly sleep?: (ms: number, signal: AbortSignal | undefined) => PromiseLike<void> | void;
  /** Source of randomness for jitter, returning [0, 1). Default `Math.random`. */
  readonly random?: () => number;
}

const RETRY_KEYS = ['maxAttempts', 'backoff', 'retryOn', 'retryCircuitOpen', 'sleep', 'random'] as const;
const BACKOFF_KEYS = ['initialDelayMs', 'multiplier', 'maxDelayMs', 'jitter'] as const;
const MS = { min: 0, max: MAX_DURATION_MS } as const;

/** Retry defaults, as documented on {@link RetryOptions}. */
const DEFAULTS = { maxAttempts: 3, initialDelayMs: 100, multiplier: 2, maxDelayMs: 30_000 } as const;

/**
 * Runs a call again when it fails: up to `maxAttempts` attempts, waiting an exponential backoff between them.
 *
 * A `CircuitOpenError` is never retried unless `retryCircuitOpen` is set: the
 * breaker said "not now", and hammering it helps nobody. Every attempt gets the
 * caller's signal; when it aborts (during an attempt or a wait) the retry stops
 * at once and rejects with the caller's reason, never with a later attempt's error.
 * When every attempt fails, the call rejects with the last attempt's error.
 *
 * @example
 * ```ts
 * import { retry } from 'tripswitch';
 * const policy = retry({ maxAttempts: 3, backoff: { initialDelayMs: 100, jitter: 'full' } });
 * const load = policy.wrap(async (url: string) => (await fetch(url)).json());
 * await load('https://api.example.com/users/42');
 * ```
 */
export function retry(options?: RetryOptions): Policy {
  const raw = options === undefined ? {} : expectObject(options, 'options');
  rejectUnknownKeys(raw, RETRY_KEYS, 'retry()');
  const maxAttempts = expectNumber(ownOr(raw, 'maxAttempts', DEFAULTS.maxAttempts), 'maxAttempts', { integer: true, min: 1 });
  const backoff = resolveBackoff(own(raw, 'backoff'));
  const retryOnInput = own(raw, 'retryOn');
  const retryOn = retryOnInput === undefined ? undefined : expectFunction<RetryOptions['retryOn']>(retryOnInput, 'retryOn');
  const retryCircuitOpenInput = own(raw, 'retryCircuitOpen');
  const retryCircuitOpen = retryCircuitOpenInput === undefined ? false : expectBoolean(retryCircuitOpenInput, 'retryCircuitOpen');
  const sleepInput = own(raw, 'sleep');
  const sleep = sleepInput === undefined ? undefined : expectFunction<NonNullable<RetryOptions['sleep']>>(sleepInput, 'sleep');
  const randomInput = own(raw, 'random');
  const random = randomInput === undefined ? Math.random : expectFunction<() => number>(randomInput, 'random');

  const shouldRetry = (error: unknown, attempt: number): boolean => {
    if (isCircuitOpenError(error) && !retryCircuitOpen) return false;
    return retryOn === undefined || retryOn(error, attempt) === true;
  };

  const wait = (ms: number, outer: AbortSignal | undefined): PromiseLike<unknown> | undefined => {
    if (sleep === undefined) return ms > 0 ? sleepFor(ms, outer) : undefined;
    const pending = sleep(ms, outer);
    if (outer === undefined) return isThenable(pending) ? pending : undefined;
    // An injected sleep may ignore the signal: the caller's abort still ends the wait.
    return settle(isThenable(pending) ? pending : Promise.resolve(), outer);
  };

  const run = async (fn: Inner, outer: AbortSignal | undefined, args: unknown[]): Promise<unknown> => {
    for (let attempt = 1; ; attempt++) {
      if (outer?.aborted) throw outer.reason;
      try {
        const result = fn(outer, ...args);
        // Raced against the caller's signal, so a fn that ignores it does not hold the caller.
        return await (outer !== undefined && isThenable(result) ? settle(result, outer) : result);
      } catch (error) {
        // The caller gave up: report its reason, not the error the attempt failed with because of it.
        if (outer?.aborted) throw outer.reason;
        if (attempt >= maxAttempts || !shouldRetry(error, attempt)) throw error;
      }
      const delay = openDurationMs(backoff.initialDelayMs, backoff.growth, attempt - 1, random);
      // Clamped, so an injected `random` outside [0, 1) (or NaN) cannot make a negative or oversized wait.
      await wait(delay > 0 ? Math.min(delay, backoff.growth.maxResetTimeoutMs) : 0, outer);
    }
  };
  return createPolicy(run);
}

interface ResolvedRetryBackoff {
  readonly initialDelayMs: number;
  readonly growth: { readonly multiplier: number; readonly maxResetTimeoutMs: number; readonly jitter: 'none' | 'full' | number };
}

function resolveBackoff(input: unknown): ResolvedRetryBackoff {
  const raw = input === undefined ? {} : expectObject(input, 'backoff');
  rejectUnknownKeys(raw, BACKOFF_KEYS, 'retry() backoff');
  const initialDelayMs = expectNumber(ownOr(raw, 'initialDelayMs', DEFAULTS.initialDelayMs), 'backoff.initialDelayMs', MS);
  const multiplier = expectNumber(ownOr(raw, 'multiplier', DEFAULTS.multiplier), 'backoff.multiplier', { min: 1, max: 1000 });
  const maxDelayMs = expectNumber(ownOr(raw, 'maxDelayMs', Math.max(DEFAULTS.maxDelayMs, initialDelayMs)), 'backoff.maxDelayMs', {
    min: initialDelayMs,
    max: MAX_DURATION_MS,
  });
  const jitterInput = ownOr(raw, 'jitter', 'none');
  let jitter: 'none' | 'full' | number;
  if (jitterInput === 'none' || jitterInput === 'full') jitter = jitterInput;
  else if (typeof jitterInput === 'number') jitter = expectNumber(jitterInput, 'backoff.jitter', { min: 0, max: 1 });
  else throw new TypeError(`option "backoff.jitter" must be "none", "full" or a ratio between 0 and 1, got ${describeValue(jitterInput)}`);
  return { initialDelayMs, growth: { multiplier, maxResetTimeoutMs: maxDelayMs, jitter } };
}

/**
 * The default sleep: a timer, cleared (and its listener removed) as soon as it
 * fires or the caller aborts. Unlike tripswitch's other timers it is not
 * unref'd: a pending retry is the caller's own work still in progress, and a
 * script awaiting it must not exit before the retry runs.
 */
function sleepFor(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
