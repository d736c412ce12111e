/** How one finished call is recorded into a failure window. */
export const Outcome = Object.freeze({ SUCCESS: 0, FAILURE: 1, SLOW_SUCCESS: 2 } as const);
/** One of the {@link Outcome} codes. */
export type Outcome = (typeof Outcome)[keyof typeof Outcome];

/** What a failure window currently holds. */
export interface WindowCounts {
  /** Calls recorded in the window. */
  readonly calls: number;
  /** Of those, calls that failed. */
  readonly failures: number;
  /** Of those, calls that succeeded slower than `slowCallThresholdMs`. */
  readonly slowCalls: number;
  /** Failures since the last success (tracked by the consecutive window; 0 for the others). */
  readonly consecutiveFailures: number;
}

/** The serialisable content of a window, as kept in a breaker snapshot. */
export type WindowSnapshot =
  | {
      readonly type: 'consecutive';
      readonly calls: number;
      readonly failures: number;
      readonly slowCalls: number;
      readonly consecutiveFailures: number;
    }
  | { readonly type: 'count'; readonly size: number; readonly outcomes: readonly Outcome[] }
  | {
      readonly type: 'time';
      readonly durationMs: number;
      readonly buckets: number;
      readonly slots: readonly { readonly bucket: number; readonly calls: number; readonly failures: number; readonly slowCalls: number }[];
    };

/**
 * Counts outcomes in CLOSED and decides when the circuit trips. A window is a
 * metrics object only: it never changes the breaker's state itself.
 * Every method is O(1) (amortised over buckets for the time window).
 */
export interface FailureWindow {
  /** Records one finished call; returns whether the trip rule now holds. */
  record(outcome: Outcome, nowMs: number): boolean;
  /** Current counts, with expired time buckets dropped first. */
  counts(nowMs: number): WindowCounts;
  /** Forgets everything recorded. */
  clear(): void;
  /** The window's content, for snapshots. */
  snapshot(): WindowSnapshot;
  /** Loads a snapshot taken from a window of the same shape; returns false (and changes nothing) otherwise. */
  restore(snapshot: WindowSnapshot): boolean;
}

/** The trip rule shared by the rate-based windows. */
export interface RateRule {
  readonly minimumCalls: number;
  readonly failureRateThreshold: number;
  /** Undefined when slow calls never trip the circuit. */
  readonly slowCallRateThreshold: number | undefined;
}

/** Whether `calls`, `failures` and `slowCalls` meet a rate rule. */
export function meetsRateRule(rule: RateRule, calls: number, failures: number, slowCalls: number): boolean {
  if (calls < rule.minimumCalls || calls === 0) return false;
  if (failures / calls >= rule.failureRateThreshold) return true;
  return rule.slowCallRateThreshold !== undefined && slowCalls / calls >= rule.slowCallRateThreshold;
}
