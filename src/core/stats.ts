import type { CircuitState } from './state.js';

/**
 * A breaker's figures at one moment, as returned by `breaker.stats()`.
 *
 * @example
 * ```ts
 * import { CircuitBreaker } from 'tripswitch';
 * const { state, window, totals } = new CircuitBreaker('db').stats();
 * console.log(state, window.failureRate, totals.rejections);
 * ```
 */
export interface BreakerStats {
  readonly name: string;
  readonly state: CircuitState;
  /** What the failure window holds now (reset on every close). */
  readonly window: {
    readonly type: 'consecutive' | 'count' | 'time';
    readonly calls: number;
    readonly failures: number;
    readonly slowCalls: number;
    readonly consecutiveFailures: number;
    /** failures / calls, 0 when empty. */
    readonly failureRate: number;
    /** slowCalls / calls, 0 when empty. */
    readonly slowCallRate: number;
  };
  /** Counts since the breaker was created; never reset. */
  readonly totals: {
    readonly successes: number;
    readonly failures: number;
    readonly slowCalls: number;
    readonly rejections: number;
    readonly timeouts: number;
    readonly fallbacks: number;
    readonly ignored: number;
  };
  /** Clock time the current state was entered. */
  readonly stateSince: number;
  readonly timeInStateMs: number;
  /** OPEN only: clock time from which a trial call is allowed. */
  readonly nextAttemptAt: number | undefined;
  /** HALF_OPEN only: trial calls running now. */
  readonly halfOpenInFlight: number;
  /** HALF_OPEN only: trial calls that succeeded so far. */
  readonly halfOpenSuccesses: number;
}
