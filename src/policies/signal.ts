import { type Settlement, settleWithin } from '../core/deadline.js';
import { describeValue } from '../core/describe-value.js';

/** Whether `value` looks like an `AbortSignal` (duck-typed, so signals from any realm or polyfill pass). */
export function isAbortSignal(value: unknown): value is AbortSignal {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as AbortSignal).aborted === 'boolean' &&
    typeof (value as AbortSignal).addEventListener === 'function' &&
    typeof (value as AbortSignal).removeEventListener === 'function'
  );
}

/** The TypeError for a `signal` argument that is neither an AbortSignal nor `undefined`, or `undefined` when it is fine. */
export function checkSignal(signal: unknown): TypeError | undefined {
  if (signal === undefined || isAbortSignal(signal)) return undefined;
  return new TypeError(`signal must be an AbortSignal or undefined, got ${describeValue(signal)}`);
}

/** Whether `value` is a promise or any other thenable. */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as { then?: unknown }).then === 'function'
  );
}

const ignore = (): void => {};
const noTimeout = (): Error => new Error('tripswitch bug: no time limit was set');

/**
 * Waits for `pending`, rejecting early when `outer` aborts (with the caller's
 * reason) or, with `timeoutMs`, when time runs out (with `createTimeoutError()`).
 * Either way `controller` is aborted with that reason so the running fn can
 * stop. The timer is unref'd and cleared and the listener removed once decided.
 */
export function settle(
  pending: PromiseLike<unknown>,
  outer: AbortSignal | undefined,
  controller?: AbortController,
  timeoutMs?: number,
  createTimeoutError: () => Error = noTimeout,
): Promise<unknown> {
  if (outer?.aborted) {
    // The fn aborted its own caller synchronously: nothing to wait for, and its late rejection must not go unhandled.
    controller?.abort(outer.reason);
    pending.then(ignore, ignore);
    return Promise.reject(outer.reason);
  }
  return settleWithin(pending, controller, timeoutMs, outer, createTimeoutError).then(unwrap);
}

function unwrap(settlement: Settlement): unknown {
  switch (settlement.kind) {
    case 'value':
      return settlement.value;
    case 'error':
      throw settlement.error;
    case 'timeout':
      throw settlement.error;
    case 'aborted':
      throw settlement.reason;
  }
}
