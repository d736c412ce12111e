import {
  AggregationTemporality,
  DataPointType,
  InMemoryMetricExporter,
  MeterProvider,
  type MetricData,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { CircuitBreaker, CircuitBreakerRegistry, type Clock } from '../../src/index.js';
import { instrumentOpenTelemetry, OpenTelemetryMetrics, OTEL_INSTRUMENTS } from '../../src/otel/index.js';

/** A real SDK pipeline: provider -> periodic reader (flushed by hand) -> in-memory exporter. */
function pipeline(temporality = AggregationTemporality.CUMULATIVE) {
  const exporter = new InMemoryMetricExporter(temporality);
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  const provider = new MeterProvider({ readers: [reader] });
  cleanups.push(() => provider.shutdown());
  /** Exports now and returns the last export's metrics by name. */
  const read = async (): Promise<Map<string, MetricData>> => {
    exporter.reset();
    await reader.forceFlush();
    const batches = exporter.getMetrics();
    const metrics = batches.at(-1)?.scopeMetrics.flatMap((scope) => scope.metrics) ?? [];
    return new Map(metrics.map((metric) => [metric.descriptor.name, metric]));
  };
  return { provider, read };
}

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function point(metrics: Map<string, MetricData>, name: string, attributes: Record<string, string>): unknown {
  const metric = metrics.get(name);
  if (metric === undefined) throw new Error(`no metric ${name} (have ${[...metrics.keys()].join(', ')})`);
  const matches = metric.dataPoints.filter((dp) => Object.entries(attributes).every(([key, value]) => dp.attributes[key] === value));
  if (matches.length !== 1) throw new Error(`expected one point of ${name} ${JSON.stringify(attributes)}, found ${matches.length}`);
  return matches[0]?.value;
}

function manualClock(start = 5_000): Clock & { advance(ms: number): void } {
  let now = start;
  return {
    now: () => now,
    advance: (ms) => {
      now += ms;
    },
  };
}

describe('OpenTelemetryMetrics', () => {
  it('creates the instruments with units, types and descriptions', async () => {
    const { provider, read } = pipeline();
    const breakers = new CircuitBreakerRegistry();
    breakers.getOrCreate('db').execute(() => 1);
    const metrics = instrumentOpenTelemetry(breakers, { meterProvider: provider });
    cleanups.push(() => metrics.close());
    const exported = await read();
    const summary = Object.fromEntries(
      [...exported.values()].map((metric) => [metric.descriptor.name, [metric.descriptor.unit, metric.dataPointType]]),
    );
    expect(summary).toEqual({
      'tripswitch.circuit.state': ['{state}', DataPointType.GAUGE],
      'tripswitch.window.failure_ratio': ['1', DataPointType.GAUGE],
      'tripswitch.window.slow_call_ratio': ['1', DataPointType.GAUGE],
    });
    for (const spec of Object.values(OTEL_INSTRUMENTS)) expect(spec.description.length).toBeGreaterThan(10);
  });

  it('records calls by outcome, fallbacks, durations and transitions, read back from the SDK', async () => {
    const { provider, read } = pipeline();
    const clock = manualClock();
    const breaker = new CircuitBreaker('api', { failureThreshold: 2, slowCallThresholdMs: 100, fallback: () => 'cached', clock });
    const metrics = instrumentOpenTelemetry(breaker, { meter: provider.getMeter('test'), durationBuckets: [0.1, 0.5, 1] });
    cleanups.push(() => metrics.close());
    breaker.execute(() => 'ok');
    breaker.execute(() => {
      clock.advance(300);
      return 'slow';
    });
    const boom = () => {
      throw new Error('secret token in message');
    };
    breaker.execute(boom);
    breaker.execute(boom); // trips
    expect(breaker.execute(() => 'never')).toBe('cached'); // rejected

    const exported = await read();
    const calls = (outcome: string) => point(exported, 'tripswitch.calls', { name: 'api', outcome });
    expect([calls('success'), calls('slow'), calls('failure'), calls('rejected')]).toEqual([1, 1, 2, 1]);
    expect(point(exported, 'tripswitch.fallbacks', { name: 'api' })).toBe(3);
    expect(point(exported, 'tripswitch.transitions', { name: 'api', from: 'closed', to: 'open' })).toBe(1);
    expect(point(exported, 'tripswitch.circuit.state', { name: 'api', state: 'open' })).toBe(1);
    expect(point(exported, 'tripswitch.circuit.state', { name: 'api', state: 'closed' })).toBe(0);
    const slow = point(exported, 'tripswitch.call.duration', { name: 'api', outcome: 'slow' }) as {
      count: number;
      sum: number;
      buckets: { boundaries: number[]; counts: number[] };
    };
    expect(slow.count).toBe(1);
    expect(slow.sum).toBeCloseTo(0.3);
    expect(slow.buckets).toEqual({ boundaries: [0.1, 0.5, 1], counts: [0, 1, 0, 0] });
    expect(exported.get('tripswitch.call.duration')?.dataPointType).toBe(DataPointType.HISTOGRAM);
    expect(exported.get('tripswitch.calls')?.descriptor.unit).toBe('{call}');

    for (const metric of exported.values()) {
      for (const dp of metric.dataPoints) {
        expect(Object.keys(dp.attributes).every((key) => ['name', 'outcome', 'state', 'from', 'to'].includes(key))).toBe(true);
        expect(JSON.stringify(dp.attributes)).not.toContain('secret');
      }
    }
  });

  it('follows breakers added later to a registry and stops reporting gauges of removed ones', async () => {
    const { provider, read } = pipeline(AggregationTemporality.DELTA);
    const breakers = new CircuitBreakerRegistry();
    const metrics = instrumentOpenTelemetry(breakers, { meterProvider: provider });
    cleanups.push(() => metrics.close());
    const later = breakers.getOrCreate('later', { window: { type: 'count', size: 4, minimumCalls: 4 } });
    later.execute(() => 1);
    expect(() =>
      later.execute(() => {
        throw new Error('x');
      }),
    ).toThrow();
    let exported = await read();
    expect(point(exported, 'tripswitch.calls', { name: 'later', outcome: 'success' })).toBe(1);
    expect(point(exported, 'tripswitch.window.failure_ratio', { name: 'later' })).toBe(0.5);
    breakers.delete('later');
    later.execute(() => 1);
    exported = await read();
    expect(exported.has('tripswitch.calls')).toBe(false);
    expect(exported.has('tripswitch.circuit.state')).toBe(false);
  });

  it('detaches cleanly and validates its options', async () => {
    const { provider, read } = pipeline(AggregationTemporality.DELTA);
    const breaker = new CircuitBreaker('db');
    const metrics = new OpenTelemetryMetrics({ meterProvider: provider });
    const detach = metrics.attach(breaker);
    detach();
    breaker.execute(() => 1);
    expect((await read()).size).toBe(0);
    metrics.close();
    metrics.close();
    expect(() => metrics.attach(breaker)).toThrow(/after close/);
    expect(() => new OpenTelemetryMetrics({ meter: {} as never })).toThrow(/"meter"/);
    expect(() => new OpenTelemetryMetrics({ meterProvider: 1 as never })).toThrow(/"meterProvider"/);
    expect(() => new OpenTelemetryMetrics({ durationBuckets: [0] })).toThrow(RangeError);
    expect(() => new OpenTelemetryMetrics({ provider } as never)).toThrow(/unknown option "provider"/);
    expect(() => new OpenTelemetryMetrics().attach('db' as never)).toThrow(TypeError);
  });
});
