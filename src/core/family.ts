import type { CircuitBreaker } from './breaker.js';
import type { Clock } from './clock.js';
import type { CircuitBreakerConfig, ResolvedConfig } from './config.js';
import { describeValue } from './describe-value.js';
import type { CircuitBreakerRegistry } from './registry.js';
import { expectName, expectObject, optionalNumber, rejectUnknownKeys } from './validate.js';

/** Bounds of a {@link BreakerFamily}. */
export interface FamilyOptions {
  /** Most breakers kept at once; the least recently used is evicted past it. Default 10 000. */
  readonly maxSize?: number;
  /** A breaker unused for this long (ms) is evicted on a later `get`. Default: never. */
  readonly idleTtlMs?: number;
}

interface Member {
  readonly breaker: CircuitBreaker;
  lastUsedAt: number;
}

/**
 * Breakers made on demand per key, for a service that talks to many hosts or
 * tenants. Memory stays bounded: at most `maxSize` breakers (least recently
 * used evicted first), and idle ones dropped after `idleTtlMs`. Eviction is
 * lazy, done by `get`, with no timer.
 *
 * An evicted breaker forgets its state: an open circuit evicted for space
 * starts closed when its key comes back. With `idleTtlMs` at least
 * `resetTimeoutMs` an idle open circuit would have gone half-open anyway.
 *
 * @example
 * ```ts
 * import { CircuitBreakerRegistry } from 'tripswitch';
 * const hosts = new CircuitBreakerRegistry().family('host', { failureThreshold: 3 }, { maxSize: 1_000 });
 * const breaker = hosts.get('api.example.com');
 * ```
 */
export class BreakerFamily {
  /** Prefix of the members' names: `${prefix}:${key}`. */
  readonly prefix: string;
  private readonly members = new Map<string, Member>();
  private readonly maxSize: number;
  private readonly idleTtlMs: number | undefined;
  private readonly clock: Clock;
  /** Validated once, when the family is made: bad options fail here, and every member shares the result. */
  private readonly config: ResolvedConfig;

  constructor(
    private readonly registry: CircuitBreakerRegistry,
    prefix: string,
    config?: CircuitBreakerConfig,
    options: FamilyOptions = {},
  ) {
    this.prefix = expectName(prefix, 'prefix');
    const raw = expectObject(options, 'family options');
    rejectUnknownKeys(raw, ['maxSize', 'idleTtlMs'], 'FamilyOptions');
    this.maxSize = optionalNumber(raw.maxSize, 'maxSize', { integer: true, min: 1 }) ?? 10_000;
    this.idleTtlMs = optionalNumber(raw.idleTtlMs, 'idleTtlMs', { min: 0, allowInfinity: true });
    this.config = registry.resolveMemberConfig(config);
    this.clock = this.config.clock;
  }

  /** The breaker for `key`, created on first use. Marks it as just used. */
  get(key: string): CircuitBreaker {
    if (typeof key !== 'string') throw new TypeError(`family "${this.prefix}": key must be a string, got ${describeValue(key)}`);
    const now = this.clock.now();
    this.evictIdle(now);
    const member = this.members.get(key);
    if (member !== undefined) {
      // Re-inserting moves the key to the end: the map's order is least to most recently used.
      this.members.delete(key);
      this.members.set(key, member);
      member.lastUsedAt = now;
      return member.breaker;
    }
    const breaker = this.registry.getOrCreate(`${this.prefix}:${key}`, this.config);
    this.members.set(key, { breaker, lastUsedAt: now });
    if (this.members.size > this.maxSize) this.evictOldest();
    return breaker;
  }

  /** Whether `key` has a live breaker. Does not mark it as used. */
  has(key: string): boolean {
    return this.members.has(key);
  }

  /** Removes the breaker for `key`; returns whether there was one. */
  delete(key: string): boolean {
    const member = this.members.get(key);
    if (member === undefined) return false;
    this.members.delete(key);
    this.registry.delete(member.breaker.name);
    return true;
  }

  /** Live breakers in the family. */
  get size(): number {
    return this.members.size;
  }

  /** Keys with a live breaker, least recently used first. */
  keys(): string[] {
    return [...this.members.keys()];
  }

  private evictOldest(): void {
    const oldest = this.members.keys().next();
    if (!oldest.done) this.delete(oldest.value);
  }

  private evictIdle(now: number): void {
    const ttl = this.idleTtlMs;
    if (ttl === undefined || ttl === Number.POSITIVE_INFINITY) return;
    for (const [key, member] of this.members) {
      if (now - member.lastUsedAt < ttl) return;
      this.delete(key);
    }
  }
}
