/**
 * The states a breaker can be in. The first three are the classic automatic
 * states; the last three are entered only by a manual call and left only by
 * another manual call (or `reset()`).
 *
 * @example
 * ```ts
 * import { CircuitBreaker, CircuitState } from 'tripswitch';
 * const breaker = new CircuitBreaker('db');
 * if (breaker.state === CircuitState.OPEN) console.log('db is failing');
 * ```
 */
export const CircuitState = Object.freeze({
  /** Calls flow; outcomes are recorded and may trip the circuit. */
  CLOSED: 'closed',
  /** Calls are rejected until `resetTimeoutMs` has passed. */
  OPEN: 'open',
  /** A limited number of trial calls decide whether to close or re-open. */
  HALF_OPEN: 'half_open',
  /** Held open by `forceOpen()` or `isolate()`: every call is rejected. */
  FORCED_OPEN: 'forced_open',
  /** Held closed by `forceClosed()`: every call passes, nothing is recorded. */
  FORCED_CLOSED: 'forced_closed',
  /** Metrics only (`disable()`): every call passes and is recorded, nothing trips. */
  DISABLED: 'disabled',
} as const);

/** One of the {@link CircuitState} values. */
export type CircuitState = (typeof CircuitState)[keyof typeof CircuitState];

/** Every state value, in declaration order. */
export const ALL_STATES: readonly CircuitState[] = Object.freeze(Object.values(CircuitState));

/**
 * Why a transition happened. Automatic reasons are constrained by the
 * transition table; manual and external reasons may move between any states.
 */
export type TransitionReason =
  /** CLOSED -> OPEN: the failure window's trip rule was met. */
  | 'tripped'
  /** OPEN -> HALF_OPEN: the open duration elapsed. */
  | 'reset-timeout-elapsed'
  /** HALF_OPEN -> CLOSED: enough trial calls succeeded. */
  | 'trials-succeeded'
  /** HALF_OPEN -> OPEN: a trial call failed or was slow. */
  | 'trial-failed'
  /** HALF_OPEN -> OPEN: trial calls did not finish within `maxHalfOpenWaitMs`. */
  | 'half-open-wait-exceeded'
  /** Any -> any: `reset()`, `forceOpen()`, `forceClosed()`, `disable()`, `isolate()`, `release()`. */
  | 'manual'
  /** Any -> any: state applied from a shared store (another process decided). */
  | 'remote'
  /** Any -> any: state restored from a snapshot (`initialState`). */
  | 'restored';

/**
 * The automatic transitions, one row per reason. Manual, remote and restored
 * transitions are not listed: they are allowed between any two states.
 */
export const AUTOMATIC_TRANSITIONS: Readonly<
  Record<Exclude<TransitionReason, 'manual' | 'remote' | 'restored'>, readonly [CircuitState, CircuitState]>
> = Object.freeze({
  tripped: [CircuitState.CLOSED, CircuitState.OPEN],
  'reset-timeout-elapsed': [CircuitState.OPEN, CircuitState.HALF_OPEN],
  'trials-succeeded': [CircuitState.HALF_OPEN, CircuitState.CLOSED],
  'trial-failed': [CircuitState.HALF_OPEN, CircuitState.OPEN],
  'half-open-wait-exceeded': [CircuitState.HALF_OPEN, CircuitState.OPEN],
});

/**
 * Whether the table allows moving `from` -> `to` for `reason`.
 *
 * @example
 * ```ts
 * import { isTransitionAllowed } from 'tripswitch';
 * isTransitionAllowed('closed', 'open', 'tripped'); // true
 * isTransitionAllowed('open', 'closed', 'tripped'); // false
 * ```
 */
export function isTransitionAllowed(from: CircuitState, to: CircuitState, reason: TransitionReason): boolean {
  if (reason === 'manual' || reason === 'remote' || reason === 'restored') return true;
  const row = AUTOMATIC_TRANSITIONS[reason];
  return row !== undefined && row[0] === from && row[1] === to;
}

/** Whether `value` is one of the {@link CircuitState} values. */
export function isCircuitState(value: unknown): value is CircuitState {
  return typeof value === 'string' && (ALL_STATES as readonly string[]).includes(value);
}
