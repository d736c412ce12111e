import type { ResolvedConfig } from '../core/config.js';
import type { CircuitState } from '../core/state.js';
import type { Outcome } from '../core/windows/window.js';

/**
 * The state a fleet shares for one breaker: what a store publishes and what
 * a breaker applies. `generation` is a fencing token: a breaker applies a
 * shared state only if its generation is newer than the one it holds, so a
 * stale or repeated message is harmless.
 */
export interface SharedState {
  readonly state: CircuitState;
  readonly generation: number;
  /** Clock time the state was entered. */
  readonly since: number;
  /** OPEN only: clock time from which a trial call is allowed. */
  readonly retryAt?: number;
  /** OPEN and HALF_OPEN: opens in a row (the backoff exponent). */
  readonly reopenCount?: number;
}

/** Why a breaker reports a local transition to its store (the breaker's own transition reasons). */
export type LocalTransitionReason =
  | 'tripped'
  | 'reset-timeout-elapsed'
  | 'trials-succeeded'
  | 'trial-failed'
  | 'half-open-wait-exceeded'
  | 'manual';

/**
 * What a store sees of a breaker: its identity and config, and the two ways
 * a store may act on it. Given to {@link StateStore.attach}.
 */
export interface StoreBreaker {
  readonly name: string;
  readonly config: ResolvedConfig;
  /** The generation of the last shared state this breaker applied (0 before any). */
  readonly generation: number;
  /** The breaker's current state, as a shared-state record with its generation. */
  sharedState(): SharedState;
  /**
   * Applies a state decided elsewhere. Ignored (returns false) unless
   * `shared.generation` is newer than the breaker's generation.
   */
  applySharedState(shared: SharedState): boolean;
  /** Tells the breaker whether its store works; it emits `storeDegraded` / `storeRecovered` on a change. */
  reportStoreHealth(healthy: boolean, error?: unknown): void;
}

/** A fleet-wide trial permit held by one call. */
export interface StorePermit {
  /** Gives this permit back (its lease also expires by itself). Calling it again does nothing. */
  release(): void;
}

/**
 * One breaker's connection to a store. Every method is called synchronously
 * from the breaker and must return at once: a store does its I/O in the
 * background (batching, timers, subscriptions) and never throws at the caller.
 */
export interface StoreLink {
  /**
   * One finished call recorded in CLOSED (not late, not ignored). Called on the hot path: keep it O(1).
   * `nowMs` is the breaker's clock time when its window needs time (a time window, slow calls, or a
   * listener for durations) and 0 otherwise; a store that needs the time then reads `config.clock`.
   */
  recordOutcome(outcome: Outcome, nowMs: number): void;
  /** The breaker changed state on its own (`reason`) from a state of generation `basedOn`. */
  publishTransition(next: SharedState, reason: LocalTransitionReason, basedOn: number): void;
  /**
   * Optional: a fleet-wide HALF_OPEN trial permit for one call. Resolves to the
   * permit when granted and `undefined` when the fleet has none left, and must
   * settle within the store's own bound (resolving to a permit that holds
   * nothing on a store fault, so the local permit decides). Only async calls
   * wait for it, once per call.
   */
  acquirePermit?(): Promise<StorePermit | undefined>;
  /** Stops following the shared state (unsubscribe, stop timers); the breaker then decides alone. */
  detach(): void;
}

/**
 * Where breakers share state across processes. The core depends only on this
 * interface: `MemoryStore` shares within one process, `RedisStateStore`
 * (`tripswitch/redis`) across a fleet. The hot path never waits on a store.
 *
 * @example
 * ```ts
 * import { CircuitBreaker, MemoryStore } from 'tripswitch';
 * const store = new MemoryStore();
 * const a = new CircuitBreaker('db', { store });
 * const b = new CircuitBreaker('db', { store }); // a and b now share one circuit
 * ```
 */
export interface StateStore {
  /** Connects a breaker; called once, by the breaker's constructor. */
  attach(breaker: StoreBreaker): StoreLink;
}
