/**
 * tripswitch: a fast, typed circuit breaker for every JavaScript runtime.
 * This is the complete public API; nothing else is exported.
 */
export { type BackoffConfig, openDurationMs } from './core/backoff.js';
export { CircuitBreaker } from './core/breaker.js';
export { type Clock, systemClock } from './core/clock.js';
export { type CircuitBreakerConfig, DEFAULTS, type ErrorMatcher, type ResolvedConfig, type WindowConfig } from './core/config.js';
export {
  BulkheadFullError,
  CallTimeoutError,
  CircuitOpenError,
  ErrorCode,
  isBulkheadFullError,
  isCallTimeoutError,
  isCircuitOpenError,
  isServiceException,
  ServiceException,
} from './core/errors.js';
export type {
  BreakerEventName,
  BreakerEvents,
  FailureEvent,
  FallbackEvent,
  IgnoredEvent,
  RejectedEvent,
  SlowCallEvent,
  StateChangeEvent,
  StoreDegradedEvent,
  StoreRecoveredEvent,
  SuccessEvent,
  TimeoutEvent,
} from './core/events.js';
export { BreakerFamily, type FamilyOptions } from './core/family.js';
export { getDefaultLogger, type Logger, setDefaultLogger, silentLogger } from './core/logger.js';
export { CircuitBreakerRegistry, defaultRegistry, type RegistryEvents, type RegistryOptions } from './core/registry.js';
export { type BreakerSnapshot, SNAPSHOT_VERSION } from './core/snapshot.js';
export { CircuitState, isTransitionAllowed, type TransitionReason } from './core/state.js';
export type { IsolationHandle } from './core/state-machine.js';
export type { BreakerStats } from './core/stats.js';
export { Outcome, type WindowCounts, type WindowSnapshot } from './core/windows/window.js';
export { type BreakerDecorator, type CircuitBreakerOptions, circuitBreaker } from './decorator.js';
export {
  type BulkheadOptions,
  type BulkheadPolicy,
  bulkhead,
  compose,
  type Policy,
  type PolicyStage,
  type RetryBackoff,
  type RetryOptions,
  retry,
  type TimeoutOptions,
  type TimeoutPolicy,
  timeout,
} from './policies/index.js';
export { fleetTransition, type LocalTripMode } from './store/fleet-rules.js';
export { MemoryStore, type MemoryStoreOptions } from './store/memory-store.js';
export type { LocalTransitionReason, SharedState, StateStore, StoreBreaker, StoreLink, StorePermit } from './store/state-store.js';
