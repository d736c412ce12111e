import type { LocalTransitionReason, SharedState, StoreBreaker, StoreLink } from '../store/state-store.js';
import { openDurationMs } from './backoff.js';
import { type CircuitBreakerConfig, type ResolvedConfig, resolveConfig } from './config.js';
import { unrefTimer } from './deadline.js';
import type { Emitter } from './emitter.js';
import { type CircuitOpenError, createRejection } from './errors.js';
import type { BreakerEvents } from './events.js';
import { getDefaultLogger, type Logger } from './logger.js';
import { closedPhase, halfOpenPhase, manualPhase, openPhase, type Phase, phaseFromRecord, recordOfPhase, samePhase } from './phase.js';
import { type BreakerSnapshot, parseSnapshot, SNAPSHOT_VERSION } from './snapshot.js';
import { CircuitState, isCircuitState, isTransitionAllowed, type TransitionReason } from './state.js';
import { expectName } from './validate.js';
import { createWindow } from './windows/create.js';
import { type FailureWindow, Outcome } from './windows/window.js';

/** Releases an {@link CircuitBreaker.isolate} hold. */
export interface IsolationHandle {
  /** Ends this hold; the breaker closes when the last hold is released. Calling it again does nothing. */
  release(): void;
}

/** State that most breakers never need: made on first use, so that an idle breaker stays small. */
interface MachineExtras {
  /** `isolate()` holds not yet released. */
  isolations: number;
  autoTransitionTimer: ReturnType<typeof setTimeout> | undefined;
  /** Generation of the last shared state applied from a store (a fencing token). */
  generation: number;
  storeHealthy: boolean;
}

/**
 * The breaker's state machine: its phase, failure window and transitions,
 * admission (the time-driven moves and half-open permits), manual control,
 * snapshots, and the link to a shared store. `CircuitBreaker` extends it with
 * the call paths, events and stats; the split is one of concepts, not of
 * objects, so a breaker is still one object and the hot path one lookup.
 */
export abstract class StateMachine {
  /** The breaker's name, as given. */
  readonly name: string;
  /** The validated, frozen config with defaults filled in. */
  readonly config: ResolvedConfig;
  /** The current state and its data; replaced (never mutated into another state) on every transition. */
  protected phase: Phase;
  protected readonly window: FailureWindow;
  /** Made on the first `on()`: a breaker nobody listens to carries no emitter. */
  protected events: Emitter<BreakerEvents> | undefined;
  /** The connection to a shared store, when `config.store` is set and until `detachStore()`. */
  protected link: StoreLink | undefined;
  private rare: MachineExtras | undefined;

  /**
   * @param name - Identifies the breaker in errors, events, logs and metrics.
   * @param config - Options; every field is optional. Throws TypeError/RangeError on bad input.
   */
  constructor(name: string, config?: CircuitBreakerConfig | ResolvedConfig) {
    this.name = expectName(name);
    this.config = resolveConfig(config);
    this.window = createWindow(this.config);
    this.phase = closedPhase(this.config.clock.now());
    const initial = this.config.initialState;
    if (initial !== undefined) this.restore(parseSnapshot(initial, this.name));
    this.link = this.config.store?.attach(this.storeView());
  }

  // ---- state ----------------------------------------------------------------------------------

  /** The current state. Reading it never changes it: OPEN moves to HALF_OPEN on the next call or `checkState()`. */
  get state(): CircuitState {
    return this.phase.state;
  }

  /**
   * Throws {@link CircuitOpenError} when a call would be rejected now. Moves
   * OPEN to HALF_OPEN first if the open duration has passed. Takes no permit.
   */
  checkState(): void {
    const now = this.config.clock.now();
    const phase = this.advance(this.phase, now);
    if (!this.wouldAdmit(phase)) throw this.openError(phase, now);
  }
  // ---- admission ------------------------------------------------------------------------------

  /** Applies the time-driven transitions (OPEN -> HALF_OPEN, stuck HALF_OPEN -> OPEN); returns the phase now current. */
  protected advance(phase: Phase, now: number): Phase {
    if (phase.state === CircuitState.OPEN) {
      // A clock that stepped back past the opening would otherwise hold the circuit open for that long again.
      if (now >= phase.retryAt || now < phase.since) {
        this.transition(halfOpenPhase(now, phase.reopenCount), 'reset-timeout-elapsed');
      }
    } else if (
      phase.state === CircuitState.HALF_OPEN &&
      phase.inFlight >= this.config.halfOpenMaxCalls &&
      now - phase.since >= this.config.maxHalfOpenWaitMs
    ) {
      this.openAgain(phase.reopenCount + 1, 'half-open-wait-exceeded', now);
    }
    return this.phase;
  }

  /** Whether a call would be let through in `phase`. */
  protected wouldAdmit(phase: Phase): boolean {
    switch (phase.state) {
      case CircuitState.OPEN:
      case CircuitState.FORCED_OPEN:
        return false;
      case CircuitState.HALF_OPEN:
        return phase.inFlight < this.config.halfOpenMaxCalls;
      default:
        return true;
    }
  }

  /** Lets a call through outside CLOSED: returns the phase it runs under (holding a trial permit in HALF_OPEN), or undefined. */
  protected admit(phase: Phase, now: number): Phase | undefined {
    const current = this.advance(phase, now);
    if (!this.wouldAdmit(current)) return undefined;
    // Taking the permit happens in the same synchronous step as the check, so no extra call slips in.
    if (current.state === CircuitState.HALF_OPEN) current.inFlight++;
    return current;
  }

  protected openError(phase: Phase, now: number): CircuitOpenError {
    const retryAfter =
      phase.state === CircuitState.OPEN
        ? Math.max(0, phase.retryAt - now)
        : phase.state === CircuitState.FORCED_OPEN
          ? Number.POSITIVE_INFINITY
          : 0;
    return createRejection(this.name, phase.state, retryAfter);
  }

  /** Gives back the half-open permit of a call that ended without counting (ignored, cancelled, denied by the fleet). */
  protected releaseTrial(phase: Phase): void {
    if (phase === this.phase && phase.state === CircuitState.HALF_OPEN) phase.inFlight--;
  }

  // ---- recording and transitions -----------------------------------------------------------------

  /**
   * Feeds one outcome to the state machine. A late result, from a call that
   * started in an earlier phase, is dropped here: it still shows in events and
   * totals, but never in the current window or trial count.
   */
  protected record(phase: Phase, outcome: Outcome, now: number): void {
    if (phase !== this.phase) return;
    switch (phase.state) {
      case CircuitState.CLOSED:
        if (this.window.record(outcome, now)) this.trip();
        // After the local decision: the store may trip the fleet and apply that to this breaker at once.
        if (this.link !== undefined) this.link.recordOutcome(outcome, now);
        return;
      case CircuitState.HALF_OPEN: {
        phase.inFlight--;
        const slowTrips = outcome === Outcome.SLOW_SUCCESS && this.config.slowCallRateThreshold !== undefined;
        if (outcome === Outcome.FAILURE || slowTrips) this.openAgain(phase.reopenCount + 1, 'trial-failed', this.config.clock.now());
        else if (++phase.successes >= this.config.successThreshold) this.close('trials-succeeded');
        return;
      }
      case CircuitState.DISABLED:
        this.window.record(outcome, now);
        return;
      default:
        return;
    }
  }

  private trip(): void {
    this.openAgain(0, 'tripped', this.config.clock.now());
  }

  private openAgain(reopenCount: number, reason: TransitionReason, now: number): void {
    const duration = openDurationMs(this.config.resetTimeoutMs, this.config.backoff, reopenCount);
    this.transition(openPhase(now, now + duration, reopenCount), reason);
  }

  private close(reason: TransitionReason): void {
    this.transition(closedPhase(this.config.clock.now()), reason);
  }

  /** The one place the state changes: checks the table, clears what the new state must not inherit, logs and emits. */
  private transition(next: Phase, reason: TransitionReason): void {
    const from = this.phase.state;
    if (!isTransitionAllowed(from, next.state, reason)) {
      throw new Error(`tripswitch bug: transition ${from} -> ${next.state} (${reason}) is not in the table`);
    }
    this.phase = next;
    if (next.state === CircuitState.CLOSED) this.window.clear();
    // Every transition ends the isolate() holds: a new manual decision overrides them.
    if (this.rare !== undefined) this.rare.isolations = 0;
    this.scheduleAutoTransition(next);
    // Re-entering the same state (reset() while closed, say) starts a fresh phase but is not news.
    if (from !== next.state) {
      this.logger.info(`tripswitch: circuit "${this.name}" ${from} -> ${next.state} (${reason})`, {
        breaker: this.name,
        from,
        to: next.state,
        reason,
      });
      if (this.events?.has('stateChange')) {
        this.events?.emit('stateChange', Object.freeze({ name: this.name, from, to: next.state, reason, at: next.since }));
      }
    }
    // Last, because a store may answer at once by applying the fleet's state to this very breaker.
    if (this.link !== undefined && reason !== 'remote' && reason !== 'restored' && this.phase === next) this.publish(next, reason);
  }

  /** With `autoTransition`, OPEN moves to HALF_OPEN on an unref'd timer; any transition cancels the previous timer. */
  private scheduleAutoTransition(next: Phase): void {
    const pending = this.rare?.autoTransitionTimer;
    if (pending !== undefined) {
      clearTimeout(pending);
      this.extras.autoTransitionTimer = undefined;
    }
    if (!this.config.autoTransition || next.state !== CircuitState.OPEN) return;
    const delay = Math.max(0, next.retryAt - this.config.clock.now());
    const timer = setTimeout(() => {
      this.extras.autoTransitionTimer = undefined;
      if (this.phase === next) this.transition(halfOpenPhase(this.config.clock.now(), next.reopenCount), 'reset-timeout-elapsed');
    }, delay);
    unrefTimer(timer);
    this.extras.autoTransitionTimer = timer;
  }
  // ---- manual control ---------------------------------------------------------------------------

  /** Back to CLOSED with an empty window and no backoff, whatever the state (also ends every `isolate()` hold). */
  reset(): void {
    this.transition(closedPhase(this.config.clock.now()), 'manual');
  }

  /** Holds the circuit open: every call is rejected until `reset()` (or another manual call). */
  forceOpen(): void {
    this.transition(manualPhase(CircuitState.FORCED_OPEN, this.config.clock.now()), 'manual');
  }

  /** Holds the circuit closed: every call passes and nothing is recorded in the window, until `reset()`. */
  forceClosed(): void {
    this.transition(manualPhase(CircuitState.FORCED_CLOSED, this.config.clock.now()), 'manual');
  }

  /** Metrics only: every call passes and is recorded (stats, events), but the circuit never trips, until `reset()`. */
  disable(): void {
    this.transition(manualPhase(CircuitState.DISABLED, this.config.clock.now()), 'manual');
  }

  /**
   * Holds the circuit open until the returned handle is released (cockatiel's
   * `isolate`). Holds nest: the breaker closes when the last one is released.
   */
  isolate(): IsolationHandle {
    if (this.phase.state !== CircuitState.FORCED_OPEN) this.forceOpen();
    this.extras.isolations++;
    const holder = this.phase;
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        // Another manual call since (reset, forceClosed...) already ended this hold.
        if (this.phase !== holder) return;
        if (--this.extras.isolations === 0) this.reset();
      },
    };
  }
  /**
   * Stops sharing state through `config.store` (unsubscribes, frees the
   * store's memory for this breaker); the breaker goes on deciding alone.
   * Registries call it when a breaker leaves them (`delete`, family eviction),
   * so a family of many hosts on a shared store stays bounded too.
   */
  detachStore(): void {
    const link = this.link;
    this.link = undefined;
    link?.detach();
  }

  // ---- snapshots -------------------------------------------------------------------------------

  /** The breaker's state as plain JSON, for the `initialState` option. Trials in flight are not part of it. */
  toJSON(): BreakerSnapshot {
    const phase = this.phase;
    return {
      version: SNAPSHOT_VERSION,
      name: this.name,
      state: phase.state,
      since: phase.since,
      ...(phase.state === CircuitState.OPEN ? { retryAt: phase.retryAt } : {}),
      ...(phase.state === CircuitState.OPEN || phase.state === CircuitState.HALF_OPEN ? { reopenCount: phase.reopenCount } : {}),
      ...(phase.state === CircuitState.FORCED_OPEN && (this.rare?.isolations ?? 0) > 0 ? { isolations: this.rare?.isolations } : {}),
      ...(this.generation > 0 ? { generation: this.generation } : {}),
      window: this.window.snapshot(),
    };
  }

  private restore(snapshot: BreakerSnapshot): void {
    this.transition(phaseFromRecord(snapshot), 'restored');
    if (snapshot.isolations !== undefined) this.extras.isolations = snapshot.isolations;
    if (snapshot.generation !== undefined) this.generation = snapshot.generation;
    // A window of another shape (the config changed between runs) starts empty rather than failing the restart.
    if (!this.window.restore(snapshot.window)) this.window.clear();
  }
  // ---- the shared store ------------------------------------------------------------------------

  /** Generation of the last shared state applied from a store (a fencing token; 0 before any). */
  private get generation(): number {
    return this.rare?.generation ?? 0;
  }

  private set generation(value: number) {
    this.extras.generation = value;
  }

  /** What the store sees of this breaker. */
  private storeView(): StoreBreaker {
    const breaker = this;
    return {
      name: this.name,
      config: this.config,
      get generation() {
        return breaker.generation;
      },
      sharedState: () => ({ ...recordOfPhase(this.phase), generation: this.generation }),
      applySharedState: (shared) => this.applySharedState(shared),
      reportStoreHealth: (healthy, error) => this.reportStoreHealth(healthy, error),
    };
  }

  /** Tells the store about a local transition. A store that throws is a degraded store, never the caller's problem. */
  private publish(next: Phase, reason: TransitionReason): void {
    try {
      (this.link as StoreLink).publishTransition(
        { ...recordOfPhase(next), generation: this.generation },
        reason as LocalTransitionReason,
        this.generation,
      );
    } catch (error) {
      this.reportStoreHealth(false, error);
    }
  }

  /** Applies a state decided elsewhere, if its generation is newer than ours; stale or malformed states are ignored. */
  private applySharedState(shared: SharedState): boolean {
    if (
      typeof shared !== 'object' ||
      shared === null ||
      !isCircuitState(shared.state) ||
      !Number.isSafeInteger(shared.generation) ||
      !Number.isFinite(shared.since) ||
      (shared.state === CircuitState.OPEN && !Number.isFinite(shared.retryAt))
    ) {
      this.logger.warn(`tripswitch: breaker "${this.name}" ignored a malformed shared state`, { breaker: this.name, shared });
      return false;
    }
    if (shared.generation <= this.generation) return false;
    this.generation = shared.generation;
    // The fleet echoing this breaker's own transition, or another instance's equal step: take the generation, keep the phase.
    if (!samePhase(recordOfPhase(this.phase), shared)) this.transition(phaseFromRecord(shared), 'remote');
    return true;
  }

  private reportStoreHealth(healthy: boolean, error?: unknown): void {
    if (healthy === (this.rare?.storeHealthy ?? true)) return;
    this.extras.storeHealthy = healthy;
    if (healthy) {
      this.logger.info(`tripswitch: store of breaker "${this.name}" recovered`, { breaker: this.name });
      this.events?.emit('storeRecovered', Object.freeze({ name: this.name }));
    } else {
      this.logger.warn(`tripswitch: store of breaker "${this.name}" degraded; deciding locally`, { breaker: this.name, error });
      this.events?.emit('storeDegraded', Object.freeze({ name: this.name, error }));
    }
  }

  /** The rare state, made on first use. */
  private get extras(): MachineExtras {
    this.rare ??= { isolations: 0, autoTransitionTimer: undefined, generation: 0, storeHealthy: true };
    return this.rare;
  }

  protected get logger(): Logger {
    return this.config.logger ?? getDefaultLogger();
  }
}
