import { type Meter, type MeterProvider, metrics, type ObservableGauge, type ObservableResult } from '@opentelemetry/api';
import { type CircuitBreaker, CircuitState } from '../index.js';
import { checkBuckets, DEFAULT_DURATION_BUCKETS } from '../prometheus/names.js';
import { listenToOutcomes } from '../prometheus/outcomes.js';
import { BreakerFollower, type BreakerSource, describe } from '../prometheus/watch-breakers.js';
import { OTEL_INSTRUMENTS } from './names.js';

/** Options of {@link OpenTelemetryMetrics}. */
export interface OpenTelemetryOptions {
  /** The meter to create the instruments on. Default: `meterProvider.getMeter('tripswitch')`. */
  readonly meter?: Meter;
  /** Where to get the meter when `meter` is not given. Default: the global provider of `@opentelemetry/api`. */
  readonly meterProvider?: MeterProvider;
  /** Bucket boundaries advised for `tripswitch.call.duration`, in seconds. Default 5 ms to 10 s. */
  readonly durationBuckets?: readonly number[];
}

const STATES = Object.values(CircuitState);
const OPTION_KEYS = ['meter', 'meterProvider', 'durationBuckets'];

/**
 * The breakers' metrics as OpenTelemetry instruments, so any OpenTelemetry
 * SDK exports them: the same figures as `tripswitch/prometheus`. Attach it to
 * a breaker registry (every present and future breaker) or to one breaker.
 *
 * @example
 * ```ts
 * import { defaultRegistry } from 'tripswitch';
 * import { OpenTelemetryMetrics } from 'tripswitch/otel';
 * const metrics = new OpenTelemetryMetrics(); // uses the global MeterProvider
 * metrics.attach(defaultRegistry);
 * // later: metrics.close();
 * ```
 */
export class OpenTelemetryMetrics {
  /** The meter the instruments were created on. */
  readonly meter: Meter;
  /** The breakers followed now, through every attachment. */
  private readonly follower = new BreakerFollower('OpenTelemetryMetrics', (breaker) => listenToOutcomes(breaker, this.record));
  private readonly gauges: [ObservableGauge, (result: ObservableResult) => void][] = [];
  private readonly record: Parameters<typeof listenToOutcomes>[1];

  constructor(options: OpenTelemetryOptions = {}) {
    if (typeof options !== 'object' || options === null)
      throw new TypeError(`OpenTelemetryMetrics options must be an object, got ${describe(options)}`);
    for (const key of Object.keys(options)) {
      if (!OPTION_KEYS.includes(key)) {
        throw new TypeError(`OpenTelemetryMetrics: unknown option ${JSON.stringify(key)} (allowed: ${OPTION_KEYS.join(', ')})`);
      }
    }
    if (options.meterProvider !== undefined && typeof options.meterProvider?.getMeter !== 'function') {
      throw new TypeError(`option "meterProvider" must be an OpenTelemetry MeterProvider, got ${describe(options.meterProvider)}`);
    }
    const meter = options.meter ?? (options.meterProvider ?? metrics).getMeter('tripswitch');
    if (typeof meter?.createCounter !== 'function' || typeof meter.createObservableGauge !== 'function') {
      throw new TypeError(`option "meter" must be an OpenTelemetry Meter, got ${describe(meter)}`);
    }
    this.meter = meter;
    const buckets = checkBuckets(options.durationBuckets ?? DEFAULT_DURATION_BUCKETS);
    const { calls, fallbacks, duration, transitions } = OTEL_INSTRUMENTS;
    const callCounter = meter.createCounter(calls.name, { description: calls.description, unit: calls.unit });
    const fallbackCounter = meter.createCounter(fallbacks.name, { description: fallbacks.description, unit: fallbacks.unit });
    const transitionCounter = meter.createCounter(transitions.name, { description: transitions.description, unit: transitions.unit });
    const histogram = meter.createHistogram(duration.name, {
      description: duration.description,
      unit: duration.unit,
      advice: { explicitBucketBoundaries: buckets },
    });
    this.record = {
      call: (name, outcome, durationMs) => {
        callCounter.add(1, { name, outcome });
        if (durationMs !== undefined && durationMs >= 0) histogram.record(durationMs / 1000, { name, outcome });
      },
      fallback: (name) => fallbackCounter.add(1, { name }),
      transition: (name, from, to) => transitionCounter.add(1, { name, from, to }),
    };
    this.observe(OTEL_INSTRUMENTS.state, (result, breaker) => {
      const current = breaker.state;
      for (const state of STATES) result.observe(state === current ? 1 : 0, { name: breaker.name, state });
    });
    this.observe(OTEL_INSTRUMENTS.failureRatio, (result, breaker) =>
      result.observe(breaker.stats().window.failureRate, { name: breaker.name }),
    );
    this.observe(OTEL_INSTRUMENTS.slowCallRatio, (result, breaker) =>
      result.observe(breaker.stats().window.slowCallRate, { name: breaker.name }),
    );
  }

  /**
   * Follows `source`: a breaker registry (its present and future breakers) or
   * one breaker. Returns the function that stops following it; attaching the
   * same breaker twice counts it once.
   */
  attach(source: BreakerSource): () => void {
    return this.follower.attach(source);
  }

  /** Detaches from everything and removes the gauges' callbacks. Idempotent. */
  close(): void {
    if (!this.follower.close()) return;
    for (const [gauge, callback] of this.gauges) gauge.removeCallback(callback);
  }

  private observe(
    spec: { name: string; description: string; unit: string },
    read: (result: ObservableResult, breaker: CircuitBreaker) => void,
  ): void {
    const gauge = this.meter.createObservableGauge(spec.name, { description: spec.description, unit: spec.unit });
    const callback = (result: ObservableResult): void => {
      for (const breaker of this.follower.breakers()) read(result, breaker);
    };
    gauge.addCallback(callback);
    this.gauges.push([gauge, callback]);
  }
}

/**
 * Creates {@link OpenTelemetryMetrics} and attaches it to `source` in one call.
 *
 * @example
 * ```ts
 * import { defaultRegistry } from 'tripswitch';
 * import { instrumentOpenTelemetry } from 'tripswitch/otel';
 * const metrics = instrumentOpenTelemetry(defaultRegistry);
 * ```
 */
export function instrumentOpenTelemetry(source: BreakerSource, options?: OpenTelemetryOptions): OpenTelemetryMetrics {
  const instrumented = new OpenTelemetryMetrics(options);
  try {
    instrumented.attach(source);
  } catch (error) {
    instrumented.close();
    throw error;
  }
  return instrumented;
}
