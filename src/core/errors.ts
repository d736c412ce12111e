import type { CircuitState } from './state.js';

/**
 * Machine-readable codes carried by every {@link ServiceException}.
 *
 * @example
 * ```ts
 * import { ErrorCode, isServiceException } from 'tripswitch';
 * function status(error: unknown): number {
 *   return isServiceException(error) && error.code === ErrorCode.CIRCUIT_OPEN ? 503 : 500;
 * }
 * ```
 */
export const ErrorCode = Object.freeze({
  /** The circuit rejected the call without running it. */
  CIRCUIT_OPEN: 'CIRCUIT_OPEN',
  /** The call ran longer than `callTimeoutMs` (or a timeout policy's limit). */
  CALL_TIMEOUT: 'CALL_TIMEOUT',
  /** A bulkhead had no free slot and no room in its queue. */
  BULKHEAD_FULL: 'BULKHEAD_FULL',
  /** `getOrCreate` was asked for an existing name with a different config. */
  CONFIG_CONFLICT: 'CONFIG_CONFLICT',
} as const);

/** One of the {@link ErrorCode} values. */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

const serviceBrand = Symbol.for('tripswitch.ServiceException');
const openBrand = Symbol.for('tripswitch.CircuitOpenError');
const timeoutBrand = Symbol.for('tripswitch.CallTimeoutError');
const bulkheadBrand = Symbol.for('tripswitch.BulkheadFullError');

/**
 * Base class of every error tripswitch creates (the seed's `ServiceException`).
 * Check with {@link isServiceException}, which works across duplicate installs.
 *
 * @example
 * ```ts
 * import { ServiceException, ErrorCode } from 'tripswitch';
 * throw new ServiceException('breaker "db" is open', ErrorCode.CIRCUIT_OPEN);
 * ```
 */
export class ServiceException extends Error {
  /** What went wrong, for programs. */
  readonly code: ErrorCode;

  constructor(message: string, code: ErrorCode, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
Object.defineProperty(ServiceException.prototype, 'name', { value: 'ServiceException', writable: true, configurable: true });
Object.defineProperty(ServiceException.prototype, serviceBrand, { value: true });

/**
 * Thrown (or rejected) when a breaker does not let a call through.
 *
 * Created without a stack trace: a rejection is an expected, frequent event on
 * an open circuit, and capturing a stack would dominate its cost. The error
 * still says which breaker refused and when to try again.
 *
 * @example
 * ```ts
 * import { CircuitBreaker, isCircuitOpenError } from 'tripswitch';
 * const breaker = new CircuitBreaker('db');
 * breaker.forceOpen();
 * try { breaker.checkState(); } catch (error) {
 *   if (isCircuitOpenError(error)) console.log(error.breakerName, error.retryAfter);
 * }
 * ```
 */
export class CircuitOpenError extends ServiceException {
  /** Name of the breaker that rejected the call. */
  readonly breakerName: string;
  /** Milliseconds until a trial call may be allowed; `Infinity` while forced open. */
  readonly retryAfter: number;
  /** The breaker's state when it rejected the call. */
  readonly state: CircuitState;

  constructor(breakerName: string, state: CircuitState, retryAfter: number) {
    super(`Circuit "${breakerName}" is ${state}; calls are not allowed`, ErrorCode.CIRCUIT_OPEN);
    this.breakerName = breakerName;
    this.state = state;
    this.retryAfter = retryAfter;
  }
}
Object.defineProperty(CircuitOpenError.prototype, 'name', { value: 'CircuitOpenError', writable: true, configurable: true });
Object.defineProperty(CircuitOpenError.prototype, openBrand, { value: true });
// What a rejection made by createRejection() inherits instead of owning: its code, and a message and
// stack derived from its fields. Errors made with `new` have their own message and stack, which shadow these.
Object.defineProperty(CircuitOpenError.prototype, 'code', { value: ErrorCode.CIRCUIT_OPEN, writable: true, configurable: true });
Object.defineProperty(CircuitOpenError.prototype, 'message', {
  get(this: CircuitOpenError) {
    return `Circuit "${this.breakerName}" is ${this.state}; calls are not allowed`;
  },
  set(this: CircuitOpenError, value: string) {
    Object.defineProperty(this, 'message', { value, writable: true, configurable: true, enumerable: false });
  },
  configurable: true,
});
Object.defineProperty(CircuitOpenError.prototype, 'stack', {
  get(this: CircuitOpenError) {
    return `${this.name}: ${this.message}\n    (rejected by tripswitch without a stack trace)`;
  },
  set(this: CircuitOpenError, value: string) {
    Object.defineProperty(this, 'stack', { value, writable: true, configurable: true, enumerable: false });
  },
  configurable: true,
});

/**
 * Makes the `CircuitOpenError` of one rejection, cheaply: a V8 error costs
 * about 0.5 µs to construct even without a stack trace, most of a rejected
 * call. This one is an object with `CircuitOpenError.prototype`, so
 * `instanceof`, the type guards, `name`, `code`, `message` and `stack` all
 * work; it is not a native error (no internal error slot), and its `stack`
 * says where it came from instead of listing frames.
 */
export function createRejection(breakerName: string, state: CircuitState, retryAfter: number): CircuitOpenError {
  const error = Object.create(CircuitOpenError.prototype) as { -readonly [K in keyof CircuitOpenError]: CircuitOpenError[K] };
  error.breakerName = breakerName;
  error.state = state;
  error.retryAfter = retryAfter;
  return error as CircuitOpenError;
}

/**
 * Rejected when a call runs longer than its time limit. The call's
 * `AbortSignal` is aborted with this error as its reason.
 *
 * @example
 * ```ts
 * import { isCallTimeoutError } from 'tripswitch';
 * const retryable = (error: unknown) => isCallTimeoutError(error);
 * ```
 */
export class CallTimeoutError extends ServiceException {
  /** The limit that was exceeded, in milliseconds. */
  readonly timeoutMs: number;
  /** Name of the breaker or policy that timed the call out. */
  readonly breakerName: string;

  constructor(breakerName: string, timeoutMs: number) {
    super(`Call through "${breakerName}" timed out after ${timeoutMs} ms`, ErrorCode.CALL_TIMEOUT);
    this.breakerName = breakerName;
    this.timeoutMs = timeoutMs;
  }
}
Object.defineProperty(CallTimeoutError.prototype, 'name', { value: 'CallTimeoutError', writable: true, configurable: true });
Object.defineProperty(CallTimeoutError.prototype, timeoutBrand, { value: true });

/**
 * Rejected by a bulkhead that has no free slot and no room in its queue.
 *
 * @example
 * ```ts
 * import { isBulkheadFullError } from 'tripswitch';
 * const shed = (error: unknown) => isBulkheadFullError(error);
 * ```
 */
export class BulkheadFullError extends ServiceException {
  /** Concurrent calls allowed by the bulkhead. */
  readonly maxConcurrent: number;
  /** Queued calls allowed by the bulkhead. */
  readonly maxQueue: number;

  constructor(maxConcurrent: number, maxQueue: number) {
    super(`Bulkhead is full (${maxConcurrent} running, ${maxQueue} queued)`, ErrorCode.BULKHEAD_FULL);
    this.maxConcurrent = maxConcurrent;
    this.maxQueue = maxQueue;
  }
}
Object.defineProperty(BulkheadFullError.prototype, 'name', { value: 'BulkheadFullError', writable: true, configurable: true });
Object.defineProperty(BulkheadFullError.prototype, bulkheadBrand, { value: true });

function hasBrand(value: unknown, brand: symbol): boolean {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[brand] === true;
}

/**
 * Whether `value` is a tripswitch {@link ServiceException}, from this or any other copy of the package.
 *
 * @example
 * ```ts
 * import { isServiceException } from 'tripswitch';
 * isServiceException(new Error('x')); // false
 * ```
 */
export function isServiceException(value: unknown): value is ServiceException {
  return hasBrand(value, serviceBrand);
}

/**
 * Whether `value` is a {@link CircuitOpenError}, from this or any other copy of the package.
 *
 * @example
 * ```ts
 * import { isCircuitOpenError } from 'tripswitch';
 * const skip = (error: unknown) => isCircuitOpenError(error);
 * ```
 */
export function isCircuitOpenError(value: unknown): value is CircuitOpenError {
  return hasBrand(value, openBrand);
}

/**
 * Whether `value` is a {@link CallTimeoutError}, from this or any other copy of the package.
 *
 * @example
 * ```ts
 * import { isCallTimeoutError } from 'tripswitch';
 * const timedOut = (error: unknown) => isCallTimeoutError(error);
 * ```
 */
export function isCallTimeoutError(value: unknown): value is CallTimeoutError {
  return hasBrand(value, timeoutBrand);
}

/**
 * Whether `value` is a {@link BulkheadFullError}, from this or any other copy of the package.
 *
 * @example
 * ```ts
 * import { isBulkheadFullError } from 'tripswitch';
 * const shed = (error: unknown) => isBulkheadFullError(error);
 * ```
 */
export function isBulkheadFullError(value: unknown): value is BulkheadFullError {
  return hasBrand(value, bulkheadBrand);
}

/**
 * Builds an error without capturing a stack trace, for rejections on the hot
 * path. V8 reads `Error.stackTraceLimit` at construction; other engines ignore it.
 */
export function withoutStack<E extends Error>(create: () => E): E {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return create();
  } finally {
    Error.stackTraceLimit = limit;
  }
}
