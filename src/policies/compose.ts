import { describeValue } from '../core/describe-value.js';
import { createPolicy, type Inner, type Policy, type PolicyStage } from './policy.js';

/**
 * Chains policies and breakers into one policy; the first argument is the outermost stage, the last one runs `fn`.
 *
 * `compose(a, b, c).execute(fn)` runs `a` around `b` around `c` around `fn`.
 * Each stage passes the call's arguments down unchanged and hands the next
 * stage the signal it should honour: a timeout's own signal, a breaker's per-call
 * signal, or the caller's. The usual order is
 * `compose(retry(...), breaker, timeout(...))`: every attempt gets its own time
 * limit, the breaker counts each attempt (a timeout is a failure), and once it
 * opens the retry stops on the `CircuitOpenError`. A bulkhead outermost limits
 * callers (a slot is held across retries); placed right inside the retry, it
 * limits attempts (and a `BulkheadFullError` is retried like any error).
 *
 * @example
 * ```ts
 * import { CircuitBreaker, compose, retry, timeout } from 'tripswitch';
 * const breaker = new CircuitBreaker('users-api', { failureThreshold: 5 });
 * const policy = compose(retry({ maxAttempts: 3 }), breaker, timeout({ timeoutMs: 2_000 }));
 * const getUser = policy.wrapWithSignal((signal, id: string) => fetch(`https://api.example.com/users/${id}`, { signal }));
 * await getUser(undefined, '42');
 * ```
 */
export function compose(...stages: PolicyStage[]): Policy {
  if (stages.length === 0) throw new RangeError('compose() needs at least one policy or breaker, got none');
  stages.forEach((stage, index) => {
    const executeWithSignal =
      typeof stage === 'object' && stage !== null ? (stage as { executeWithSignal?: unknown }).executeWithSignal : undefined;
    if (typeof executeWithSignal !== 'function') {
      throw new TypeError(
        `compose(): argument ${index} must be a policy or a CircuitBreaker (something with executeWithSignal), got ${describeValue(stage)}`,
      );
    }
  });
  // A copy, so the composition never changes behind the caller's back.
  const chain: readonly PolicyStage[] = Object.freeze(stages.slice());

  const run = (fn: Inner, outer: AbortSignal | undefined, args: unknown[]): Promise<unknown> => {
    let next: Inner = fn;
    for (let index = chain.length - 1; index >= 0; index--) {
      const stage = chain[index] as PolicyStage;
      const inner = next;
      next = (signal, ...rest) => stage.executeWithSignal(inner, signal, ...rest);
    }
    try {
      return Promise.resolve(next(outer, ...args));
    } catch (error) {
      return Promise.reject(error);
    }
  };
  return createPolicy(run);
}
