/**
 * Default prefix of every metric name.
 *
 * @example
 * ```ts
 * import { DEFAULT_PREFIX } from 'tripswitch/prometheus';
 * console.log(`${DEFAULT_PREFIX}calls_total`); // 'tripswitch_calls_total'
 * ```
 */
export const DEFAULT_PREFIX = 'tripswitch_';

/**
 * Default histogram buckets for call durations, in seconds (5 ms to 10 s).
 *
 * @example
 * ```ts
 * import { DEFAULT_DURATION_BUCKETS, PrometheusMetrics } from 'tripswitch/prometheus';
 * new PrometheusMetrics({ durationBuckets: [...DEFAULT_DURATION_BUCKETS, 30] });
 * ```
 */
export const DEFAULT_DURATION_BUCKETS: readonly number[] = Object.freeze([0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]);

/**
 * The metric names after the prefix (kept in one place for the docs and the tests).
 *
 * @example
 * ```ts
 * import { DEFAULT_PREFIX, METRIC_SUFFIXES } from 'tripswitch/prometheus';
 * const stateMetric = DEFAULT_PREFIX + METRIC_SUFFIXES.state; // 'tripswitch_circuit_state'
 * ```
 */
export const METRIC_SUFFIXES = Object.freeze({
  state: 'circuit_state',
  calls: 'calls_total',
  fallbacks: 'fallbacks_total',
  duration: 'call_duration_seconds',
  transitions: 'transitions_total',
  failureRatio: 'window_failure_ratio',
  slowCallRatio: 'window_slow_call_ratio',
});

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/** Throws unless `prefix` makes valid Prometheus metric names. */
export function checkPrefix(prefix: unknown): string {
  if (typeof prefix !== 'string' || (prefix !== '' && !METRIC_NAME.test(prefix))) {
    throw new TypeError(
      `option "prefix" must match ${METRIC_NAME} (or be empty), got ${typeof prefix === 'string' ? JSON.stringify(prefix) : String(prefix)}`,
    );
  }
  return prefix;
}

/** Throws unless `buckets` is a non-empty, strictly increasing list of finite positive numbers. */
export function checkBuckets(buckets: unknown): number[] {
  if (!Array.isArray(buckets) || buckets.length === 0) {
    throw new TypeError(
      `option "durationBuckets" must be a non-empty array of seconds, got ${Array.isArray(buckets) ? 'an empty array' : String(buckets)}`,
    );
  }
  buckets.forEach((bucket, index) => {
    if (typeof bucket !== 'number' || !Number.isFinite(bucket) || bucket <= 0) {
      throw new RangeError(`option "durationBuckets"[${index}] must be a finite number > 0, got ${String(bucket)}`);
    }
    if (index > 0 && bucket <= (buckets[index - 1] as number)) {
      throw new RangeError(`option "durationBuckets" must be strictly increasing, got ${buckets[index - 1]} then ${bucket}`);
    }
  });
  return [...buckets];
}
