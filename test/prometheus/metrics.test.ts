import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { CircuitBreaker, CircuitBreakerRegistry, type Clock } from '../../src/index.js';
import { instrumentPrometheus, PrometheusMetrics } from '../../src/prometheus/index.js';
import { parseExposition, samplesOf, sampleValue } from './exposition.js';

/** A clock the test moves by hand. */
function manualClock(start = 1_000_000): Clock & { advance(ms: number): void } {
  let now = start;
  return {
    now: () => now,
    advance: (ms) => {
      now += ms;
    },
  };
}

const open: PrometheusMetrics[] = [];
function track(metrics: PrometheusMetrics): PrometheusMetrics {
  open.push(metrics);
  return metrics;
}
afterEach(() => {
  for (const metrics of open.splice(0)) metrics.close();
});

async function scrape(register: Registry) {
  return parseExposition(await register.metrics());
}

const fail = () => {
  throw new Error('secret database password in message');
};

describe('PrometheusMetrics', () => {
  it('declares every metric with the Prometheus naming rules, HELP and TYPE', async () => {
    const register = new Registry();
    const breakers = new CircuitBreakerRegistry();
    breakers.getOrCreate('db');
    track(instrumentPrometheus(breakers, { register }));
    const families = await scrape(register);
    expect(Object.fromEntries([...families.values()].map((family) => [family.name, family.type]))).toEqual({
      tripswitch_circuit_state: 'gauge',
      tripswitch_calls_total: 'counter',
      tripswitch_fallbacks_total: 'counter',
      tripswitch_call_duration_seconds: 'histogram',
      tripswitch_transitions_total: 'counter',
      tripswitch_window_failure_ratio: 'gauge',
      tripswitch_window_slow_call_ratio: 'gauge',
    });
    for (const family of families.values()) expect(family.help?.length).toBeGreaterThan(10);
  });

  it('exposes one state series per state, 1 for the current one', async () => {
    const register = new Registry();
    const breaker = new CircuitBreaker('db', { failureThreshold: 1 });
    track(instrumentPrometheus(breaker, { register }));
    let families = await scrape(register);
    const states = samplesOf(families, 'tripswitch_circuit_state');
    expect(states.map((sample) => sample.labels.state).sort()).toEqual([
      'closed',
      'disabled',
      'forced_closed',
      'forced_open',
      'half_open',
      'open',
    ]);
    expect(states.filter((sample) => sample.value === 1).map((sample) => sample.labels.state)).toEqual(['closed']);
    expect(() => breaker.execute(fail)).toThrow();
    families = await scrape(register);
    expect(sampleValue(families, 'tripswitch_circuit_state', { name: 'db', state: 'open' })).toBe(1);
    expect(sampleValue(families, 'tripswitch_circuit_state', { name: 'db', state: 'closed' })).toBe(0);
    expect(sampleValue(families, 'tripswitch_transitions_total', { name: 'db', from: 'closed', to: 'open' })).toBe(1);
  });

  it('counts each call once by outcome, fallbacks apart, and never puts an error message in a label', async () => {
    const register = new Registry();
    const clock = manualClock();
    const breaker = new CircuitBreaker('api', {
      failureThreshold: 3,
      slowCallThresholdMs: 100,
      ignoreErrors: (error) => error instanceof SyntaxError,
      fallback: () => 'cached',
      clock,
    });
    track(instrumentPrometheus(breaker, { register }));
    breaker.execute(() => 'ok');
    breaker.execute(() => {
      clock.advance(250);
      return 'slow';
    });
    expect(breaker.execute(fail)).toBe('cached');
    expect(() =>
      breaker.execute(() => {
        throw new SyntaxError('not counted, private detail');
      }),
    ).toThrow(SyntaxError);
    breaker.forceOpen();
    expect(breaker.execute(() => 'never')).toBe('cached');

    const families = await scrape(register);
    const calls = (outcome: string) => sampleValue(families, 'tripswitch_calls_total', { name: 'api', outcome });
    expect([calls('success'), calls('slow'), calls('failure'), calls('timeout'), calls('rejected'), calls('ignored')]).toEqual([
      1, 1, 1, 0, 1, 1,
    ]);
    expect(sampleValue(families, 'tripswitch_fallbacks_total', { name: 'api' })).toBe(2);
    expect(sampleValue(families, 'tripswitch_call_duration_seconds_count', { name: 'api', outcome: 'slow' })).toBe(1);
    expect(sampleValue(families, 'tripswitch_call_duration_seconds_sum', { name: 'api', outcome: 'slow' })).toBeCloseTo(0.25);
    expect(sampleValue(families, 'tripswitch_call_duration_seconds_bucket', { name: 'api', outcome: 'slow', le: '0.1' })).toBe(0);
    expect(sampleValue(families, 'tripswitch_call_duration_seconds_bucket', { name: 'api', outcome: 'slow', le: '0.25' })).toBe(1);
    expect(sampleValue(families, 'tripswitch_transitions_total', { name: 'api', from: 'closed', to: 'forced_open' })).toBe(1);

    const labelNames = new Set<string>();
    for (const family of families.values()) {
      for (const sample of family.samples) {
        for (const [key, value] of Object.entries(sample.labels)) {
          labelNames.add(key);
          expect(value).not.toMatch(/secret|private/);
        }
      }
    }
    expect([...labelNames].sort()).toEqual(['from', 'le', 'name', 'outcome', 'state', 'to']);
  });

  it('times out calls under the timeout outcome', async () => {
    const register = new Registry();
    const breaker = new CircuitBreaker('slow-api', { callTimeoutMs: 10 });
    track(instrumentPrometheus(breaker, { register }));
    await expect(breaker.execute(() => new Promise((resolve) => setTimeout(resolve, 200)))).rejects.toThrow();
    const families = await scrape(register);
    expect(sampleValue(families, 'tripswitch_calls_total', { name: 'slow-api', outcome: 'timeout' })).toBe(1);
    expect(sampleValue(families, 'tripswitch_calls_total', { name: 'slow-api', outcome: 'failure' })).toBe(0);
  });

  it('reports the window rates', async () => {
    const register = new Registry();
    const breaker = new CircuitBreaker('rates', { window: { type: 'count', size: 10, minimumCalls: 10 } });
    track(instrumentPrometheus(breaker, { register }));
    breaker.execute(() => 1);
    expect(() => breaker.execute(fail)).toThrow();
    const families = await scrape(register);
    expect(sampleValue(families, 'tripswitch_window_failure_ratio', { name: 'rates' })).toBe(0.5);
    expect(sampleValue(families, 'tripswitch_window_slow_call_ratio', { name: 'rates' })).toBe(0);
  });

  it('follows breakers added to a registry later and drops the series of removed ones', async () => {
    const register = new Registry();
    const breakers = new CircuitBreakerRegistry();
    track(instrumentPrometheus(breakers, { register }));
    const hosts = breakers.family('host', {}, { maxSize: 1 });
    hosts.get('a').execute(() => 1);
    let families = await scrape(register);
    expect(sampleValue(families, 'tripswitch_calls_total', { name: 'host:a', outcome: 'success' })).toBe(1);

    hosts.get('b').execute(() => 1); // evicts host:a
    families = await scrape(register);
    for (const family of families.values()) {
      for (const sample of family.samples) expect(sample.labels.name).not.toBe('host:a');
    }
    expect(sampleValue(families, 'tripswitch_circuit_state', { name: 'host:b', state: 'closed' })).toBe(1);
    expect(sampleValue(families, 'tripswitch_calls_total', { name: 'host:b', outcome: 'success' })).toBe(1);
  });

  it('detaches cleanly: no more counting, no series, metrics unregistered on close', async () => {
    const register = new Registry();
    const breakers = new CircuitBreakerRegistry();
    const db = breakers.getOrCreate('db');
    const metrics = track(new PrometheusMetrics({ register }));
    const detach = metrics.attach(breakers);
    db.execute(() => 1);
    detach();
    detach(); // idempotent
    db.execute(() => 1);
    breakers.getOrCreate('later').execute(() => 1);
    const families = await scrape(register);
    expect(samplesOf(families, 'tripswitch_calls_total')).toEqual([]);
    expect(samplesOf(families, 'tripswitch_circuit_state')).toEqual([]);
    metrics.close();
    expect((await register.metrics()).trim()).toBe('');
    expect(() => metrics.attach(db)).toThrow(/after close/);
    // A new instance can register again once the old one is closed.
    track(new PrometheusMetrics({ register }));
  });

  it('counts a breaker attached twice (registry and directly) once', async () => {
    const register = new Registry();
    const breakers = new CircuitBreakerRegistry();
    const db = breakers.getOrCreate('db');
    const metrics = track(new PrometheusMetrics({ register }));
    metrics.attach(breakers);
    const detachDb = metrics.attach(db);
    db.execute(() => 1);
    detachDb();
    db.execute(() => 1);
    const families = await scrape(register);
    expect(sampleValue(families, 'tripswitch_calls_total', { name: 'db', outcome: 'success' })).toBe(2);
  });

  it('escapes breaker names in label values', async () => {
    const register = new Registry();
    const name = 'quote " backslash \\ end <b>';
    track(instrumentPrometheus(new CircuitBreaker(name), { register }));
    const families = await scrape(register);
    expect(sampleValue(families, 'tripswitch_circuit_state', { name, state: 'closed' })).toBe(1);
  });

  it('takes a prefix and buckets, and validates its options', () => {
    const register = new Registry();
    const metrics = track(new PrometheusMetrics({ register, prefix: 'app_cb_', durationBuckets: [0.1, 1] }));
    expect(register.getSingleMetric('app_cb_calls_total')).toBeDefined();
    expect(() => new PrometheusMetrics({ register, prefix: 'app_cb_' })).toThrow(/already registered/);
    expect(() => new PrometheusMetrics({ register, prefix: 'bad-prefix' })).toThrow(TypeError);
    expect(() => new PrometheusMetrics({ register, durationBuckets: [1, 0.5] })).toThrow(/strictly increasing/);
    expect(() => new PrometheusMetrics({ register, durationBuckets: [Number.NaN] })).toThrow(RangeError);
    expect(() => new PrometheusMetrics({ register, durationBuckets: [] })).toThrow(/durationBuckets/);
    expect(() => new PrometheusMetrics({ register: {} as Registry })).toThrow(/"register"/);
    expect(() => new PrometheusMetrics({ registry: register } as never)).toThrow(/unknown option "registry"/);
    expect(() => metrics.attach({} as never)).toThrow(/CircuitBreakerRegistry or a CircuitBreaker/);
  });

  it('uses the global prom-client register by default', async () => {
    const { register } = await import('prom-client');
    const metrics = track(instrumentPrometheus(new CircuitBreaker('global')));
    expect(metrics.register).toBe(register);
    expect(sampleValue(parseExposition(await register.metrics()), 'tripswitch_circuit_state', { name: 'global', state: 'closed' })).toBe(1);
  });
});
