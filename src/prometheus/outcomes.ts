import type { CircuitBreaker, CircuitState } from '../index.js';

/**
 * What happened to one call, each call counted once: `success` and `slow`
 * (a success slower than `slowCallThresholdMs`), `failure` and `timeout`
 * (a failure past `callTimeoutMs`), `rejected` (the circuit refused it),
 * `ignored` (an error that does not count). Fallbacks are counted apart.
 *
 * @example
 * ```ts
 * import { CALL_OUTCOMES } from 'tripswitch/prometheus';
 * console.log(CALL_OUTCOMES.join('|')); // for a Grafana variable
 * ```
 */
export const CALL_OUTCOMES = ['success', 'slow', 'failure', 'timeout', 'rejected', 'ignored'] as const;

/** One of {@link CALL_OUTCOMES}. */
export type CallOutcome = (typeof CALL_OUTCOMES)[number];

/** Receives a breaker's calls, fallbacks and transitions, already classified. */
export interface OutcomeSink {
  /** A call ended; `durationMs` is set for calls that ran. */
  call(name: string, outcome: CallOutcome, durationMs: number | undefined): void;
  fallback(name: string): void;
  transition(name: string, from: CircuitState, to: CircuitState): void;
}

/** Subscribes `sink` to the events of `breaker`; returns the function that unsubscribes them all. */
export function listenToOutcomes(breaker: CircuitBreaker, sink: OutcomeSink): () => void {
  const name = breaker.name;
  const threshold = breaker.config.slowCallThresholdMs;
  const offs = [
    breaker.on('success', ({ durationMs }) =>
      sink.call(name, threshold !== undefined && durationMs > threshold ? 'slow' : 'success', durationMs),
    ),
    breaker.on('failure', ({ reason, durationMs }) => sink.call(name, reason === 'timeout' ? 'timeout' : 'failure', durationMs)),
    breaker.on('rejected', () => sink.call(name, 'rejected', undefined)),
    breaker.on('ignored', () => sink.call(name, 'ignored', undefined)),
    breaker.on('fallback', () => sink.fallback(name)),
    breaker.on('stateChange', ({ from, to }) => sink.transition(name, from, to)),
  ];
  return () => {
    for (const off of offs) off();
  };
}
