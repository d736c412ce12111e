import type { StoreLink, StorePermit } from '../store/state-store.js';
import {
  type AnyFunction,
  type AsyncHandlers,
  type CallSite,
  copyIdentity,
  elapsedMs,
  expectFunctionArgument,
  isAbortSignal,
  isAsyncFunction,
  isThenable,
  knownAsync,
  NO_ARGS,
  newOccasional,
  type Occasional,
  UNTIMED,
} from './call-support.js';
import type { CircuitBreakerConfig, ResolvedConfig } from './config.js';
import { settleWithin } from './deadline.js';
import { describeValue } from './describe-value.js';
import { Emitter } from './emitter.js';
import { CallTimeoutError } from './errors.js';
import { type BreakerEventName, type BreakerEvents, EVENT_NAMES } from './events.js';
import type { Phase } from './phase.js';
import { defaultRegistry } from './registry.js';
import { CircuitState } from './state.js';
import { StateMachine } from './state-machine.js';
import type { BreakerStats } from './stats.js';
import { Outcome } from './windows/window.js';

/**
 * A circuit breaker: guards calls to one dependency, stops calling it while it
 * fails, and lets a few trial calls through to see whether it has recovered.
 *
 * The hot path decides from local memory only: in CLOSED a call costs a state
 * check, in OPEN one clock read and a rejection without a stack trace.
 *
 * @example
 * ```ts
 * import { CircuitBreaker } from 'tripswitch';
 * const breaker = new CircuitBreaker('users-api', { failureThreshold: 3, resetTimeoutMs: 10_000 });
 * const getUser = breaker.wrap(async (id: string) => ({ id }));
 * await getUser('42');
 * ```
 */
export class CircuitBreaker extends StateMachine {
  /** Whether a call must read the clock when it starts: slow-call tracking or someone listening for durations. */
  private needsStart = false;
  /** Whether a call must read the clock when it ends: `needsStart` or a time window. */
  private needsNow = false;
  /** The promise handlers of untimed async calls in the current phase, made once per phase instead of twice per call. */
  private asyncHandlers: AsyncHandlers | undefined;
  /** The rarer totals, made on first use so that an idle breaker stays small. */
  private occasional: Occasional | undefined;
  // The two totals every breaker moves.
  private successes = 0;
  private failures = 0;

  /**
   * @param name - Identifies the breaker in errors, events, logs and metrics.
   * @param config - Options; every field is optional. Throws TypeError/RangeError on bad input.
   */
  constructor(name: string, config?: CircuitBreakerConfig | ResolvedConfig) {
    super(name, config);
    this.updateTiming();
  }

  // ---- the seed's registry, on the default registry -------------------------------------

  /** The breaker called `name` in the default registry, or `undefined`. */
  static get(name: string): CircuitBreaker | undefined {
    return defaultRegistry.get(name);
  }

  /** The breaker called `name` in the default registry, created with `config` if missing. */
  static getOrCreate(name: string, config?: CircuitBreakerConfig): CircuitBreaker {
    return defaultRegistry.getOrCreate(name, config);
  }

  /** Every breaker of the default registry, as a plain object name -> state. */
  static getAllStates(): Record<string, CircuitState> {
    return defaultRegistry.getAllStates();
  }

  /** Resets every breaker of the default registry to CLOSED. */
  static resetAll(): void {
    defaultRegistry.resetAll();
  }

  // ---- guarding calls ---------------------------------------------------------------------

  /**
   * Returns `fn` guarded by the breaker, with `fn`'s exact type (the seed's
   * `__call__`). A sync fn stays sync; a fn that returns a promise or thenable
   * is recorded when it settles, and once it has (or if it is an `async`
   * function) rejections are returned as rejected promises, never thrown.
   */
  wrap<F extends AnyFunction>(fn: F): F {
    expectFunctionArgument(fn, 'wrap');
    const breaker = this;
    const site: CallSite = { async: isAsyncFunction(fn) };
    const general = function (this: unknown, ...args: unknown[]) {
      return breaker.guard(fn, this, args, site);
    };
    // The inline path repeats `run` for CLOSED on purpose: forwarding `arguments` only to `apply` lets V8
    // skip materialising them, so a healthy sync call allocates nothing. Everything else takes `general`.
    const wrapped = function (this: unknown) {
      const phase = breaker.phase;
      // A fallback needs the arguments as an array, and a call timeout its own path.
      if (phase.state !== CircuitState.CLOSED || breaker.config.fallback !== undefined || breaker.config.callTimeoutMs !== undefined) {
        // biome-ignore lint/complexity/noArguments: see above
        return general.apply(this, arguments as unknown as unknown[]);
      }
      const started = breaker.needsStart ? breaker.config.clock.now() : UNTIMED;
      let result: unknown;
      try {
        // biome-ignore lint/complexity/noArguments: see above
        result = fn.apply(this, arguments as unknown as unknown[]);
      } catch (error) {
        return breaker.settleError(error, phase, started, NO_ARGS, 'error');
      }
      if (!isThenable(result)) {
        breaker.settleValue(result, phase, started);
        return result;
      }
      site.async = true;
      return breaker.settleAsync(result, phase, started, NO_ARGS);
    };
    return copyIdentity(wrapped, fn) as F;
  }

  /**
   * Returns `fn` guarded by the breaker, always returning a promise (the seed's
   * `async_call`): for functions that return promises without being `async`.
   */
  wrapAsync<A extends unknown[], R>(fn: (...args: A) => R | PromiseLike<R>): (...args: A) => Promise<Awaited<R>> {
    expectFunctionArgument(fn, 'wrapAsync');
    const breaker = this;
    const site: CallSite = { async: true };
    const wrapped = function (this: unknown, ...args: A) {
      try {
        return Promise.resolve(breaker.guard(fn, this, args, site));
      } catch (error) {
        return Promise.reject(error);
      }
    };
    return copyIdentity(wrapped, fn) as (...args: A) => Promise<Awaited<R>>;
  }

  /**
   * Returns `fn` guarded by the breaker, with cancellation: `fn` receives an
   * `AbortSignal` first, aborted when the call passes `callTimeoutMs` or when
   * the caller's own signal (the wrapped function's first argument) aborts.
   * A caller's abort rejects with the caller's reason and is not a failure.
   */
  wrapWithSignal<A extends unknown[], R>(
    fn: (signal: AbortSignal, ...args: A) => R | PromiseLike<R>,
  ): (signal: AbortSignal | undefined, ...args: A) => Promise<Awaited<R>> {
    expectFunctionArgument(fn, 'wrapWithSignal');
    const breaker = this;
    const wrapped = function (this: unknown, signal: AbortSignal | undefined, ...args: A) {
      return breaker.guardWithSignal(fn, this, signal, args) as Promise<Awaited<R>>;
    };
    return copyIdentity(wrapped, fn) as (signal: AbortSignal | undefined, ...args: A) => Promise<Awaited<R>>;
  }

  /** Runs `fn(...args)` once through the breaker, with the same sync/async rule as {@link wrap}. */
  execute<A extends unknown[], R>(fn: (...args: A) => R, ...args: A): R {
    expectFunctionArgument(fn, 'execute');
    const site: CallSite = { async: knownAsync.has(fn) || isAsyncFunction(fn) };
    const result = this.guard(fn, undefined, args, site) as R;
    if (site.async) knownAsync.add(fn);
    return result;
  }

  /** Runs `fn(signal, ...args)` once through the breaker, as {@link wrapWithSignal} does. */
  executeWithSignal<A extends unknown[], R>(
    fn: (signal: AbortSignal, ...args: A) => R | PromiseLike<R>,
    signal: AbortSignal | undefined,
    ...args: A
  ): Promise<Awaited<R>> {
    expectFunctionArgument(fn, 'executeWithSignal');
    return this.guardWithSignal(fn, undefined, signal, args) as Promise<Awaited<R>>;
  }

  /** The general path (execute, wrapAsync, and wrap outside its inline case): admit, run, record. */
  private guard(fn: AnyFunction, thisArg: unknown, args: unknown[], site: CallSite, mayWaitForStore = true): unknown {
    let phase = this.phase;
    if (phase.state !== CircuitState.CLOSED) {
      const now = this.config.clock.now();
      const admitted = this.admit(phase, now);
      if (admitted === undefined) return this.reject(now, args, site.async);
      if (admitted.state === CircuitState.HALF_OPEN && site.async && mayWaitForStore && this.link?.acquirePermit !== undefined) {
        return this.withFleetPermit(
          admitted,
          args,
          () => this.guard(fn, thisArg, args, site, false),
          () => this.run(fn, thisArg, args, admitted, site),
        );
      }
      phase = admitted;
    }
    return this.run(fn, thisArg, args, phase, site);
  }

  /** Runs an admitted call under `phase` and records its outcome. */
  private run(fn: AnyFunction, thisArg: unknown, args: unknown[], phase: Phase, site: CallSite): unknown {
    const started = this.needsStart ? this.config.clock.now() : UNTIMED;
    let result: unknown;
    try {
      result = fn.apply(thisArg, args);
    } catch (error) {
      return this.settleError(error, phase, started, args, 'error');
    }
    if (!isThenable(result)) {
      this.settleValue(result, phase, started);
      return result;
    }
    site.async = true;
    return this.settleAsync(result, phase, started, args);
  }

  /** Records an async call when it settles. Untimed calls without a fallback share one handler pair per phase. */
  private settleAsync(result: PromiseLike<unknown>, phase: Phase, started: number, args: unknown[]): Promise<unknown> {
    if (this.config.callTimeoutMs !== undefined) return this.settleRaced(result, undefined, undefined, phase, started, args);
    if (Number.isNaN(started) && this.config.fallback === undefined) {
      let handlers = this.asyncHandlers;
      if (handlers === undefined || handlers.phase !== phase) handlers = this.asyncHandlers = this.handlersFor(phase);
      return Promise.resolve(result).then(handlers.onValue, handlers.onError);
    }
    return Promise.resolve(result).then(
      (value) => {
        this.settleValue(value, phase, started);
        return value;
      },
      (error: unknown) => this.settleRejection(error, phase, started, args, 'error'),
    );
  }

  private handlersFor(phase: Phase): AsyncHandlers {
    return {
      phase,
      onValue: (value) => {
        this.settleValue(value, phase, UNTIMED);
        return value;
      },
      onError: (error) => this.settleRejection(error, phase, UNTIMED, NO_ARGS, 'error'),
    };
  }

  /** The cancellable path: one AbortController per call, never per breaker. */
  private guardWithSignal(
    fn: AnyFunction,
    thisArg: unknown,
    outer: AbortSignal | undefined,
    args: unknown[],
    mayWaitForStore = true,
  ): Promise<unknown> {
    if (outer !== undefined && !isAbortSignal(outer)) {
      return Promise.reject(new TypeError(`signal must be an AbortSignal or undefined, got ${describeValue(outer)}`));
    }
    // The caller gave up before the call started: not the dependency's fault, so nothing is counted.
    if (outer?.aborted) return Promise.reject(outer.reason);
    let phase = this.phase;
    if (phase.state !== CircuitState.CLOSED) {
      const now = this.config.clock.now();
      const admitted = this.admit(phase, now);
      if (admitted === undefined) return this.reject(now, args, true) as Promise<unknown>;
      if (admitted.state === CircuitState.HALF_OPEN && mayWaitForStore && this.link?.acquirePermit !== undefined) {
        return this.withFleetPermit(
          admitted,
          args,
          () => this.guardWithSignal(fn, thisArg, outer, args, false),
          () => this.runWithSignal(fn, thisArg, outer, args, admitted),
        );
      }
      phase = admitted;
    }
    return this.runWithSignal(fn, thisArg, outer, args, phase);
  }

  /** Runs an admitted cancellable call under `phase`. */
  private runWithSignal(
    fn: AnyFunction,
    thisArg: unknown,
    outer: AbortSignal | undefined,
    args: unknown[],
    phase: Phase,
  ): Promise<unknown> {
    const controller = new AbortController();
    const started = this.needsStart ? this.config.clock.now() : UNTIMED;
    let result: unknown;
    try {
      result = fn.call(thisArg, controller.signal, ...args);
    } catch (error) {
      try {
        return Promise.resolve(this.settleError(error, phase, started, args, 'error'));
      } catch (rethrown) {
        return Promise.reject(rethrown);
      }
    }
    if (!isThenable(result)) {
      this.settleValue(result, phase, started);
      return Promise.resolve(result);
    }
    return this.settleRaced(result, controller, outer, phase, started, args);
  }

  /**
   * HALF_OPEN with a shared store: besides the local permit already taken,
   * waits (bounded by the store, once per call) for a fleet-wide trial permit.
   * Denied: the call is rejected. If the breaker moved on while the call
   * waited, it is decided again under the new state without waiting again;
   * in a new HALF_OPEN it may run only on the fleet permit it was granted.
   */
  private withFleetPermit(phase: Phase, args: unknown[], startOver: () => unknown, proceed: () => unknown): Promise<unknown> {
    const link = this.link as StoreLink;
    const acquire = link.acquirePermit as () => Promise<StorePermit | undefined>;
    const holding = (permit: StorePermit, run: () => unknown) =>
      Promise.resolve()
        .then(run)
        .finally(() => permit.release());
    return acquire.call(link).then(
      (permit) => {
        if (phase === this.phase) {
          if (permit !== undefined) return holding(permit, proceed);
          this.releaseTrial(phase);
          return this.reject(this.config.clock.now(), args, true);
        }
        if (this.phase.state === CircuitState.HALF_OPEN) {
          if (permit === undefined) return this.reject(this.config.clock.now(), args, true);
          return holding(permit, startOver);
        }
        permit?.release();
        return startOver();
      },
      // A store must not reject; if one does, the local permit decides.
      () => proceed(),
    );
  }

  /** Settles an async call that races a timeout and/or the caller's signal. */
  private settleRaced(
    pending: PromiseLike<unknown>,
    controller: AbortController | undefined,
    outer: AbortSignal | undefined,
    phase: Phase,
    started: number,
    args: unknown[],
  ): Promise<unknown> {
    const timeoutMs = this.config.callTimeoutMs;
    return settleWithin(pending, controller, timeoutMs, outer, () => new CallTimeoutError(this.name, timeoutMs ?? 0)).then((settlement) => {
      switch (settlement.kind) {
        case 'value':
          this.settleValue(settlement.value, phase, started);
          return settlement.value;
        case 'error':
          return this.settleRejection(settlement.error, phase, started, args, 'error');
        case 'timeout':
          this.more.timeouts++;
          if (this.events?.has('timeout')) this.events?.emit('timeout', Object.freeze({ name: this.name, timeoutMs: timeoutMs ?? 0 }));
          return this.settleRejection(settlement.error, phase, started, args, 'timeout');
        case 'aborted':
          this.settleIgnored(settlement.reason, phase);
          throw settlement.reason;
      }
    });
  }

  private reject(now: number, args: unknown[], async: boolean): unknown {
    const error = this.openError(this.phase, now);
    this.more.rejections++;
    if (this.events?.has('rejected')) this.events?.emit('rejected', Object.freeze({ name: this.name, error }));
    if (this.config.fallback === undefined) {
      if (async) return Promise.reject(error);
      throw error;
    }
    if (!async) return this.runFallback(error, args);
    try {
      return Promise.resolve(this.runFallback(error, args));
    } catch (fallbackError) {
      return Promise.reject(fallbackError);
    }
  }

  private runFallback(error: unknown, args: unknown[]): unknown {
    const fallback = this.config.fallback as (error: unknown, ...args: unknown[]) => unknown;
    this.more.fallbacks++;
    if (this.events?.has('fallback')) this.events?.emit('fallback', Object.freeze({ name: this.name, error }));
    return fallback(error, ...args);
  }

  // ---- recording outcomes -------------------------------------------------------------------

  private settleValue(value: unknown, phase: Phase, started: number): void {
    const now = this.needsNow ? this.config.clock.now() : 0;
    const durationMs = elapsedMs(started, now);
    if (this.config.isFailureResult !== undefined && this.resultIsFailure(value)) {
      this.failures++;
      if (this.events?.has('failure'))
        this.events?.emit('failure', Object.freeze({ name: this.name, reason: 'result', error: value, durationMs }));
      this.record(phase, Outcome.FAILURE, now);
      return;
    }
    const threshold = this.config.slowCallThresholdMs;
    const slow = threshold !== undefined && durationMs > threshold;
    this.successes++;
    if (this.events?.has('success')) this.events?.emit('success', Object.freeze({ name: this.name, durationMs }));
    if (slow) {
      this.more.slowCalls++;
      if (this.events?.has('slowCall'))
        this.events?.emit('slowCall', Object.freeze({ name: this.name, durationMs, thresholdMs: threshold }));
    }
    this.record(phase, slow ? Outcome.SLOW_SUCCESS : Outcome.SUCCESS, now);
  }

  /** A sync call threw: records it, then returns the fallback's value or rethrows (the fallback's own error, if it throws). */
  private settleError(error: unknown, phase: Phase, started: number, args: unknown[], reason: 'error' | 'timeout'): unknown {
    if (this.recordError(error, phase, started, reason) && this.config.fallback !== undefined) return this.runFallback(error, args);
    throw error;
  }

  /**
   * An async call rejected (this runs in a promise handler): the same as
   * settleError, but it rejects by returning a rejected promise, which spares
   * a second throw of the error on the failure path.
   */
  private settleRejection(error: unknown, phase: Phase, started: number, args: unknown[], reason: 'error' | 'timeout'): unknown {
    if (this.recordError(error, phase, started, reason) && this.config.fallback !== undefined) return this.runFallback(error, args);
    return Promise.reject(error);
  }

  /** Records a thrown error: true when it counts as a failure, false when it is ignored. */
  private recordError(error: unknown, phase: Phase, started: number, reason: 'error' | 'timeout'): boolean {
    if (reason === 'error' && !this.errorCounts(error)) {
      this.settleIgnored(error, phase);
      return false;
    }
    const now = this.needsNow ? this.config.clock.now() : 0;
    this.failures++;
    if (this.events?.has('failure'))
      this.events?.emit('failure', Object.freeze({ name: this.name, reason, error, durationMs: elapsedMs(started, now) }));
    this.record(phase, Outcome.FAILURE, now);
    return true;
  }

  private settleIgnored(error: unknown, phase: Phase): void {
    this.more.ignored++;
    if (this.events?.has('ignored')) this.events?.emit('ignored', Object.freeze({ name: this.name, error }));
    this.releaseTrial(phase);
  }

  /** Whether a thrown value counts as a failure. A predicate that throws counts the call as failed (the safe side) and is logged. */
  private errorCounts(error: unknown): boolean {
    const { ignoreErrors, recordErrors } = this.config;
    try {
      if (ignoreErrors?.(error)) return false;
      return recordErrors === undefined || recordErrors(error) === true;
    } catch (predicateError) {
      this.logger.error(`tripswitch: an error predicate of breaker "${this.name}" threw; counting the call as a failure`, {
        breaker: this.name,
        error: predicateError,
      });
      return true;
    }
  }

  private resultIsFailure(value: unknown): boolean {
    try {
      return this.config.isFailureResult?.(value) === true;
    } catch (predicateError) {
      this.logger.error(`tripswitch: isFailureResult of breaker "${this.name}" threw; counting the call as a failure`, {
        breaker: this.name,
        error: predicateError,
      });
      return true;
    }
  }

  // ---- events, stats, snapshots --------------------------------------------------------------

  /** Subscribes to an event; returns the function that unsubscribes. A throwing listener is logged, never breaks a call. */
  on<E extends BreakerEventName>(event: E, listener: BreakerEvents[E]): () => void {
    if (!EVENT_NAMES.includes(event))
      throw new TypeError(`on(event): unknown event ${describeValue(event)} (known: ${EVENT_NAMES.join(', ')})`);
    if (typeof listener !== 'function')
      throw new TypeError(`on("${event}", listener): listener must be a function, got ${describeValue(listener)}`);
    this.events ??= new Emitter<BreakerEvents>((name, error) =>
      this.logger.error(`tripswitch: a "${String(name)}" listener of breaker "${this.name}" threw`, { breaker: this.name, error }),
    );
    const off = this.events.on(event, listener);
    this.updateTiming();
    return () => {
      off();
      this.updateTiming();
    };
  }

  /** Reads the clock only where something needs the time: at the start for durations, at the end for time buckets. */
  private updateTiming(): void {
    const events = this.events;
    this.needsStart =
      this.config.slowCallThresholdMs !== undefined ||
      (events !== undefined && (events.has('success') || events.has('failure') || events.has('slowCall')));
    this.needsNow = this.needsStart || this.config.window.type === 'time';
  }

  /** What the breaker knows now: state, window counts and rates, totals since creation, timing. */
  stats(): BreakerStats {
    const now = this.config.clock.now();
    const phase = this.phase;
    const counts = this.window.counts(now);
    return {
      name: this.name,
      state: phase.state,
      window: {
        type: this.config.window.type,
        ...counts,
        failureRate: counts.calls === 0 ? 0 : counts.failures / counts.calls,
        slowCallRate: counts.calls === 0 ? 0 : counts.slowCalls / counts.calls,
      },
      totals: {
        successes: this.successes,
        failures: this.failures,
        slowCalls: this.occasional?.slowCalls ?? 0,
        rejections: this.occasional?.rejections ?? 0,
        timeouts: this.occasional?.timeouts ?? 0,
        fallbacks: this.occasional?.fallbacks ?? 0,
        ignored: this.occasional?.ignored ?? 0,
      },
      stateSince: phase.since,
      timeInStateMs: Math.max(0, now - phase.since),
      nextAttemptAt: phase.state === CircuitState.OPEN ? phase.retryAt : undefined,
      halfOpenInFlight: phase.state === CircuitState.HALF_OPEN ? phase.inFlight : 0,
      halfOpenSuccesses: phase.state === CircuitState.HALF_OPEN ? phase.successes : 0,
    };
  }

  /** The rarer totals, made on first use. */
  private get more(): Occasional {
    this.occasional ??= newOccasional();
    return this.occasional;
  }
}
