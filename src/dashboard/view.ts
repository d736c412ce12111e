import type { BreakerStats, CircuitBreaker } from '../index.js';

/** A breaker's stats as the dashboard sends them: `BreakerStats` with `null` for absent values and the time until the next attempt. */
export interface BreakerView extends Omit<BreakerStats, 'nextAttemptAt'> {
  readonly nextAttemptAt: number | null;
  /** OPEN only: milliseconds until a trial call is allowed (0 when due). */
  readonly nextAttemptInMs: number | null;
}

/** The JSON view of one breaker now. */
export function breakerView(breaker: CircuitBreaker): BreakerView {
  const stats = breaker.stats();
  const now = stats.stateSince + stats.timeInStateMs;
  return {
    ...stats,
    nextAttemptAt: stats.nextAttemptAt ?? null,
    nextAttemptInMs: stats.nextAttemptAt === undefined ? null : Math.max(0, stats.nextAttemptAt - now),
  };
}
