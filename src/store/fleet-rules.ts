import type { CircuitState } from '../core/state.js';
import type { LocalTransitionReason, SharedState } from './state-store.js';

/** How a breaker's own window tripping affects the fleet. */
export type LocalTripMode = 'local-only' | 'fleet';

/**
 * The rule every store applies to a breaker's local transition: given the
 * fleet's current shared state, returns the state the fleet moves to (its
 * generation is the store's to assign), or undefined to leave the fleet alone.
 *
 * - `manual`: an operator's decision applies to the whole fleet.
 * - `tripped`: opens the fleet only with `localTrip: 'fleet'` and a closed fleet.
 * - Half-open steps (`reset-timeout-elapsed`, trial outcomes, a stuck half-open)
 *   apply only if the instance acted on the fleet's current generation and the
 *   fleet is in the state the step starts from: a step taken on stale or
 *   local-only state never moves the fleet.
 */
export function fleetTransition(
  fleet: SharedState,
  next: SharedState,
  reason: LocalTransitionReason,
  basedOn: number,
  localTrip: LocalTripMode,
): Omit<SharedState, 'generation'> | undefined {
  const { generation: _ignored, ...proposed } = next;
  if (reason === 'manual') return proposed;
  if (reason === 'tripped') return localTrip === 'fleet' && fleet.state === 'closed' ? proposed : undefined;
  if (basedOn !== fleet.generation) return undefined;
  const from: readonly CircuitState[] = reason === 'reset-timeout-elapsed' ? ['open'] : ['open', 'half_open'];
  return from.includes(fleet.state) ? proposed : undefined;
}
