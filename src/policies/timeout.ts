import { MAX_DURATION_MS } from '../core/config.js';
import { CallTimeoutError } from '../core/errors.js';
import { expectName, expectNumber, expectObject, own, rejectUnknownKeys } from '../core/validate.js';
import { createPolicy, type Inner, type Policy } from './policy.js';
import { isThenable, settle } from './signal.js';

/**
 * Options of {@link timeout}.
 *
 * @example
 * ```ts
 * import { timeout, type TimeoutOptions } from 'tripswitch';
 * const options: TimeoutOptions = { timeoutMs: 2_000, name: 'users-api' };
 * const limited = timeout(options);
 * ```
 */
export interface TimeoutOptions {
  /** Time limit per call, in ms (1 to 2 147 483 647). Required. */
  readonly timeoutMs: number;
  /** Names the policy in the `CallTimeoutError` it rejects with. Default `'timeout'`. */
  readonly name?: string;
}

/**
 * A {@link Policy} that limits how long each call may run.
 *
 * @example
 * ```ts
 * import { timeout, type TimeoutPolicy } from 'tripswitch';
 * const limited: TimeoutPolicy = timeout({ timeoutMs: 2_000 });
 * console.log(limited.timeoutMs); // 2000
 * ```
 */
export interface TimeoutPolicy extends Policy {
  /** The limit per call, in ms. */
  readonly timeoutMs: number;
}

const TIMEOUT_KEYS = ['timeoutMs', 'name'] as const;

/**
 * A time limit per call: `fn` gets an AbortSignal that aborts after `timeoutMs`, and the call rejects with `CallTimeoutError`.
 *
 * Each call gets its own AbortController. When the time runs out, the call's
 * signal is aborted with the `CallTimeoutError` as its reason and the call
 * rejects at once, even if `fn` ignores the signal. When the caller's signal
 * aborts first, the call's signal is aborted with the caller's reason and the
 * call rejects with that reason: a caller's cancel is never reported as a
 * timeout. The timer is unref'd (it never keeps the process alive) and is
 * cleared, and the listener on the caller's signal removed, as soon as the call
 * is decided. A `fn` that returns a plain value or throws synchronously starts no timer.
 *
 * @example
 * ```ts
 * import { timeout } from 'tripswitch';
 * const limited = timeout({ timeoutMs: 2_000 });
 * const getUser = limited.wrapWithSignal((signal, id: string) => fetch(`https://api.example.com/users/${id}`, { signal }));
 * await getUser(undefined, '42');
 * ```
 */
export function timeout(options: TimeoutOptions): TimeoutPolicy {
  const raw = expectObject(options, 'options');
  rejectUnknownKeys(raw, TIMEOUT_KEYS, 'timeout()');
  const timeoutMs = expectNumber(own(raw, 'timeoutMs'), 'timeoutMs', { min: 1, max: MAX_DURATION_MS });
  const nameInput = own(raw, 'name');
  const name = nameInput === undefined ? 'timeout' : expectName(nameInput, 'name');
  const createTimeoutError = (): Error => new CallTimeoutError(name, timeoutMs);

  const run = (fn: Inner, outer: AbortSignal | undefined, args: unknown[]): Promise<unknown> => {
    // The caller gave up before the call started: the fn never runs.
    if (outer?.aborted) return Promise.reject(outer.reason);
    const controller = new AbortController();
    let result: unknown;
    try {
      result = fn(controller.signal, ...args);
    } catch (error) {
      return Promise.reject(error);
    }
    if (!isThenable(result)) return Promise.resolve(result);
    return settle(result, outer, controller, timeoutMs, createTimeoutError);
  };
  return createPolicy<{ timeoutMs: number }>(run, { timeoutMs: { value: timeoutMs, enumerable: true } });
}
