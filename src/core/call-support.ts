/**
 * Small pieces the breaker's call paths share: what a guarded function is,
 * how a call's kind (sync or async) and timing are tracked, and the state
 * most breakers never need. Internal: not part of the public API.
 */
import { describeValue } from './describe-value.js';
import type { Phase } from './phase.js';

// biome-ignore lint/suspicious/noExplicitAny: a guarded function may take and return anything
export type AnyFunction = (...args: any[]) => any;

/** Whether the last call of a wrapped function returned a thenable, so rejections must be async too. */
export interface CallSite {
  async: boolean;
}

export const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as { then?: unknown }).then === 'function';

export const isAsyncFunction = (fn: AnyFunction): boolean =>
  (fn as { [Symbol.toStringTag]?: string })[Symbol.toStringTag] === 'AsyncFunction';

/** Functions seen returning a thenable through `execute`, so later rejections of them are async. */
export const knownAsync = new WeakSet<AnyFunction>();

/** The totals most breakers never move: kept apart so that an idle breaker stays small. */
export interface Occasional {
  slowCalls: number;
  rejections: number;
  timeouts: number;
  fallbacks: number;
  ignored: number;
}

/** The shared handlers of untimed async calls started in `phase`. */
export interface AsyncHandlers {
  readonly phase: Phase;
  readonly onValue: (value: unknown) => unknown;
  readonly onError: (error: unknown) => unknown;
}

/** The arguments given to a fallback on paths that have none (no fallback configured there). */
export const NO_ARGS: unknown[] = Object.freeze([]) as unknown as unknown[];

/** Start time of a call that began while nothing needed its duration. */
export const UNTIMED = Number.NaN;

/** A call's duration; 0 when it started untimed (a listener subscribed while it ran). */
export const elapsedMs = (started: number, now: number): number => (Number.isNaN(started) ? 0 : now - started);

export function expectFunctionArgument(fn: unknown, method: string): void {
  if (typeof fn !== 'function') throw new TypeError(`${method}(fn): fn must be a function, got ${describeValue(fn)}`);
}

export function isAbortSignal(value: unknown): value is AbortSignal {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as AbortSignal).aborted === 'boolean' &&
    typeof (value as AbortSignal).addEventListener === 'function'
  );
}

/** Gives the wrapper the wrapped function's name and length, so stack traces and introspection still read well. */
export function copyIdentity<W extends AnyFunction>(wrapper: W, original: AnyFunction): W {
  Object.defineProperty(wrapper, 'name', { value: original.name, configurable: true });
  Object.defineProperty(wrapper, 'length', { value: original.length, configurable: true });
  return wrapper;
}

/** A fresh {@link Occasional}, made on a breaker's first rare event. */
export function newOccasional(): Occasional {
  return { slowCalls: 0, rejections: 0, timeouts: 0, fallbacks: 0, ignored: 0 };
}
