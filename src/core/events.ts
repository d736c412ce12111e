import type { CircuitOpenError } from './errors.js';
import type { CircuitState, TransitionReason } from './state.js';

/** Sent on every state change. */
export interface StateChangeEvent {
  readonly name: string;
  readonly from: CircuitState;
  readonly to: CircuitState;
  readonly reason: TransitionReason;
  /** Clock time of the change. */
  readonly at: number;
}

/** Sent when a call succeeds (slow or not). */
export interface SuccessEvent {
  readonly name: string;
  readonly durationMs: number;
}

/** Sent when a call counts as a failure. */
export interface FailureEvent {
  readonly name: string;
  /** `'error'`: the fn threw or rejected; `'timeout'`: it ran past `callTimeoutMs`; `'result'`: `isFailureResult` matched. */
  readonly reason: 'error' | 'timeout' | 'result';
  /** The thrown error, the `CallTimeoutError`, or the returned value. */
  readonly error: unknown;
  readonly durationMs: number;
}

/** Sent when a call succeeds slower than `slowCallThresholdMs`. */
export interface SlowCallEvent {
  readonly name: string;
  readonly durationMs: number;
  readonly thresholdMs: number;
}

/** Sent when the circuit refuses a call. */
export interface RejectedEvent {
  readonly name: string;
  readonly error: CircuitOpenError;
}

/** Sent when a call runs past `callTimeoutMs` (a `failure` event follows). */
export interface TimeoutEvent {
  readonly name: string;
  readonly timeoutMs: number;
}

/** Sent when the fallback runs in place of a result. */
export interface FallbackEvent {
  readonly name: string;
  /** Why it runs: a `CircuitOpenError`, a `CallTimeoutError`, or the fn's own error. */
  readonly error: unknown;
}

/** Sent when a call ends with an error that does not count (`ignoreErrors`, not in `recordErrors`, or the caller's own abort). */
export interface IgnoredEvent {
  readonly name: string;
  readonly error: unknown;
}

/** Sent when the shared store stops answering: the breaker goes on deciding from local state. */
export interface StoreDegradedEvent {
  readonly name: string;
  readonly error: unknown;
}

/** Sent when the shared store answers again, after a `storeDegraded`. */
export interface StoreRecoveredEvent {
  readonly name: string;
}

/**
 * Every event a breaker emits, with its listener's shape.
 *
 * @example
 * ```ts
 * import { CircuitBreaker } from 'tripswitch';
 * const breaker = new CircuitBreaker('db');
 * const stop = breaker.on('stateChange', ({ from, to }) => console.log(`${from} -> ${to}`));
 * stop(); // unsubscribe
 * ```
 */
export interface BreakerEvents {
  stateChange: (event: StateChangeEvent) => void;
  success: (event: SuccessEvent) => void;
  failure: (event: FailureEvent) => void;
  slowCall: (event: SlowCallEvent) => void;
  rejected: (event: RejectedEvent) => void;
  timeout: (event: TimeoutEvent) => void;
  fallback: (event: FallbackEvent) => void;
  ignored: (event: IgnoredEvent) => void;
  storeDegraded: (event: StoreDegradedEvent) => void;
  storeRecovered: (event: StoreRecoveredEvent) => void;
}

/** Names of the events of {@link BreakerEvents}. */
export type BreakerEventName = keyof BreakerEvents;

/** Every event name, for validating `on()`. */
export const EVENT_NAMES: readonly BreakerEventName[] = [
  'stateChange',
  'success',
  'failure',
  'slowCall',
  'rejected',
  'timeout',
  'fallback',
  'ignored',
  'storeDegraded',
  'storeRecovered',
];
