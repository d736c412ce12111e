import type { StateStore } from '../store/state-store.js';
import type { BackoffConfig, ResolvedBackoff } from './backoff.js';
import { type Clock, systemClock } from './clock.js';
import { describeValue } from './describe-value.js';
import type { Logger } from './logger.js';
import type { BreakerSnapshot } from './snapshot.js';
import { expectBoolean, expectFunction, expectNumber, expectObject, optionalNumber, own, ownOr, rejectUnknownKeys } from './validate.js';

/** Error classes to match with `instanceof`, or a predicate over the thrown value. */
export type ErrorMatcher = readonly (abstract new (...args: never[]) => unknown)[] | ((error: unknown) => boolean);

/**
 * How failures are counted while CLOSED.
 * - `consecutive` (default): `failureThreshold` failures in a row trip the circuit.
 * - `count`: the last `size` calls; trips when at least `minimumCalls` were seen
 *   and the failure (or slow) rate reaches its threshold.
 * - `time`: the calls of the last `durationMs`, in `buckets` slots; same rule.
 */
export type WindowConfig =
  | { readonly type: 'consecutive' }
  | { readonly type: 'count'; readonly size?: number; readonly minimumCalls?: number; readonly failureRateThreshold?: number }
  | {
      readonly type: 'time';
      readonly durationMs?: number;
      readonly buckets?: number;
      readonly minimumCalls?: number;
      readonly failureRateThreshold?: number;
    };

/**
 * Options of a {@link CircuitBreaker} (the seed's `CircuitBreakerConfig`).
 * Every field is optional; the README lists each default.
 *
 * @example
 * ```ts
 * import { CircuitBreaker, type CircuitBreakerConfig } from 'tripswitch';
 * const config: CircuitBreakerConfig = { failureThreshold: 3, resetTimeoutMs: 10_000 };
 * const breaker = new CircuitBreaker('payments', config);
 * ```
 */
export interface CircuitBreakerConfig {
  /** Consecutive failures that open the circuit (consecutive window only). Default 5. */
  readonly failureThreshold?: number;
  /** Successful trial calls in HALF_OPEN that close it. Default 1. */
  readonly successThreshold?: number;
  /** Milliseconds the circuit stays OPEN before a trial is allowed (the seed's `timeout`). Default 30 000. */
  readonly resetTimeoutMs?: number;
  /** Trial calls allowed in flight at once while HALF_OPEN. Default 1. */
  readonly halfOpenMaxCalls?: number;
  /** Longest HALF_OPEN may wait for its trial calls before re-opening; `Infinity` to wait forever. Default 60 000. */
  readonly maxHalfOpenWaitMs?: number;
  /** How failures are counted in CLOSED. Default `{ type: 'consecutive' }`. */
  readonly window?: WindowConfig;
  /** A successful call slower than this (ms) counts as slow. Off by default. */
  readonly slowCallThresholdMs?: number;
  /** Slow-call rate (0..1) in a count or time window that opens the circuit. Default 1 when `slowCallThresholdMs` is set. */
  readonly slowCallRateThreshold?: number;
  /** Time limit per async call, in ms; the call rejects with `CallTimeoutError` and counts as a failure. Off by default. */
  readonly callTimeoutMs?: number;
  /** Grow the open duration on consecutive re-opens. Off by default. */
  readonly backoff?: BackoffConfig;
  /** Move OPEN to HALF_OPEN on an unref'd timer instead of on the next call. Default false. */
  readonly autoTransition?: boolean;
  /** Errors that count as failures (the seed's `exception_types`). Default: every error. */
  readonly recordErrors?: ErrorMatcher;
  /** Errors that never count, even if `recordErrors` matches them. Default: none. */
  readonly ignoreErrors?: ErrorMatcher;
  /** A returned value that counts as a failure (an HTTP 503, say). Default: none. */
  readonly isFailureResult?: (result: unknown) => boolean;
  /** Runs instead of failing when a call is rejected, times out, or fails; its value becomes the call's result. */
  // biome-ignore lint/suspicious/noExplicitAny: the fallback receives the wrapped function's own arguments, whatever they are
  readonly fallback?: (error: unknown, ...args: any[]) => unknown;
  /** Source of time. Default `Date.now()`. */
  readonly clock?: Clock;
  /** Where transitions are logged. Default: the logger set by `setDefaultLogger()` (silent unless set). */
  readonly logger?: Logger;
  /** A snapshot from `toJSON()` to start from (restart without forgetting an open circuit). */
  readonly initialState?: BreakerSnapshot;
  /** Where state is shared with other breakers of the same name (other processes, with `RedisStateStore`). Default: none. */
  readonly store?: StateStore;
}

/** The config after validation, with every default filled in. Frozen. */
export interface ResolvedConfig {
  readonly failureThreshold: number;
  readonly successThreshold: number;
  readonly resetTimeoutMs: number;
  readonly halfOpenMaxCalls: number;
  readonly maxHalfOpenWaitMs: number;
  readonly window: ResolvedWindow;
  readonly slowCallThresholdMs: number | undefined;
  readonly slowCallRateThreshold: number | undefined;
  readonly callTimeoutMs: number | undefined;
  readonly backoff: ResolvedBackoff | undefined;
  readonly autoTransition: boolean;
  readonly recordErrors: ((error: unknown) => boolean) | undefined;
  readonly ignoreErrors: ((error: unknown) => boolean) | undefined;
  readonly isFailureResult: ((result: unknown) => boolean) | undefined;
  // biome-ignore lint/suspicious/noExplicitAny: see CircuitBreakerConfig.fallback
  readonly fallback: ((error: unknown, ...args: any[]) => unknown) | undefined;
  readonly clock: Clock;
  readonly logger: Logger | undefined;
  readonly initialState: BreakerSnapshot | undefined;
  readonly store: StateStore | undefined;
}

/** A validated window config. */
export type ResolvedWindow =
  | { readonly type: 'consecutive' }
  | { readonly type: 'count'; readonly size: number; readonly minimumCalls: number; readonly failureRateThreshold: number }
  | {
      readonly type: 'time';
      readonly durationMs: number;
      readonly buckets: number;
      readonly minimumCalls: number;
      readonly failureRateThreshold: number;
    };

/** Every option key a breaker accepts, in README order. */
export const CONFIG_KEYS = [
  'failureThreshold',
  'successThreshold',
  'resetTimeoutMs',
  'halfOpenMaxCalls',
  'maxHalfOpenWaitMs',
  'window',
  'slowCallThresholdMs',
  'slowCallRateThreshold',
  'callTimeoutMs',
  'backoff',
  'autoTransition',
  'recordErrors',
  'ignoreErrors',
  'isFailureResult',
  'fallback',
  'clock',
  'logger',
  'initialState',
  'store',
] as const;

/** Option names from the seed module and from other libraries, and what they are called here. */
const OPTION_HINTS: Readonly<Record<string, string>> = Object.freeze({
  timeout: '"resetTimeoutMs" (how long the circuit stays open) or "callTimeoutMs" (a limit per call)',
  resetTimeout: '"resetTimeoutMs"',
  halfOpenAfter: '"resetTimeoutMs"',
  waitDurationInOpenState: '"resetTimeoutMs"',
  failure_threshold: '"failureThreshold"',
  success_threshold: '"successThreshold"',
  exception_types: '"recordErrors"',
  exceptionTypes: '"recordErrors"',
  recordExceptions: '"recordErrors"',
  ignoreExceptions: '"ignoreErrors"',
  errorFilter: '"ignoreErrors"',
  errorThresholdPercentage: '"window.failureRateThreshold" (a rate from 0 to 1)',
  failureRateThreshold: '"window.failureRateThreshold"',
  volumeThreshold: '"window.minimumCalls"',
  minimumNumberOfCalls: '"window.minimumCalls"',
  permittedNumberOfCallsInHalfOpenState: '"halfOpenMaxCalls"',
  slowCallDurationThreshold: '"slowCallThresholdMs"',
  name: 'the first argument of new CircuitBreaker(name, config)',
});

/** Defaults of the numeric options, as documented in the README. */
export const DEFAULTS = Object.freeze({
  failureThreshold: 5,
  successThreshold: 1,
  resetTimeoutMs: 30_000,
  halfOpenMaxCalls: 1,
  maxHalfOpenWaitMs: 60_000,
  countWindowSize: 100,
  timeWindowDurationMs: 10_000,
  timeWindowBuckets: 10,
  minimumCalls: 10,
  failureRateThreshold: 0.5,
  backoffMultiplier: 2,
  backoffMaxFactor: 10,
});

/** Longest accepted duration: about 24.8 days, the largest delay a JS timer can hold. */
export const MAX_DURATION_MS = 2_147_483_647;

const MS = { min: 0, max: MAX_DURATION_MS } as const;
const RATE = { min: 0, max: 1 } as const;

/**
 * Validates options into a frozen {@link ResolvedConfig}. Throws a TypeError or
 * RangeError naming the first bad option and its value; never mutates `input`.
 * Snapshots in `initialState` are validated by the breaker, which knows its name.
 */
export function resolveConfig(input: CircuitBreakerConfig | ResolvedConfig | undefined): ResolvedConfig {
  if (input === undefined) {
    defaultConfig ??= resolveConfig({});
    return defaultConfig;
  }
  // A resolved config is frozen and complete: breakers made from one share it instead of holding a copy each.
  if (isResolvedConfig(input)) return input;
  const resolved = resolveFresh(input);
  resolvedConfigs.add(resolved);
  return resolved;
}

/** Configs made by {@link resolveConfig}. */
const resolvedConfigs = new WeakSet<object>();
let defaultConfig: ResolvedConfig | undefined;

/** Whether `value` is a config returned by {@link resolveConfig} (such as `breaker.config`). */
export function isResolvedConfig(value: unknown): value is ResolvedConfig {
  return typeof value === 'object' && value !== null && resolvedConfigs.has(value);
}

function resolveFresh(input: CircuitBreakerConfig): ResolvedConfig {
  const raw = expectObject(input, 'config');
  rejectUnknownKeys(raw, CONFIG_KEYS, 'CircuitBreakerConfig', OPTION_HINTS);
  const get = (key: (typeof CONFIG_KEYS)[number]) => own(raw, key);
  const getOr = (key: (typeof CONFIG_KEYS)[number], fallback: unknown) => ownOr(raw, key, fallback);

  const resetTimeoutMs = expectNumber(getOr('resetTimeoutMs', DEFAULTS.resetTimeoutMs), 'resetTimeoutMs', MS);
  const slowCallThresholdMs = optionalNumber(get('slowCallThresholdMs'), 'slowCallThresholdMs', MS);
  const slowCallRateInput = optionalNumber(get('slowCallRateThreshold'), 'slowCallRateThreshold', RATE);
  const window = resolveWindow(get('window'));

  const failureThresholdInput = get('failureThreshold');
  if (failureThresholdInput !== undefined && window.type !== 'consecutive') {
    throw new RangeError(
      `option "failureThreshold" applies to the consecutive window only; with window type "${window.type}" use "window.failureRateThreshold" (got failureThreshold ${describeValue(failureThresholdInput)})`,
    );
  }
  if (slowCallRateInput !== undefined && slowCallThresholdMs === undefined) {
    throw new RangeError(
      `option "slowCallRateThreshold" needs "slowCallThresholdMs" to say which calls are slow (got slowCallRateThreshold ${slowCallRateInput})`,
    );
  }
  if (slowCallRateInput !== undefined && window.type === 'consecutive') {
    throw new RangeError(
      `option "slowCallRateThreshold" needs a "count" or "time" window (got ${slowCallRateInput} with the consecutive window)`,
    );
  }

  const resolved: ResolvedConfig = {
    failureThreshold: expectNumber(
      failureThresholdInput === undefined ? DEFAULTS.failureThreshold : failureThresholdInput,
      'failureThreshold',
      { integer: true, min: 1 },
    ),
    successThreshold: expectNumber(getOr('successThreshold', DEFAULTS.successThreshold), 'successThreshold', { integer: true, min: 1 }),
    resetTimeoutMs,
    halfOpenMaxCalls: expectNumber(getOr('halfOpenMaxCalls', DEFAULTS.halfOpenMaxCalls), 'halfOpenMaxCalls', { integer: true, min: 1 }),
    maxHalfOpenWaitMs: expectNumber(getOr('maxHalfOpenWaitMs', DEFAULTS.maxHalfOpenWaitMs), 'maxHalfOpenWaitMs', {
      ...MS,
      allowInfinity: true,
    }),
    window,
    slowCallThresholdMs,
    // With a rate window, slow calls trip only at 100% unless told otherwise (resilience4j's default).
    slowCallRateThreshold: slowCallThresholdMs !== undefined && window.type !== 'consecutive' ? (slowCallRateInput ?? 1) : undefined,
    callTimeoutMs: optionalNumber(get('callTimeoutMs'), 'callTimeoutMs', { ...MS, min: 1 }),
    backoff: resolveBackoff(get('backoff'), resetTimeoutMs),
    autoTransition: get('autoTransition') === undefined ? false : expectBoolean(get('autoTransition'), 'autoTransition'),
    recordErrors: resolveMatcher(get('recordErrors'), 'recordErrors'),
    ignoreErrors: resolveMatcher(get('ignoreErrors'), 'ignoreErrors'),
    isFailureResult: get('isFailureResult') === undefined ? undefined : expectFunction(get('isFailureResult'), 'isFailureResult'),
    fallback: get('fallback') === undefined ? undefined : expectFunction(get('fallback'), 'fallback'),
    clock: resolveClock(get('clock')),
    logger: resolveLogger(get('logger')),
    initialState:
      get('initialState') === undefined ? undefined : (expectObject(get('initialState'), 'initialState') as unknown as BreakerSnapshot),
    store: resolveStore(get('store')),
  };
  return Object.freeze(resolved);
}

function resolveWindow(input: unknown): ResolvedWindow {
  if (input === undefined) return Object.freeze({ type: 'consecutive' });
  const raw = expectObject(input, 'window');
  const type = own(raw, 'type');
  switch (type) {
    case 'consecutive':
      rejectUnknownKeys(raw, ['type'], 'window (consecutive)');
      return Object.freeze({ type });
    case 'count': {
      rejectUnknownKeys(raw, ['type', 'size', 'minimumCalls', 'failureRateThreshold'], 'window (count)');
      // 16M outcomes is 16 MB of ring: far past any sensible window, and a guard against typos.
      const size = expectNumber(ownOr(raw, 'size', DEFAULTS.countWindowSize), 'window.size', { integer: true, min: 1, max: 16_777_216 });
      const minimumCalls = expectNumber(ownOr(raw, 'minimumCalls', Math.min(DEFAULTS.minimumCalls, size)), 'window.minimumCalls', {
        integer: true,
        min: 1,
        max: size,
      });
      return Object.freeze({ type, size, minimumCalls, failureRateThreshold: resolveRate(raw) });
    }
    case 'time': {
      rejectUnknownKeys(raw, ['type', 'durationMs', 'buckets', 'minimumCalls', 'failureRateThreshold'], 'window (time)');
      const durationMs = expectNumber(ownOr(raw, 'durationMs', DEFAULTS.timeWindowDurationMs), 'window.durationMs', { ...MS, min: 1 });
      const buckets = expectNumber(ownOr(raw, 'buckets', DEFAULTS.timeWindowBuckets), 'window.buckets', {
        integer: true,
        min: 1,
        max: 10_000,
      });
      if (durationMs / buckets < 1) {
        throw new RangeError(
          `option "window.buckets" must leave buckets at least 1 ms wide (durationMs ${durationMs} / buckets ${buckets})`,
        );
      }
      const minimumCalls = expectNumber(ownOr(raw, 'minimumCalls', DEFAULTS.minimumCalls), 'window.minimumCalls', {
        integer: true,
        min: 1,
      });
      return Object.freeze({ type, durationMs, buckets, minimumCalls, failureRateThreshold: resolveRate(raw) });
    }
    default:
      throw new TypeError(`option "window.type" must be "consecutive", "count" or "time", got ${describeValue(type)}`);
  }
}

function resolveRate(raw: Record<string, unknown>): number {
  return expectNumber(ownOr(raw, 'failureRateThreshold', DEFAULTS.failureRateThreshold), 'window.failureRateThreshold', { min: 0, max: 1 });
}

function resolveBackoff(input: unknown, resetTimeoutMs: number): ResolvedBackoff | undefined {
  if (input === undefined) return undefined;
  const raw = expectObject(input, 'backoff');
  rejectUnknownKeys(raw, ['multiplier', 'maxResetTimeoutMs', 'jitter'], 'backoff');
  const multiplier = expectNumber(ownOr(raw, 'multiplier', DEFAULTS.backoffMultiplier), 'backoff.multiplier', { min: 1, max: 1000 });
  const maxResetTimeoutMs = expectNumber(
    ownOr(raw, 'maxResetTimeoutMs', Math.min(resetTimeoutMs * DEFAULTS.backoffMaxFactor, MAX_DURATION_MS)),
    'backoff.maxResetTimeoutMs',
    { min: resetTimeoutMs, max: MAX_DURATION_MS },
  );
  const jitterInput = ownOr(raw, 'jitter', 'none');
  let jitter: ResolvedBackoff['jitter'];
  if (jitterInput === 'none' || jitterInput === 'full') jitter = jitterInput;
  else if (typeof jitterInput === 'number') jitter = expectNumber(jitterInput, 'backoff.jitter', RATE);
  else throw new TypeError(`option "backoff.jitter" must be "none", "full" or a ratio between 0 and 1, got ${describeValue(jitterInput)}`);
  return Object.freeze({ multiplier, maxResetTimeoutMs, jitter });
}

function resolveMatcher(input: unknown, option: string): ((error: unknown) => boolean) | undefined {
  if (input === undefined) return undefined;
  if (typeof input === 'function') {
    // A class passed alone is a common slip for [Class]: calling it as a predicate would throw later, on a failure.
    const prototype: unknown = (input as { prototype?: unknown }).prototype;
    if (input === Error || prototype instanceof Error || /^class[\s{]/.test(Function.prototype.toString.call(input))) {
      throw new TypeError(
        `option "${option}" must be an array of error classes or a predicate; wrap the class in an array: [${input.name}]`,
      );
    }
    return input as (error: unknown) => boolean;
  }
  if (!Array.isArray(input)) {
    throw new TypeError(`option "${option}" must be an array of error classes or a predicate, got ${describeValue(input)}`);
  }
  const classes = input.map((entry, index) => {
    if (typeof entry !== 'function')
      throw new TypeError(`option "${option}[${index}]" must be an error class, got ${describeValue(entry)}`);
    return entry as abstract new (
      ...args: never[]
    ) => unknown;
  });
  return (error) => classes.some((errorClass) => error instanceof errorClass);
}

function resolveClock(input: unknown): Clock {
  if (input === undefined) return systemClock;
  const raw = expectObject(input, 'clock');
  expectFunction(raw.now, 'clock.now');
  return raw as unknown as Clock;
}

function resolveStore(input: unknown): StateStore | undefined {
  if (input === undefined) return undefined;
  const raw = expectObject(input, 'store');
  expectFunction(raw.attach, 'store.attach');
  return raw as unknown as StateStore;
}

function resolveLogger(input: unknown): Logger | undefined {
  if (input === undefined) return undefined;
  const raw = expectObject(input, 'logger');
  for (const method of ['debug', 'info', 'warn', 'error']) expectFunction(raw[method], `logger.${method}`);
  return raw as unknown as Logger;
}
