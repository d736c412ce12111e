import { CircuitState } from './state.js';

/**
 * The breaker's internal state: one object per state, carrying only that
 * state's data. A new object is made on every transition, so a call can hold
 * the phase it started in and tell, by identity, whether the breaker has moved
 * on since (its result is then late and is not counted).
 */
export type Phase = ClosedPhase | OpenPhase | HalfOpenPhase | ManualPhase;

/** Calls flow and are recorded. */
export interface ClosedPhase {
  readonly state: typeof CircuitState.CLOSED;
  readonly since: number;
}

/** Calls are rejected until `retryAt`. */
export interface OpenPhase {
  readonly state: typeof CircuitState.OPEN;
  readonly since: number;
  readonly retryAt: number;
  /** Opens in a row without a close in between, counting this one from 0 (the backoff exponent). */
  readonly reopenCount: number;
}

/** A few trial calls decide. Mutable counters: this object lives only as long as this half-open period. */
export interface HalfOpenPhase {
  readonly state: typeof CircuitState.HALF_OPEN;
  readonly since: number;
  readonly reopenCount: number;
  inFlight: number;
  successes: number;
}

/** Entered and left only by manual calls. */
export interface ManualPhase {
  readonly state: typeof CircuitState.FORCED_OPEN | typeof CircuitState.FORCED_CLOSED | typeof CircuitState.DISABLED;
  readonly since: number;
}

/** A fresh closed phase. */
export function closedPhase(since: number): ClosedPhase {
  return { state: CircuitState.CLOSED, since };
}

/** A fresh open phase. */
export function openPhase(since: number, retryAt: number, reopenCount: number): OpenPhase {
  return { state: CircuitState.OPEN, since, retryAt, reopenCount };
}

/** A fresh half-open phase with no trial in flight. */
export function halfOpenPhase(since: number, reopenCount: number): HalfOpenPhase {
  return { state: CircuitState.HALF_OPEN, since, reopenCount, inFlight: 0, successes: 0 };
}

/** A fresh manual phase. */
export function manualPhase(state: ManualPhase['state'], since: number): ManualPhase {
  return { state, since };
}

/** The persisted or shared fields a phase is rebuilt from (a snapshot or a store's shared state). */
export interface PhaseRecord {
  readonly state: CircuitState;
  readonly since: number;
  readonly retryAt?: number;
  readonly reopenCount?: number;
}

/** Rebuilds a fresh phase from a record; trial counters start at zero. */
export function phaseFromRecord(record: PhaseRecord): Phase {
  switch (record.state) {
    case CircuitState.CLOSED:
      return closedPhase(record.since);
    case CircuitState.OPEN:
      return openPhase(record.since, record.retryAt ?? record.since, record.reopenCount ?? 0);
    case CircuitState.HALF_OPEN:
      return halfOpenPhase(record.since, record.reopenCount ?? 0);
    default:
      return manualPhase(record.state, record.since);
  }
}

/** The persisted fields of a phase. */
export function recordOfPhase(phase: Phase): PhaseRecord {
  switch (phase.state) {
    case CircuitState.OPEN:
      return { state: phase.state, since: phase.since, retryAt: phase.retryAt, reopenCount: phase.reopenCount };
    case CircuitState.HALF_OPEN:
      return { state: phase.state, since: phase.since, reopenCount: phase.reopenCount };
    default:
      return { state: phase.state, since: phase.since };
  }
}

/**
 * Whether a shared state asks for nothing the current phase does not already
 * do: the same state, and for OPEN the same open period. Then a breaker only
 * takes the generation and keeps its phase, with the trials and window in it.
 */
export function samePhase(current: PhaseRecord, shared: PhaseRecord): boolean {
  if (current.state !== shared.state) return false;
  return current.state !== CircuitState.OPEN || (current.since === shared.since && current.retryAt === shared.retryAt);
}
