import { Counter, Gauge, register as globalRegister, Histogram, type Registry } from 'prom-client';
import { type CircuitBreaker, CircuitState } from '../index.js';
import { checkBuckets, checkPrefix, DEFAULT_DURATION_BUCKETS, DEFAULT_PREFIX, METRIC_SUFFIXES } from './names.js';
import { CALL_OUTCOMES, type CallOutcome, listenToOutcomes } from './outcomes.js';
import { BreakerFollower, type BreakerSource, describe } from './watch-breakers.js';

/** Options of {@link PrometheusMetrics}. */
export interface PrometheusOptions {
  /** The prom-client registry to register with. Default: prom-client's global `register`. */
  readonly register?: Registry;
  /** Prefix of every metric name. Default `'tripswitch_'`. */
  readonly prefix?: string;
  /** Histogram buckets of `call_duration_seconds`, in seconds. Default 5 ms to 10 s. */
  readonly durationBuckets?: readonly number[];
}

const STATES = Object.values(CircuitState);
const DURATION_OUTCOMES: readonly CallOutcome[] = ['success', 'slow', 'failure', 'timeout'];
const OPTION_KEYS = ['register', 'prefix', 'durationBuckets'];

/**
 * The breakers' metrics in a prom-client registry: state, calls by outcome,
 * fallbacks, call duration, transitions and the window's rates. Attach it to
 * a breaker registry (every present and future breaker) or to one breaker.
 *
 * @example
 * ```ts
 * import { register } from 'prom-client';
 * import { defaultRegistry } from 'tripswitch';
 * import { PrometheusMetrics } from 'tripswitch/prometheus';
 * const metrics = new PrometheusMetrics({ register });
 * metrics.attach(defaultRegistry);
 * // later: metrics.close();
 * ```
 */
export class PrometheusMetrics {
  /** The prom-client registry the metrics live in. */
  readonly register: Registry;
  /** The prefix of every metric name. */
  readonly prefix: string;
  private readonly state: Gauge<'name' | 'state'>;
  private readonly calls: Counter<'name' | 'outcome'>;
  private readonly fallbacks: Counter<'name'>;
  private readonly duration: Histogram<'name' | 'outcome'>;
  private readonly transitions: Counter<'name' | 'from' | 'to'>;
  private readonly failureRatio: Gauge<'name'>;
  private readonly slowCallRatio: Gauge<'name'>;
  /** The breakers followed now, through every attachment. */
  private readonly follower = new BreakerFollower('PrometheusMetrics', (breaker) => this.follow(breaker));

  constructor(options: PrometheusOptions = {}) {
    if (typeof options !== 'object' || options === null)
      throw new TypeError(`PrometheusMetrics options must be an object, got ${describe(options)}`);
    for (const key of Object.keys(options)) {
      if (!OPTION_KEYS.includes(key))
        throw new TypeError(`PrometheusMetrics: unknown option ${JSON.stringify(key)} (allowed: ${OPTION_KEYS.join(', ')})`);
    }
    const register = options.register ?? globalRegister;
    if (typeof register?.registerMetric !== 'function' || typeof register.getSingleMetric !== 'function') {
      throw new TypeError(`option "register" must be a prom-client Registry, got ${describe(register)}`);
    }
    this.register = register;
    const prefix = checkPrefix(options.prefix ?? DEFAULT_PREFIX);
    this.prefix = prefix;
    const buckets = checkBuckets(options.durationBuckets ?? DEFAULT_DURATION_BUCKETS);
    for (const suffix of Object.values(METRIC_SUFFIXES)) {
      if (register.getSingleMetric(prefix + suffix) !== undefined) {
        throw new Error(
          `PrometheusMetrics: "${prefix}${suffix}" is already registered in this prom-client registry; close() the other PrometheusMetrics first or use another prefix`,
        );
      }
    }
    const registers = [register];
    const follower = this.follower;
    this.state = new Gauge({
      name: prefix + METRIC_SUFFIXES.state,
      help: 'Circuit state: 1 for the current state of the breaker, 0 for the others.',
      labelNames: ['name', 'state'],
      registers,
      collect() {
        this.reset();
        for (const breaker of follower.breakers()) {
          const current = breaker.state;
          for (const state of STATES) this.set({ name: breaker.name, state }, state === current ? 1 : 0);
        }
      },
    });
    this.calls = new Counter({
      name: prefix + METRIC_SUFFIXES.calls,
      help: 'Calls through the breaker by outcome (success, slow, failure, timeout, rejected, ignored); each call counted once.',
      labelNames: ['name', 'outcome'],
      registers,
    });
    this.fallbacks = new Counter({
      name: prefix + METRIC_SUFFIXES.fallbacks,
      help: 'Fallbacks run in place of a result (after a rejection, timeout or failure).',
      labelNames: ['name'],
      registers,
    });
    this.duration = new Histogram({
      name: prefix + METRIC_SUFFIXES.duration,
      help: 'Duration of the calls that ran, by outcome (success, slow, failure, timeout), in seconds.',
      labelNames: ['name', 'outcome'],
      buckets,
      registers,
    });
    this.transitions = new Counter({
      name: prefix + METRIC_SUFFIXES.transitions,
      help: 'State transitions of the breaker, by from and to state.',
      labelNames: ['name', 'from', 'to'],
      registers,
    });
    this.failureRatio = new Gauge({
      name: prefix + METRIC_SUFFIXES.failureRatio,
      help: 'Failure rate (0..1) of the calls in the breaker window now.',
      labelNames: ['name'],
      registers,
      collect() {
        this.reset();
        for (const breaker of follower.breakers()) this.set({ name: breaker.name }, breaker.stats().window.failureRate);
      },
    });
    this.slowCallRatio = new Gauge({
      name: prefix + METRIC_SUFFIXES.slowCallRatio,
      help: 'Slow-call rate (0..1) of the calls in the breaker window now.',
      labelNames: ['name'],
      registers,
      collect() {
        this.reset();
        for (const breaker of follower.breakers()) this.set({ name: breaker.name }, breaker.stats().window.slowCallRate);
      },
    });
  }

  /**
   * Follows `source`: a breaker registry (its present and future breakers, and
   * dropping the series of removed ones) or one breaker. Returns the function
   * that stops following it; attaching the same breaker twice counts it once.
   */
  attach(source: BreakerSource): () => void {
    return this.follower.attach(source);
  }

  /** Detaches from everything and unregisters the metrics from the prom-client registry. Idempotent. */
  close(): void {
    if (!this.follower.close()) return;
    for (const suffix of Object.values(METRIC_SUFFIXES)) {
      if (this.register.getSingleMetric(this.prefix + suffix) !== undefined) this.register.removeSingleMetric(this.prefix + suffix);
    }
  }

  /** Starts counting one breaker's calls; returns the function that stops and drops its series. */
  private follow(breaker: CircuitBreaker): () => void {
    const off = listenToOutcomes(breaker, {
      call: (name, outcome, durationMs) => {
        this.calls.inc({ name, outcome });
        if (durationMs !== undefined && durationMs >= 0) this.duration.observe({ name, outcome }, durationMs / 1000);
      },
      fallback: (name) => this.fallbacks.inc({ name }),
      transition: (name, from, to) => this.transitions.inc({ name, from, to }),
    });
    this.seed(breaker.name);
    return () => {
      off();
      this.dropSeries(breaker.name);
    };
  }

  /** Creates every call series at 0, so `rate()` and `increase()` see the first increment. */
  private seed(name: string): void {
    for (const outcome of CALL_OUTCOMES) this.calls.inc({ name, outcome }, 0);
    this.fallbacks.inc({ name }, 0);
  }

  private dropSeries(name: string): void {
    // Another followed breaker with the same name (from another registry) keeps the shared series.
    for (const other of this.follower.breakers()) if (other.name === name) return;
    for (const outcome of CALL_OUTCOMES) this.calls.remove({ name, outcome });
    for (const outcome of DURATION_OUTCOMES) this.duration.remove({ name, outcome });
    this.fallbacks.remove({ name });
    for (const from of STATES) for (const to of STATES) this.transitions.remove({ name, from, to });
  }
}

/**
 * Creates {@link PrometheusMetrics} and attaches it to `source` in one call.
 *
 * @example
 * ```ts
 * import { defaultRegistry } from 'tripswitch';
 * import { instrumentPrometheus } from 'tripswitch/prometheus';
 * const metrics = instrumentPrometheus(defaultRegistry);
 * ```
 */
export function instrumentPrometheus(source: BreakerSource, options?: PrometheusOptions): PrometheusMetrics {
  const metrics = new PrometheusMetrics(options);
  try {
    metrics.attach(source);
  } catch (error) {
    metrics.close();
    throw error;
  }
  return metrics;
}
