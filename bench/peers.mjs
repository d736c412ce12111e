// One adapter per library: the same breaker config expressed in each library's own terms.
// Every adapter returns { call, close, isOpenError, config } where `call()` runs the guarded fn once.
import { BrokenCircuitError, ConsecutiveBreaker, CountBreaker, circuitBreaker, handleAll, SamplingBreaker } from 'cockatiel';
import { BreakerError, Circuit, SlidingCountBreaker, SlidingTimeBreaker } from 'mollitia';
import OpossumBreaker from 'opossum';
import { tripswitch as lib } from './lib.mjs';

const { CircuitBreaker, isCircuitOpenError } = lib;

export const RESET_MS = 30_000;
/** Long enough that a tripped circuit stays open for the whole run. */
export const LONG_RESET_MS = 3_600_000;

let serial = 0;
const nextName = (prefix) => `${prefix}-${++serial}`;

/**
 * Windows, named once and mapped per library:
 * - consecutive: 5 failures in a row (tripswitch default; cockatiel ConsecutiveBreaker(5);
 *   mollitia SlidingCountBreaker of 5 calls at >= 99% failure = 5 in a row (its check is `threshold < 100 && rate >= threshold`, so 100 would never trip); opossum has none: its default
 *   rolling 10 s window at 50%, volumeThreshold 0).
 * - count100: last 100 calls, at least 10, 50% failure rate.
 * - time10s: last 10 s in 10 buckets, at least 10 calls, 50% failure rate.
 */
export const WINDOWS = ['consecutive', 'count100', 'time10s', 'count10', 'count10000'];

const countSize = (window) => Number(window.slice('count'.length));

function tripswitchConfig(window, resetMs, extra) {
  const base = { resetTimeoutMs: resetMs, ...extra };
  if (window === 'consecutive') return { ...base, failureThreshold: 5 };
  if (window.startsWith('count')) {
    const size = countSize(window);
    return { ...base, window: { type: 'count', size, minimumCalls: Math.min(10, size), failureRateThreshold: 0.5 } };
  }
  return { ...base, window: { type: 'time', durationMs: 10_000, buckets: 10, minimumCalls: 10, failureRateThreshold: 0.5 } };
}

/**
 * tripswitch through `wrap` (the recommended hot path) or `execute`. `store` (workload 8) is a StateStore,
 * described in the config text by `storeLabel` (a store holds connections: it cannot go through JSON).
 */
export function tripswitch(fn, { window = 'consecutive', resetMs = RESET_MS, extra = {}, via = 'wrap', store, storeLabel } = {}) {
  const config = tripswitchConfig(window, resetMs, extra);
  const breaker = new CircuitBreaker(nextName('ts'), store === undefined ? config : { ...config, store });
  const described = store === undefined ? JSON.stringify(config) : `${JSON.stringify(config).slice(0, -1)},"store":${storeLabel}}`;
  const call = via === 'wrap' ? breaker.wrap(fn) : () => breaker.execute(fn);
  return {
    breaker,
    call,
    close() {},
    isOpenError: (error) => isCircuitOpenError(error) && error.breakerName === breaker.name && typeof error.retryAfter === 'number',
    config: `new CircuitBreaker(name, ${described}).${via === 'wrap' ? 'wrap(fn)' : 'execute(fn)'}`,
  };
}

export function cockatiel(fn, { window = 'consecutive', resetMs = RESET_MS } = {}) {
  let breaker;
  let described;
  if (window === 'consecutive') {
    breaker = new ConsecutiveBreaker(5);
    described = 'new ConsecutiveBreaker(5)';
  } else if (window.startsWith('count')) {
    const size = countSize(window);
    const options = { threshold: 0.5, size, minimumNumberOfCalls: Math.min(10, size) };
    breaker = new CountBreaker(options);
    described = `new CountBreaker(${JSON.stringify(options)})`;
  } else {
    // SamplingBreaker has no minimum call count, only a minimum rate: 10 calls over 10 s is 1 rps.
    const options = { threshold: 0.5, duration: 10_000, minimumRps: 1 };
    breaker = new SamplingBreaker(options);
    described = `new SamplingBreaker(${JSON.stringify(options)})`;
  }
  const policy = circuitBreaker(handleAll, { halfOpenAfter: resetMs, breaker });
  return {
    policy,
    call: () => policy.execute(fn),
    close() {},
    isOpenError: (error) => error instanceof BrokenCircuitError,
    config: `circuitBreaker(handleAll, { halfOpenAfter: ${resetMs}, breaker: ${described} }).execute(fn)`,
  };
}

/** opossum: `timeout` is its per-call timer (default 10 s, a setTimeout per call); `false` turns it off. */
export function opossum(fn, { window = 'consecutive', resetMs = RESET_MS, timeout = 'default' } = {}) {
  if (window.startsWith('count')) return undefined; // opossum has no count window
  const options = { resetTimeout: resetMs, errorThresholdPercentage: 50, rollingCountTimeout: 10_000, rollingCountBuckets: 10 };
  if (window === 'time10s') options.volumeThreshold = 10;
  if (timeout === false) options.timeout = false;
  const described = JSON.stringify(options);
  // opossum writes its defaults into the options object it is given: always hand it a fresh one.
  const breaker = new OpossumBreaker(fn, { ...options, name: nextName('op') });
  return {
    breaker,
    call: () => breaker.fire(),
    close: () => breaker.shutdown(),
    isOpenError: (error) => error?.code === 'EOPENBREAKER',
    config: `new CircuitBreaker(fn, ${described}).fire()`,
  };
}

/** mollitia: a Circuit with one sliding-window breaker module. */
export function mollitia(fn, { window = 'consecutive', resetMs = RESET_MS, slowMs } = {}) {
  let module;
  let described;
  // mollitia reads two `new Date()` per call whatever the options; its slow-call threshold defaults to 60 s.
  const slow = slowMs === undefined ? {} : { slowCallDurationThreshold: slowMs };
  if (window === 'consecutive' || window.startsWith('count')) {
    const size = window === 'consecutive' ? 5 : countSize(window);
    const options =
      window === 'consecutive'
        ? { slidingWindowSize: 5, minimumNumberOfCalls: 5, failureRateThreshold: 99, openStateDelay: resetMs, ...slow }
        : { slidingWindowSize: size, minimumNumberOfCalls: Math.min(10, size), failureRateThreshold: 50, openStateDelay: resetMs, ...slow };
    module = new SlidingCountBreaker(options);
    described = `new SlidingCountBreaker(${JSON.stringify(options)})`;
  } else {
    const options = { slidingWindowSize: 10_000, minimumNumberOfCalls: 10, failureRateThreshold: 50, openStateDelay: resetMs, ...slow };
    module = new SlidingTimeBreaker(options);
    described = `new SlidingTimeBreaker(${JSON.stringify(options)})`;
  }
  const circuit = new Circuit({ name: nextName('mo'), func: fn, options: { modules: [module] } });
  return {
    circuit,
    call: () => circuit.execute(),
    close: () => circuit.dispose(),
    isOpenError: (error) => error instanceof BreakerError,
    config: `new Circuit({ func: fn, options: { modules: [${described}] } }).execute()`,
  };
}

export const VERSIONS = {};
for (const name of ['opossum', 'cockatiel', 'mollitia', 'mitata']) {
  try {
    const { createRequire } = await import('node:module');
    VERSIONS[name] = createRequire(import.meta.url)(`${name}/package.json`).version;
  } catch {
    const { readFile } = await import('node:fs/promises');
    const url = new URL(`../node_modules/${name}/package.json`, import.meta.url);
    VERSIONS[name] = JSON.parse(await readFile(url, 'utf8')).version;
  }
}
