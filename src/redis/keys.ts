/**
 * Key layout of one breaker. Every key and the channel start with the hash tag
 * `{prefix:name}`, so one breaker's keys share a Redis Cluster slot and one
 * Lua script can touch them all.
 */
export interface BreakerKeys {
  /** Hash: state, gen, since, retryAt, reopenCount. */
  readonly state: string;
  /** Hash: the merged fleet window (per type: run / calls, failures, slow, seq / c:<bucket>, f:<bucket>, s:<bucket>) and `at`. */
  readonly window: string;
  /** List (count window only): the flushed chunks `calls:failures:slow:seq`, oldest first. */
  readonly chunks: string;
  /** Sorted set: instances that reported failures (or slow calls, in a rate window) in the fleet window (the minInstances quorum). */
  readonly failers: string;
  /** Sorted set: HALF_OPEN trial permit tokens, scored by lease expiry. */
  readonly permits: string;
  /** Pub/sub channel of the fleet's transitions. */
  readonly channel: string;
  /** The script keys, in the order the scripts expect. */
  readonly scriptKeys: readonly [string, string, string, string, string];
}

/** The keys of breaker `name` under `prefix`. */
export function keysFor(prefix: string, name: string): BreakerKeys {
  const tag = `{${prefix}:${name}}`;
  const state = `${tag}:state`;
  const window = `${tag}:window`;
  const chunks = `${tag}:chunks`;
  const failers = `${tag}:failers`;
  const permits = `${tag}:permits`;
  return { state, window, chunks, failers, permits, channel: `${tag}:events`, scriptKeys: [state, window, chunks, failers, permits] };
}
