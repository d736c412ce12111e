/**
 * The OpenTelemetry instruments, with their unit and description. A
 * Prometheus exporter turns them into the `tripswitch/prometheus` names
 * (`tripswitch.calls` -> `tripswitch_calls_total`, `tripswitch.call.duration` -> `tripswitch_call_duration_seconds`).
 *
 * @example
 * ```ts
 * import { OTEL_INSTRUMENTS } from 'tripswitch/otel';
 * console.log(OTEL_INSTRUMENTS.calls.name); // 'tripswitch.calls'
 * ```
 */
export const OTEL_INSTRUMENTS = Object.freeze({
  state: {
    name: 'tripswitch.circuit.state',
    unit: '{state}',
    description: 'Circuit state: 1 for the current state of the breaker, 0 for the others.',
  },
  calls: {
    name: 'tripswitch.calls',
    unit: '{call}',
    description: 'Calls through the breaker by outcome (success, slow, failure, timeout, rejected, ignored); each call counted once.',
  },
  fallbacks: { name: 'tripswitch.fallbacks', unit: '{call}', description: 'Fallbacks run in place of a result.' },
  duration: {
    name: 'tripswitch.call.duration',
    unit: 's',
    description: 'Duration of the calls that ran, by outcome (success, slow, failure, timeout).',
  },
  transitions: {
    name: 'tripswitch.transitions',
    unit: '{transition}',
    description: 'State transitions of the breaker, by from and to state.',
  },
  failureRatio: {
    name: 'tripswitch.window.failure_ratio',
    unit: '1',
    description: 'Failure rate (0..1) of the calls in the breaker window now.',
  },
  slowCallRatio: {
    name: 'tripswitch.window.slow_call_ratio',
    unit: '1',
    description: 'Slow-call rate (0..1) of the calls in the breaker window now.',
  },
});
