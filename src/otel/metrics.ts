import { type Meter, type MeterProvider, metrics, type ObservableGauge, type ObservableResult } from '@opentelemetry/api';
import { type CircuitBreaker, CircuitState } from '../index.js';
import { checkBuckets, DEFAULT_DURATION_BUCKETS, MAX_PLAUSIBLE_DURATION_MS } from '../prometheus/names.js';
import { listenToOutcomes } from '../prometheus/outcomes.js';
import { type BreakerSource, describe, watchBreakers } from '../prometheus/watch-breakers.js';
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
  private readonly followed = new Map<CircuitBreaker, { refs: number; off: () => void }>();
  private readonly detachers = new Set<() => void>();
  private readonly gauges: [ObservableGauge, (result: ObservableResult) => void][] = [];
  private readonly record: Parameters<typeof listenToOutcomes>[1];
  private closed = false;

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
        if (durationMs !== undefined && durationMs >= 0 && durationMs < MAX_PLAUSIBLE_DURATION_MS) {
          histogram.record(durationMs / 1000, { name, outcome });
        }
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
    if (this.closed) throw new Error('OpenTelemetryMetrics: attach() after close()');
    const stop = watchBreakers(source, (breaker) => this.follow(breaker), 'OpenTelemetryMetrics.attach(source)');
    const detach = (): void => {
      if (this.detachers.delete(detach)) stop();
    };
    this.detachers.add(detach);
    return detach;
  }

  /** Detaches from everything and removes the gauges' callbacks. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const detach of [...this.detachers]) detach();
    for (const [gauge, callback] of this.gauges) gauge.removeCallback(callback);
  }

  private observe(
    spec: { name: string; description: string; unit: string },
    read: (result: ObservableResult, breaker: CircuitBreaker) => void,
  ): void {
    const gauge = this.meter.createObservableGauge(spec.name, { description: spec.description, unit: spec.unit });
    const callback = (result: ObservableResult): void => {
      for (const breaker of this.followed.keys()) read(result, breaker);
    };
    gauge.addCallback(callback);
    this.gauges.push([gauge, callback]);
  }

  private follow(breaker: CircuitBreaker): () => void {
    const entry = this.followed.get(breaker);
    if (entry !== undefined) entry.refs++;
    else this.followed.set(breaker, { refs: 1, off: listenToOutcomes(breaker, this.record) });
    return () => {
      const current = this.followed.get(breaker);
      if (current === undefined || --current.refs > 0) return;
      current.off();
      this.followed.delete(breaker);
    };
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
