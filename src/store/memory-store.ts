import type { ResolvedConfig } from '../core/config.js';
import { describeValue } from '../core/describe-value.js';
import { expectObject, own, rejectUnknownKeys } from '../core/validate.js';
import { createWindow } from '../core/windows/create.js';
import type { FailureWindow, Outcome } from '../core/windows/window.js';
import { fleetTransition, type LocalTripMode } from './fleet-rules.js';
import type { SharedState, StateStore, StoreBreaker, StoreLink, StorePermit } from './state-store.js';

/** Options of a {@link MemoryStore}. */
export interface MemoryStoreOptions {
  /** Whether a breaker whose own window trips opens only itself (default) or the whole fleet. */
  readonly localTrip?: LocalTripMode;
}

/** The shared side of one breaker name: its members, the merged window, the shared state and the trial permits. */
interface Fleet {
  readonly members: Set<StoreBreaker>;
  readonly window: FailureWindow;
  readonly config: ResolvedConfig;
  shared: SharedState;
  /** Trial permits held now; cleared whenever the fleet leaves HALF_OPEN, so a late release cannot free a new permit. */
  readonly permits: Set<object>;
}

/**
 * Shares state between breakers of the same name within one process: their
 * outcomes merge into one fleet window, a trip of that window opens them all,
 * transitions spread with generation numbers, and half-open trial permits are
 * counted across them. It follows the same rules as `RedisStateStore`, with
 * no I/O, so it is also the reference for how a fleet behaves.
 *
 * @example
 * ```ts
 * import { CircuitBreaker, MemoryStore } from 'tripswitch';
 * const store = new MemoryStore();
 * const a = new CircuitBreaker('db', { store });
 * const b = new CircuitBreaker('db', { store });
 * a.forceOpen();
 * console.log(b.state); // 'forced_open'
 * ```
 */
export class MemoryStore implements StateStore {
  private readonly fleets = new Map<string, Fleet>();
  private readonly localTrip: LocalTripMode;

  constructor(options: MemoryStoreOptions = {}) {
    const raw = expectObject(options, 'MemoryStore options');
    rejectUnknownKeys(raw, ['localTrip'], 'MemoryStoreOptions');
    const localTrip = own(raw, 'localTrip') ?? 'local-only';
    if (localTrip !== 'local-only' && localTrip !== 'fleet') {
      throw new TypeError(`option "localTrip" must be "local-only" or "fleet", got ${describeValue(localTrip)}`);
    }
    this.localTrip = localTrip;
  }

  attach(breaker: StoreBreaker): StoreLink {
    let fleet = this.fleets.get(breaker.name);
    if (fleet === undefined) {
      fleet = {
        members: new Set(),
        window: createWindow(breaker.config),
        config: breaker.config,
        shared: { ...breaker.sharedState(), generation: 0 },
        permits: new Set(),
      };
      this.fleets.set(breaker.name, fleet);
    }
    fleet.members.add(breaker);
    // A newcomer joins the fleet's current state.
    if (fleet.shared.generation > 0) breaker.applySharedState(fleet.shared);
    return this.linkFor(fleet, breaker);
  }

  /** The shared state of `name`, if any breaker of that name is attached. */
  sharedState(name: string): SharedState | undefined {
    return this.fleets.get(name)?.shared;
  }

  private linkFor(fleet: Fleet, breaker: StoreBreaker): StoreLink {
    const held = new Set<object>();
    return {
      recordOutcome: (outcome: Outcome, nowMs: number) => {
        if (fleet.shared.state !== 'closed') return;
        if (fleet.window.record(outcome, nowMs)) {
          // nowMs is 0 when the window does not need time; a trip does.
          const { resetTimeoutMs, clock } = fleet.config;
          const now = clock.now();
          this.move(fleet, { state: 'open', since: now, retryAt: now + resetTimeoutMs, reopenCount: 0 });
        }
      },
      publishTransition: (next, reason, basedOn) => {
        const proposed = fleetTransition(fleet.shared, next, reason, basedOn, this.localTrip);
        if (proposed !== undefined) this.move(fleet, proposed);
      },
      acquirePermit: () => {
        if (fleet.permits.size >= fleet.config.halfOpenMaxCalls) return Promise.resolve(undefined);
        const permit: StorePermit = {
          release: () => {
            held.delete(permit);
            fleet.permits.delete(permit);
          },
        };
        fleet.permits.add(permit);
        held.add(permit);
        return Promise.resolve(permit);
      },
      detach: () => {
        for (const permit of held) fleet.permits.delete(permit);
        held.clear();
        fleet.members.delete(breaker);
        if (fleet.members.size === 0) this.fleets.delete(breaker.name);
      },
    };
  }

  /** Moves the fleet to a new shared state with the next generation and tells every member. */
  private move(fleet: Fleet, proposed: Omit<SharedState, 'generation'>): void {
    fleet.shared = { ...proposed, generation: fleet.shared.generation + 1 };
    if (proposed.state === 'closed') fleet.window.clear();
    if (proposed.state !== 'half_open') fleet.permits.clear();
    for (const member of [...fleet.members]) member.applySharedState(fleet.shared);
  }
}
