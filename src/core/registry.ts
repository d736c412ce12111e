import { CircuitBreaker } from './breaker.js';
import { type CircuitBreakerConfig, isResolvedConfig, type ResolvedConfig, resolveConfig } from './config.js';
import { configDifferences } from './config-diff.js';
import { describeValue } from './describe-value.js';
import { Emitter } from './emitter.js';
import { ErrorCode, ServiceException } from './errors.js';
import { BreakerFamily, type FamilyOptions } from './family.js';
import { getDefaultLogger } from './logger.js';
import type { CircuitState } from './state.js';
import { expectName, expectObject, rejectUnknownKeys } from './validate.js';

/** Options of a {@link CircuitBreakerRegistry}. */
export interface RegistryOptions {
  /** Config merged under every breaker the registry creates (the breaker's own config wins). */
  readonly defaults?: CircuitBreakerConfig;
}

/** Events of a registry: a breaker joined or left it. */
export interface RegistryEvents {
  add: (breaker: CircuitBreaker) => void;
  remove: (breaker: CircuitBreaker) => void;
}

interface Entry {
  readonly breaker: CircuitBreaker;
  /** The config the breaker was created with, to detect a conflicting `getOrCreate`. */
  readonly config: CircuitBreakerConfig | ResolvedConfig;
}

/**
 * A set of named breakers (the seed's class-level registry). The static
 * methods of `CircuitBreaker` use a default one; tests and apps can hold
 * their own.
 *
 * @example
 * ```ts
 * import { CircuitBreakerRegistry } from 'tripswitch';
 * const registry = new CircuitBreakerRegistry({ defaults: { resetTimeoutMs: 5_000 } });
 * const db = registry.getOrCreate('db');
 * console.log(registry.getAllStates()); // { db: 'closed' }
 * ```
 */
export class CircuitBreakerRegistry {
  private readonly entries = new Map<string, Entry>();
  private readonly events = new Emitter<RegistryEvents>((event, error) =>
    getDefaultLogger().error(`tripswitch: a registry "${String(event)}" listener threw`, { error }),
  );
  private readonly defaults: CircuitBreakerConfig;
  private defaultsResolved: ResolvedConfig | undefined;

  constructor(options: RegistryOptions = {}) {
    const raw = expectObject(options, 'registry options');
    rejectUnknownKeys(raw, ['defaults'], 'RegistryOptions');
    this.defaults = raw.defaults === undefined ? {} : Object.freeze({ ...expectObject(raw.defaults, 'defaults') });
  }

  /** The breaker called `name`, or `undefined`. */
  get(name: string): CircuitBreaker | undefined {
    return this.entries.get(name)?.breaker;
  }

  /** Whether a breaker called `name` is registered. */
  has(name: string): boolean {
    return this.entries.has(name);
  }

  /**
   * The breaker called `name`, created with the registry defaults and `config`
   * if missing. Asking for an existing breaker with a config that differs from
   * the one it was created with throws a `ServiceException` with code
   * `CONFIG_CONFLICT` naming the differing options: two call sites silently
   * sharing a breaker configured for only one of them is a bug. Without a
   * config, the existing breaker is returned as it is.
   */
  getOrCreate(name: string, config?: CircuitBreakerConfig | ResolvedConfig): CircuitBreaker {
    expectName(name);
    const existing = this.entries.get(name);
    const merged =
      config === undefined ? this.defaults : isResolvedConfig(config) ? config : { ...this.defaults, ...expectObject(config, 'config') };
    if (existing !== undefined) {
      if (config === undefined) return existing.breaker;
      if (merged === existing.config) return existing.breaker;
      const differences = configDifferences(existing.config, merged);
      if (differences.length > 0) {
        throw new ServiceException(
          `Circuit breaker ${describeValue(name)} already exists with a different config (differs in: ${differences.join(', ')}); ` +
            'call getOrCreate without a config to share it, or use another name',
          ErrorCode.CONFIG_CONFLICT,
        );
      }
      return existing.breaker;
    }
    const breaker = new CircuitBreaker(name, config === undefined ? this.resolvedDefaults() : merged);
    this.entries.set(name, { breaker, config: merged });
    this.events.emit('add', breaker);
    return breaker;
  }

  /**
   * The registry defaults, validated once and shared by every breaker created
   * without a config of its own (a config per breaker would cost memory).
   */
  resolvedDefaults(): ResolvedConfig {
    this.defaultsResolved ??= resolveConfig(this.defaults);
    return this.defaultsResolved;
  }

  /** Validates `config` merged over the registry defaults once, for many breakers to share (families do). */
  resolveMemberConfig(config: CircuitBreakerConfig | undefined): ResolvedConfig {
    return config === undefined ? this.resolvedDefaults() : resolveConfig({ ...this.defaults, ...expectObject(config, 'config') });
  }

  /** Adds a breaker made with `new CircuitBreaker(...)`. Throws if the name is taken by another breaker. */
  register(breaker: CircuitBreaker): CircuitBreaker {
    if (!(breaker instanceof CircuitBreaker))
      throw new TypeError(`register(breaker): expected a CircuitBreaker, got ${describeValue(breaker)}`);
    const existing = this.entries.get(breaker.name);
    if (existing?.breaker === breaker) return breaker;
    if (existing !== undefined) {
      throw new ServiceException(`Circuit breaker ${describeValue(breaker.name)} is already registered`, ErrorCode.CONFIG_CONFLICT);
    }
    this.entries.set(breaker.name, { breaker, config: breaker.config });
    this.events.emit('add', breaker);
    return breaker;
  }

  /**
   * Removes the breaker called `name`; returns whether there was one. The
   * breaker keeps working for whoever holds it, but stops sharing state
   * through a store (`detachStore()`).
   */
  delete(name: string): boolean {
    const entry = this.entries.get(name);
    if (entry === undefined) return false;
    this.entries.delete(name);
    // A breaker that left the registry no longer takes part in a shared store (whoever holds it keeps a local breaker).
    entry.breaker.detachStore();
    this.events.emit('remove', entry.breaker);
    return true;
  }

  /** Every registered breaker as a plain object name -> state (the seed's `get_all_states`). */
  getAllStates(): Record<string, CircuitState> {
    return Object.fromEntries([...this.entries].map(([name, entry]) => [name, entry.breaker.state]));
  }

  /** Resets every registered breaker to CLOSED (the seed's `reset_all`). */
  resetAll(): void {
    for (const { breaker } of this.entries.values()) breaker.reset();
  }

  /** Number of registered breakers. */
  get size(): number {
    return this.entries.size;
  }

  /** The registered breakers, in creation order. */
  breakers(): CircuitBreaker[] {
    return [...this.entries.values()].map((entry) => entry.breaker);
  }

  /** Iterates over the registered breakers. */
  [Symbol.iterator](): IterableIterator<CircuitBreaker> {
    return this.breakers()[Symbol.iterator]();
  }

  /** Subscribes to breakers joining (`add`) or leaving (`remove`); returns the unsubscribe function. */
  on<E extends keyof RegistryEvents>(event: E, listener: RegistryEvents[E]): () => void {
    if (event !== 'add' && event !== 'remove')
      throw new TypeError(`on(event): unknown registry event ${describeValue(event)} (known: add, remove)`);
    if (typeof listener !== 'function')
      throw new TypeError(`on("${event}", listener): listener must be a function, got ${describeValue(listener)}`);
    return this.events.on(event, listener);
  }

  /**
   * A family of breakers made on demand, one per key (host, tenant,
   * endpoint), named `${prefix}:${key}` in this registry, with bounded memory.
   */
  family(prefix: string, config?: CircuitBreakerConfig, options?: FamilyOptions): BreakerFamily {
    return new BreakerFamily(this, prefix, config, options);
  }
}

/**
 * The registry behind `CircuitBreaker.get`, `getOrCreate`, `getAllStates`,
 * `resetAll` and the `circuitBreaker()` decorator.
 *
 * @example
 * ```ts
 * import { defaultRegistry } from 'tripswitch';
 * defaultRegistry.getOrCreate('db');
 * ```
 */
export const defaultRegistry = new CircuitBreakerRegistry();
