/**
 * tripswitch/otel: the breakers' metrics through `@opentelemetry/api` (an
 * optional peer dependency, loaded only by this entry point).
 */
export { CALL_OUTCOMES, type CallOutcome } from '../prometheus/outcomes.js';
export type { BreakerSource } from '../prometheus/watch-breakers.js';
export { instrumentOpenTelemetry, OpenTelemetryMetrics, type OpenTelemetryOptions } from './metrics.js';
export { OTEL_INSTRUMENTS } from './names.js';
