/**
 * A source of time in milliseconds. The breaker reads it instead of `Date.now()`
 * so that tests and simulations can drive time by hand.
 *
 * @example
 * ```ts
 * import { CircuitBreaker, type Clock } from 'tripswitch';
 * let now = 0;
 * const clock: Clock = { now: () => now };
 * const breaker = new CircuitBreaker('db', { clock });
 * now += 30_000; // the breaker sees 30 s pass
 * ```
 */
export interface Clock {
  /** Current time in milliseconds. Wall-clock time (epoch ms) by default. */
  now(): number;
}

/**
 * The default clock: `Date.now()`. Wall-clock time is used (not a monotonic
 * clock) because open-until timestamps are shared in snapshots and across
 * processes; a clock that jumps backwards is handled by the breaker.
 *
 * @example
 * ```ts
 * import { systemClock } from 'tripswitch';
 * const startedAt = systemClock.now();
 * ```
 */
export const systemClock: Clock = Object.freeze({ now: () => Date.now() });
