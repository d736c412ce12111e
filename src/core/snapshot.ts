import { describeValue } from './describe-value.js';
import { type CircuitState, isCircuitState } from './state.js';
import { own } from './validate.js';
import { Outcome, type WindowSnapshot } from './windows/window.js';

/** Version of the snapshot format written by `toJSON()`. */
export const SNAPSHOT_VERSION = 1;

/**
 * A breaker's state as plain JSON: what `breaker.toJSON()` returns and what
 * the `initialState` option accepts, so a process can restart without
 * forgetting an open circuit.
 *
 * @example
 * ```ts
 * import { CircuitBreaker, type BreakerSnapshot } from 'tripswitch';
 * const saved: BreakerSnapshot = new CircuitBreaker('db').toJSON();
 * const restored = new CircuitBreaker('db', { initialState: saved });
 * ```
 */
export interface BreakerSnapshot {
  readonly version: typeof SNAPSHOT_VERSION;
  readonly name: string;
  readonly state: CircuitState;
  /** Clock time the state was entered. */
  readonly since: number;
  /** OPEN only: clock time from which a trial call is allowed. */
  readonly retryAt?: number;
  /** OPEN and HALF_OPEN: opens in a row so far (the backoff exponent). */
  readonly reopenCount?: number;
  /** FORCED_OPEN only: `isolate()` handles not yet released. */
  readonly isolations?: number;
  /** Generation of the last shared state applied from a store, when one was. */
  readonly generation?: number;
  /** What the failure window held. */
  readonly window: WindowSnapshot;
}

const SNAPSHOT_KEYS = ['version', 'name', 'state', 'since', 'retryAt', 'reopenCount', 'isolations', 'generation', 'window'];

function fail(detail: string): never {
  throw new TypeError(`option "initialState" is not a valid snapshot: ${detail}`);
}

function finite(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(`"${field}" must be a finite number, got ${describeValue(value)}`);
  return value;
}

function count(value: unknown, field: string): number {
  const n = finite(value, field);
  if (!Number.isInteger(n) || n < 0) fail(`"${field}" must be a non-negative integer, got ${describeValue(value)}`);
  return n;
}

/**
 * Checks that `input` is a well-formed snapshot of a breaker called
 * `expectedName`, and returns a clean copy holding only known fields.
 * Throws a TypeError naming the first problem; never half-accepts.
 */
export function parseSnapshot(input: unknown, expectedName: string): BreakerSnapshot {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) fail(`expected an object, got ${describeValue(input)}`);
  const raw = input as Record<string, unknown>;
  for (const key of Reflect.ownKeys(raw)) {
    if (typeof key !== 'string' || !SNAPSHOT_KEYS.includes(key)) fail(`unknown field ${describeValue(key)}`);
  }
  if (own(raw, 'version') !== SNAPSHOT_VERSION) fail(`"version" must be ${SNAPSHOT_VERSION}, got ${describeValue(own(raw, 'version'))}`);
  const name = own(raw, 'name');
  if (name !== expectedName) fail(`it belongs to breaker ${describeValue(name)}, not ${describeValue(expectedName)}`);
  const state = own(raw, 'state');
  if (!isCircuitState(state)) fail(`"state" must be a circuit state, got ${describeValue(state)}`);
  const since = finite(own(raw, 'since'), 'since');
  const snapshot: { -readonly [K in keyof BreakerSnapshot]: BreakerSnapshot[K] } = {
    version: SNAPSHOT_VERSION,
    name,
    state,
    since,
    window: parseWindow(own(raw, 'window')),
  };
  if (state === 'open') {
    snapshot.retryAt = finite(own(raw, 'retryAt'), 'retryAt');
    if (snapshot.retryAt < since) fail(`"retryAt" (${snapshot.retryAt}) is before "since" (${since})`);
  } else if (own(raw, 'retryAt') !== undefined) fail(`"retryAt" is only valid in the open state`);
  if (state === 'open' || state === 'half_open') snapshot.reopenCount = count(own(raw, 'reopenCount'), 'reopenCount');
  else if (own(raw, 'reopenCount') !== undefined) fail(`"reopenCount" is only valid in the open and half_open states`);
  if (own(raw, 'isolations') !== undefined) {
    if (state !== 'forced_open') fail(`"isolations" is only valid in the forced_open state`);
    snapshot.isolations = count(own(raw, 'isolations'), 'isolations');
  }
  if (own(raw, 'generation') !== undefined) snapshot.generation = count(own(raw, 'generation'), 'generation');
  return Object.freeze(snapshot);
}

function parseWindow(input: unknown): WindowSnapshot {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) fail(`"window" must be an object, got ${describeValue(input)}`);
  const raw = input as Record<string, unknown>;
  const type = own(raw, 'type');
  const only = (keys: string[]) => {
    for (const key of Reflect.ownKeys(raw)) if (typeof key !== 'string' || !keys.includes(key)) fail(`unknown field window.${String(key)}`);
  };
  switch (type) {
    case 'consecutive': {
      only(['type', 'calls', 'failures', 'slowCalls', 'consecutiveFailures']);
      const calls = count(own(raw, 'calls'), 'window.calls');
      const failures = count(own(raw, 'failures'), 'window.failures');
      const slowCalls = count(own(raw, 'slowCalls'), 'window.slowCalls');
      const consecutiveFailures = count(own(raw, 'consecutiveFailures'), 'window.consecutiveFailures');
      if (failures + slowCalls > calls || consecutiveFailures > failures) fail('window counts are inconsistent');
      return { type, calls, failures, slowCalls, consecutiveFailures };
    }
    case 'count': {
      only(['type', 'size', 'outcomes']);
      const size = count(own(raw, 'size'), 'window.size');
      const outcomes = own(raw, 'outcomes');
      if (!Array.isArray(outcomes) || outcomes.length > size) fail(`"window.outcomes" must be an array of at most ${size} outcomes`);
      const valid = Object.values(Outcome) as number[];
      for (const outcome of outcomes)
        if (!valid.includes(outcome)) fail(`"window.outcomes" holds an unknown outcome ${describeValue(outcome)}`);
      return { type, size, outcomes: [...outcomes] as Outcome[] };
    }
    case 'time': {
      only(['type', 'durationMs', 'buckets', 'slots']);
      const durationMs = finite(own(raw, 'durationMs'), 'window.durationMs');
      const buckets = count(own(raw, 'buckets'), 'window.buckets');
      const slotsInput = own(raw, 'slots');
      if (!Array.isArray(slotsInput) || slotsInput.length > buckets) fail(`"window.slots" must be an array of at most ${buckets} slots`);
      const seen = new Set<number>();
      const slots = slotsInput.map((slot: unknown, i) => {
        if (typeof slot !== 'object' || slot === null) fail(`"window.slots[${i}]" must be an object`);
        const s = slot as Record<string, unknown>;
        const bucket = count(own(s, 'bucket'), `window.slots[${i}].bucket`);
        if (seen.has(bucket)) fail(`"window.slots" repeats bucket ${bucket}`);
        seen.add(bucket);
        const calls = count(own(s, 'calls'), `window.slots[${i}].calls`);
        const failures = count(own(s, 'failures'), `window.slots[${i}].failures`);
        const slowCalls = count(own(s, 'slowCalls'), `window.slots[${i}].slowCalls`);
        if (failures + slowCalls > calls) fail(`"window.slots[${i}]" counts are inconsistent`);
        return { bucket, calls, failures, slowCalls };
      });
      return { type, durationMs, buckets, slots };
    }
    default:
      fail(`"window.type" must be "consecutive", "count" or "time", got ${describeValue(type)}`);
  }
}
