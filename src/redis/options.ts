import type { Cluster, Redis, RedisOptions } from 'ioredis';
import type { LocalTripMode } from '../index.js';

/**
 * Options of a {@link RedisStateStore}. Every field is optional.
 *
 * @example
 * ```ts
 * import { RedisStateStore, type RedisStateStoreOptions } from 'tripswitch/redis';
 * const options: RedisStateStoreOptions = { redis: 'redis://127.0.0.1:6379', keyPrefix: 'shop' };
 * const store = new RedisStateStore(options);
 * ```
 */
export interface RedisStateStoreOptions {
  /**
   * Where Redis is: an ioredis client (`Redis` or `Cluster`; its settings are reused through
   * `duplicate()`, and it is never used or closed by the store), a `redis://` URL, or ioredis
   * `RedisOptions`. Default `'redis://127.0.0.1:6379'`.
   */
  readonly redis?: Redis | Cluster | string | RedisOptions;
  /** Prefix of every key and channel. Default `'tripswitch'`. */
  readonly keyPrefix?: string;
  /** How often each breaker's batched outcomes are merged into the fleet window, in ms. Default 100. */
  readonly flushIntervalMs?: number;
  /** Calls in a batch that trigger a flush before the interval ends. Default 10 000. */
  readonly maxBatch?: number;
  /** Longest a HALF_OPEN call waits for a fleet-wide trial permit, in ms; on a fault or timeout the local permit decides. Default 50. */
  readonly storeTimeoutMs?: number;
  /** Longest any background Redis command may take before the store counts as degraded, in ms. Default 1000. */
  readonly commandTimeoutMs?: number;
  /** Whether a breaker whose own window trips opens only itself (default) or the whole fleet. */
  readonly localTrip?: LocalTripMode;
  /** Distinct instances that must have reported failures in the fleet window before the fleet trips. Default 1. */
  readonly minInstances?: number;
  /** This process's identity in the quorum and in permit leases. Default: a random id. */
  readonly instanceId?: string;
  /** How long a trial permit is held at most, in ms, so a crashed holder frees it. Default 10 000. */
  readonly permitLeaseMs?: number;
  /** Expiry of every key, refreshed on each write, in ms: an abandoned breaker costs nothing after it. Default 86 400 000 (a day). */
  readonly keyTtlMs?: number;
}

/** The options after validation, with defaults filled in. */
export interface ResolvedRedisOptions {
  readonly redis: Redis | Cluster | string | RedisOptions;
  readonly keyPrefix: string;
  readonly flushIntervalMs: number;
  readonly maxBatch: number;
  readonly storeTimeoutMs: number;
  readonly commandTimeoutMs: number;
  readonly localTrip: LocalTripMode;
  readonly minInstances: number;
  readonly instanceId: string;
  readonly permitLeaseMs: number;
  readonly keyTtlMs: number;
}

const KEYS = [
  'redis',
  'keyPrefix',
  'flushIntervalMs',
  'maxBatch',
  'storeTimeoutMs',
  'commandTimeoutMs',
  'localTrip',
  'minInstances',
  'instanceId',
  'permitLeaseMs',
  'keyTtlMs',
] as const;

/** Largest delay a JS timer can hold. */
const MAX_MS = 2_147_483_647;

/** A short description of a bad value for error messages. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === undefined) return String(value);
  if (value === null) return 'null';
  if (typeof value === 'function') return `function ${value.name || '(anonymous)'}`;
  if (typeof value === 'object')
    return Array.isArray(value) ? `array(${value.length})` : `object ${Object.prototype.toString.call(value).slice(8, -1)}`;
  return String(value);
}

function integer(raw: Record<string, unknown>, key: string, fallback: number, min: number, max: number): number {
  const value = Object.hasOwn(raw, key) && raw[key] !== undefined ? raw[key] : fallback;
  if (typeof value !== 'number')
    throw new TypeError(`option "${key}" must be an integer between ${min} and ${max}, got ${describe(value)}`);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`option "${key}" must be an integer between ${min} and ${max}, got ${describe(value)}`);
  }
  return value;
}

// Control characters would forge log lines or break keys: matching them is the point.
// biome-ignore lint/suspicious/noControlCharactersInRegex: see above
const PREFIX = /^[^{}\u0000-\u001f\u007f]{1,128}$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: see above
const INSTANCE_ID = /^[^|\u0000-\u001f\u007f]{1,128}$/;

function text(raw: Record<string, unknown>, key: string, fallback: string, pattern: RegExp, rule: string): string {
  const value = Object.hasOwn(raw, key) && raw[key] !== undefined ? raw[key] : fallback;
  if (typeof value !== 'string') throw new TypeError(`option "${key}" must be a string, got ${describe(value)}`);
  if (!pattern.test(value)) throw new RangeError(`option "${key}" must be ${rule}, got ${describe(value)}`);
  return value;
}

function isClient(value: object): value is Redis | Cluster {
  return (
    typeof (value as { duplicate?: unknown }).duplicate === 'function' && typeof (value as { evalsha?: unknown }).evalsha === 'function'
  );
}

/** Validates {@link RedisStateStoreOptions}; throws a TypeError or RangeError naming the option and the value. */
export function resolveRedisOptions(input: RedisStateStoreOptions | undefined): ResolvedRedisOptions {
  if (input !== undefined && (typeof input !== 'object' || input === null || Array.isArray(input))) {
    throw new TypeError(`RedisStateStore options must be an object, got ${describe(input)}`);
  }
  const raw = (input ?? {}) as Record<string, unknown>;
  for (const key of Reflect.ownKeys(raw)) {
    if (typeof key !== 'string' || !(KEYS as readonly string[]).includes(key)) {
      throw new TypeError(
        `RedisStateStoreOptions: unknown option ${describe(typeof key === 'string' ? key : String(key))} (allowed: ${KEYS.join(', ')})`,
      );
    }
  }
  const redis = Object.hasOwn(raw, 'redis') && raw.redis !== undefined ? raw.redis : 'redis://127.0.0.1:6379';
  if (typeof redis === 'string') {
    if (!/^rediss?:\/\//.test(redis)) throw new RangeError(`option "redis" must be a redis:// or rediss:// URL, got ${describe(redis)}`);
  } else if (typeof redis !== 'object' || redis === null || Array.isArray(redis)) {
    throw new TypeError(`option "redis" must be an ioredis client, a redis:// URL or ioredis options, got ${describe(redis)}`);
  }
  const localTrip = Object.hasOwn(raw, 'localTrip') && raw.localTrip !== undefined ? raw.localTrip : 'local-only';
  if (localTrip !== 'local-only' && localTrip !== 'fleet') {
    throw new TypeError(`option "localTrip" must be "local-only" or "fleet", got ${describe(localTrip)}`);
  }
  const commandTimeoutMs = integer(raw, 'commandTimeoutMs', 1000, 1, 60_000);
  return {
    redis: redis as ResolvedRedisOptions['redis'],
    // No braces: the store wraps prefix and name in one hash tag; no control characters.
    keyPrefix: text(raw, 'keyPrefix', 'tripswitch', PREFIX, 'a string of 1 to 128 characters without braces or control characters'),
    flushIntervalMs: integer(raw, 'flushIntervalMs', 100, 1, 60_000),
    maxBatch: integer(raw, 'maxBatch', 10_000, 1, 1_000_000_000),
    storeTimeoutMs: integer(raw, 'storeTimeoutMs', 50, 1, 60_000),
    commandTimeoutMs,
    localTrip,
    minInstances: integer(raw, 'minInstances', 1, 1, 1_000_000),
    instanceId: text(raw, 'instanceId', randomId(), INSTANCE_ID, 'a string of 1 to 128 characters without "|" or control characters'),
    permitLeaseMs: integer(raw, 'permitLeaseMs', 10_000, 1, MAX_MS),
    keyTtlMs: integer(raw, 'keyTtlMs', 86_400_000, 1000, MAX_MS),
  };
}

function randomId(): string {
  return globalThis.crypto.randomUUID();
}

export { isClient };
