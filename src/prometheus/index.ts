/**
 * tripswitch/prometheus: the breakers' metrics for prom-client (an optional
 * peer dependency, loaded only by this entry point).
 */

export { instrumentPrometheus, PrometheusMetrics, type PrometheusOptions } from './metrics.js';
export { DEFAULT_DURATION_BUCKETS, DEFAULT_PREFIX, METRIC_SUFFIXES } from './names.js';
export { CALL_OUTCOMES, type CallOutcome } from './outcomes.js';
export type { BreakerSource } from './watch-breakers.js';
