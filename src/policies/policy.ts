import { describeValue } from '../core/describe-value.js';
import { checkSignal } from './signal.js';

/**
 * Anything that can be a stage of `compose`: every policy, a composed policy, and a `CircuitBreaker`.
 *
 * @example
 * ```ts
 * import { CircuitBreaker, compose, retry, type PolicyStage } from 'tripswitch';
 * const stages: PolicyStage[] = [retry({ maxAttempts: 3 }), new CircuitBreaker('db')];
 * const guarded = compose(...stages);
 * ```
 */
export interface PolicyStage {
  /** Runs `fn(signal, ...args)` once under the stage; `signal` is the caller's, or `undefined`. */
  executeWithSignal<A extends unknown[], R>(
    fn: (signal: AbortSignal, ...args: A) => R | PromiseLike<R>,
    signal: AbortSignal | undefined,
    ...args: A
  ): Promise<Awaited<R>>;
}

/**
 * A composable policy (retry, bulkhead, timeout, compose) that wraps functions as a breaker does, always returning a promise.
 *
 * @example
 * ```ts
 * import { retry, type Policy } from 'tripswitch';
 * const policy: Policy = retry({ maxAttempts: 3 });
 * const load = policy.wrap(async (id: string) => ({ id }));
 * await load('42');
 * ```
 */
export interface Policy extends PolicyStage {
  /** Returns `fn` guarded by the policy; the wrapper always returns a promise and keeps `this`. */
  wrap<A extends unknown[], R>(fn: (...args: A) => R | PromiseLike<R>): (...args: A) => Promise<Awaited<R>>;
  /** Runs `fn(...args)` once under the policy. */
  execute<A extends unknown[], R>(fn: (...args: A) => R | PromiseLike<R>, ...args: A): Promise<Awaited<R>>;
  /**
   * Returns `fn` guarded by the policy, with cancellation: the wrapper takes the
   * caller's `AbortSignal` (or `undefined`) first, and `fn` receives the signal
   * it should honour (the caller's, or one the policy aborts, as a timeout does).
   */
  wrapWithSignal<A extends unknown[], R>(
    fn: (signal: AbortSignal, ...args: A) => R | PromiseLike<R>,
  ): (signal: AbortSignal | undefined, ...args: A) => Promise<Awaited<R>>;
}

/**
 * The function a policy runs: it receives the signal the policy hands down
 * (`undefined` when there is none, so no signal is allocated for plain calls).
 */
export type Inner = (signal: AbortSignal | undefined, ...args: unknown[]) => unknown;

/** How one policy runs one call: `outer` is the caller's signal, already checked to be an AbortSignal or `undefined`. */
export type Run = (fn: Inner, outer: AbortSignal | undefined, args: unknown[]) => Promise<unknown>;

/**
 * Builds the public {@link Policy} methods around a policy's `run`, plus any
 * read-only `extras` (getters, limits). The result is frozen.
 */
export function createPolicy<E extends object = Record<never, never>>(run: Run, extras?: PropertyDescriptorMap): Policy & E {
  const policy: Policy = {
    wrap(fn) {
      expectFn(fn, 'wrap');
      const wrapped = function (this: unknown, ...args: unknown[]) {
        return run((_signal, ...inner) => fn.apply(this, inner as never), undefined, args);
      };
      return named(wrapped, fn) as never;
    },
    execute(fn, ...args) {
      expectFn(fn, 'execute');
      return run((_signal, ...inner) => fn(...(inner as never)), undefined, args) as never;
    },
    wrapWithSignal(fn) {
      expectFn(fn, 'wrapWithSignal');
      const wrapped = function (this: unknown, signal: AbortSignal | undefined, ...args: unknown[]) {
        const bad = checkSignal(signal);
        if (bad !== undefined) return Promise.reject(bad);
        return run((inner, ...rest) => fn.call(this, inner ?? new AbortController().signal, ...(rest as never)), signal, args);
      };
      return named(wrapped, fn) as never;
    },
    executeWithSignal(fn, signal, ...args) {
      expectFn(fn, 'executeWithSignal');
      const bad = checkSignal(signal);
      if (bad !== undefined) return Promise.reject(bad);
      return run((inner, ...rest) => fn(inner ?? new AbortController().signal, ...(rest as never)), signal, args) as never;
    },
  };
  if (extras !== undefined) Object.defineProperties(policy, extras);
  return Object.freeze(policy) as Policy & E;
}

function expectFn(fn: unknown, method: string): void {
  if (typeof fn !== 'function') throw new TypeError(`${method}(fn): fn must be a function, got ${describeValue(fn)}`);
}

/** Gives the wrapper the wrapped function's name, so stack traces still read well. */
function named<W extends object>(wrapper: W, original: { name: string }): W {
  Object.defineProperty(wrapper, 'name', { value: original.name, configurable: true });
  return wrapper;
}
