import { Cluster, Redis, type RedisOptions } from 'ioredis';
import {
  type CircuitState,
  type LocalTransitionReason,
  type Outcome,
  openDurationMs,
  type SharedState,
  type StateStore,
  type StoreBreaker,
  type StoreLink,
  type StorePermit,
} from '../index.js';
import { Batch } from './batch.js';
import { type BreakerKeys, keysFor } from './keys.js';
import { isClient, type RedisStateStoreOptions, type ResolvedRedisOptions, resolveRedisOptions } from './options.js';
import { ACQUIRE, FLUSH, TRANSITION } from './scripts.js';

type Client = Redis | Cluster;

/** The scripts, as ioredis custom commands (EVALSHA, with EVAL on NOSCRIPT after a Redis restart). */
interface ScriptCommands {
  tripswitchFlush(...args: string[]): Promise<string[]>;
  tripswitchTransition(...args: string[]): Promise<string[]>;
  tripswitchAcquire(...args: string[]): Promise<number>;
}

/** One attached breaker. */
interface Member {
  readonly view: StoreBreaker;
  readonly keys: BreakerKeys;
  readonly batch: Batch;
  /** The flush of this member in flight, if any. */
  inflight: Promise<void> | undefined;
  /** An early flush (batch at maxBatch) is scheduled. */
  flushSoon: boolean;
  /** When the last early flush was sent (ms), to space early flushes out. */
  lastEarlyFlushAt: number;
  /** Tokens of the fleet permits held by this breaker's calls, each released by its own call. */
  readonly permits: Set<string>;
  detached: boolean;
}

/** A no-op timer handle's `unref`, when the runtime has one. */
function unref(timer: unknown): void {
  (timer as { unref?: () => void }).unref?.();
}

const noop = (): void => {};

/** The permit of a call that goes on without the store (a fault or a timeout): it holds no lease. */
const LOCAL_PERMIT: StorePermit = Object.freeze({ release: noop });

/**
 * Shares breaker state across processes through Redis (or Valkey), never waiting on Redis in CLOSED or OPEN.
 *
 * Local-first: calls decide from local memory, outcomes are batched
 * and merged into a fleet window by a Lua script every `flushIntervalMs`,
 * fleet transitions spread by pub/sub with generation numbers, and HALF_OPEN
 * trial permits are leases counted across the fleet. Redis faults never reach
 * a caller: breakers decide locally and emit `storeDegraded` / `storeRecovered`.
 *
 * @example
 * ```ts
 * import { CircuitBreaker } from 'tripswitch';
 * import { RedisStateStore } from 'tripswitch/redis';
 * const store = new RedisStateStore({ redis: 'redis://127.0.0.1:6379', minInstances: 2 });
 * const breaker = new CircuitBreaker('payments', { store, window: { type: 'time', durationMs: 10_000 } });
 * // ...on shutdown:
 * await store.close();
 * ```
 */
export class RedisStateStore implements StateStore {
  /** This process's identity in the fleet (the `instanceId` option, or a random id). */
  readonly instanceId: string;
  private readonly options: ResolvedRedisOptions;
  /** Commands (scripts, permits). */
  private readonly cmd: Client;
  /** Subscriptions only. */
  private readonly sub: Client;
  private readonly members = new Set<Member>();
  /** Attached members by channel (one channel per breaker name). */
  private readonly groups = new Map<string, Set<Member>>();
  private readonly timer: ReturnType<typeof setInterval>;
  private healthy = true;
  private lastError: unknown;
  /** A connection was lost: the shared state must be read again before the store counts as recovered. */
  private needsResync = false;
  private resyncing = false;
  private resyncAgain = false;
  private closing: Promise<void> | undefined;
  private permitCounter = 0;

  /** @param options - Every field is optional; throws a TypeError or RangeError naming a bad option. */
  constructor(options?: RedisStateStoreOptions) {
    this.options = resolveRedisOptions(options);
    this.instanceId = this.options.instanceId;
    this.cmd = connect(this.options, 'commands');
    this.sub = connect(this.options, 'subscriber');
    this.cmd.defineCommand('tripswitchFlush', { numberOfKeys: 5, lua: FLUSH });
    this.cmd.defineCommand('tripswitchTransition', { numberOfKeys: 5, lua: TRANSITION });
    this.cmd.defineCommand('tripswitchAcquire', { numberOfKeys: 1, lua: ACQUIRE });
    for (const client of [this.cmd, this.sub]) {
      client.on('error', (error: unknown) => this.degrade(error));
      client.on('close', () => {
        this.needsResync = true;
        this.degrade(new Error('tripswitch: connection to Redis lost'));
      });
    }
    this.cmd.on('ready', () => this.resync());
    this.sub.on('ready', () => this.subscribeAll());
    this.sub.on('message', (channel: string, message: string) => this.onMessage(channel, message));
    this.timer = setInterval(() => this.tick(), this.options.flushIntervalMs);
    unref(this.timer);
  }

  /** Connects a breaker (called by its constructor). Never throws on a Redis fault. */
  attach(view: StoreBreaker): StoreLink {
    const keys = keysFor(this.options.keyPrefix, view.name);
    const member: Member = {
      view,
      keys,
      batch: new Batch(view.config),
      inflight: undefined,
      flushSoon: false,
      lastEarlyFlushAt: 0,
      permits: new Set(),
      detached: false,
    };
    if (this.closing !== undefined) {
      member.detached = true;
      view.reportStoreHealth(false, new Error('tripswitch: the RedisStateStore is closed'));
      return this.linkFor(member);
    }
    this.members.add(member);
    let group = this.groups.get(keys.channel);
    if (group === undefined) {
      group = new Set();
      this.groups.set(keys.channel, group);
      group.add(member);
      // Subscribe first, then read the state, so no transition falls in between.
      if (this.sub.status === 'ready') {
        this.sub.subscribe(keys.channel).then(
          () => this.sync(member),
          (error: unknown) => this.degrade(error),
        );
      }
    } else {
      group.add(member);
      this.sync(member);
    }
    if (!this.healthy) view.reportStoreHealth(false, this.lastError);
    return this.linkFor(member);
  }

  /**
   * Sends every pending batch now instead of at the next interval; never rejects.
   *
   * Resolves when Redis has answered or failed (waiting for the first connection, at most `commandTimeoutMs`).
   *
   * @example
   * ```ts
   * import { RedisStateStore } from 'tripswitch/redis';
   * const store = new RedisStateStore();
   * await store.flush();
   * ```
   */
  async flush(): Promise<void> {
    await this.connected();
    await Promise.all([...this.members].map((member) => this.flushMember(member)));
  }

  /**
   * Flushes what it can, releases permits, unsubscribes and closes both connections; never rejects.
   *
   * Bounded by `commandTimeoutMs` per step. Leaves no timer or socket behind; attached breakers then decide alone.
   *
   * @example
   * ```ts
   * import { RedisStateStore } from 'tripswitch/redis';
   * const store = new RedisStateStore();
   * process.once('SIGTERM', () => void store.close());
   * ```
   */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  /** Resolves once the command connection is ready, or after `commandTimeoutMs`. */
  private connected(): Promise<void> {
    if (this.cmd.status === 'ready' || this.closing !== undefined) return Promise.resolve();
    return within(new Promise((resolve) => this.cmd.once('ready', resolve)), this.options.commandTimeoutMs);
  }

  private async shutdown(): Promise<void> {
    clearInterval(this.timer);
    const members = [...this.members];
    await within(Promise.allSettled(members.map((member) => this.flushMember(member))), this.options.commandTimeoutMs);
    const releases: Promise<unknown>[] = [];
    for (const member of members) {
      member.detached = true;
      for (const token of member.permits) {
        if (this.cmd.status === 'ready') releases.push(this.cmd.zrem(member.keys.permits, token).catch(noop));
      }
      member.permits.clear();
    }
    this.members.clear();
    this.groups.clear();
    await within(Promise.allSettled(releases), this.options.commandTimeoutMs);
    await Promise.all([this.sub, this.cmd].map((client) => quit(client, this.options.commandTimeoutMs)));
  }

  // ---- the link ---------------------------------------------------------------------------

  private linkFor(member: Member): StoreLink {
    const { batch, keys } = member;
    const maxBatch = this.options.maxBatch;
    return {
      recordOutcome: (outcome: Outcome, nowMs: number) => {
        if (member.detached) return;
        batch.record(outcome, nowMs);
        if (batch.calls >= maxBatch && !member.flushSoon) {
          member.flushSoon = true;
          setImmediate(() => {
            member.flushSoon = false;
            // Early flushes come at most every flushIntervalMs / 10: at millions of calls a second a flush per
            // maxBatch calls would cost more than it tells; the batch is counts, so waiting costs no memory.
            const now = Date.now();
            if (member.inflight !== undefined || now - member.lastEarlyFlushAt < this.options.flushIntervalMs / 10) return;
            member.lastEarlyFlushAt = now;
            this.flushMember(member);
          });
        }
      },
      publishTransition: (next: SharedState, reason: LocalTransitionReason, basedOn: number) => {
        if (member.detached) return;
        // A local-only trip never moves the fleet: no round trip.
        if (reason === 'tripped' && this.options.localTrip === 'local-only') return;
        // In an outage the transition stays local (it is not queued).
        if (this.cmd.status !== 'ready') return;
        const args = [
          reason,
          String(basedOn),
          this.options.localTrip,
          next.state,
          String(next.since),
          next.retryAt === undefined ? '' : String(next.retryAt),
          next.reopenCount === undefined ? '' : String(next.reopenCount),
          String(this.options.keyTtlMs),
          keys.channel,
        ];
        this.scripts.tripswitchTransition(...keys.scriptKeys, ...args).then(
          (reply) => this.applyReply(keys, reply),
          (error: unknown) => this.degrade(error),
        );
      },
      acquirePermit: () => this.acquire(member),
      detach: () => this.detach(member),
    };
  }

  /**
   * A fleet-wide trial permit, settled within `storeTimeoutMs`: the call's own
   * lease, `undefined` when the fleet has none left, or on any fault a permit
   * that holds nothing (the local permit decides).
   */
  private acquire(member: Member): Promise<StorePermit | undefined> {
    if (member.detached || this.cmd.status !== 'ready') return Promise.resolve(LOCAL_PERMIT);
    const token = `${this.instanceId}|${++this.permitCounter}`;
    const { keys, view } = member;
    return new Promise<StorePermit | undefined>((resolve) => {
      let settled = false;
      const timer = setTimeout(() => {
        settled = true;
        resolve(LOCAL_PERMIT);
        this.degrade(new Error(`tripswitch: Redis did not grant a permit within storeTimeoutMs (${this.options.storeTimeoutMs} ms)`));
      }, this.options.storeTimeoutMs);
      unref(timer);
      this.scripts
        .tripswitchAcquire(
          keys.permits,
          token,
          String(view.config.halfOpenMaxCalls),
          String(this.options.permitLeaseMs),
          String(this.options.keyTtlMs),
        )
        .then(
          (granted) => {
            clearTimeout(timer);
            if (settled) {
              // Too late: the caller went on without it. Give it back at once.
              if (granted === 1) this.cmd.zrem(keys.permits, token).catch(noop);
              return;
            }
            settled = true;
            resolve(granted === 1 ? this.leaseFor(member, token) : undefined);
          },
          (error: unknown) => {
            clearTimeout(timer);
            this.degrade(error);
            if (settled) return;
            settled = true;
            resolve(LOCAL_PERMIT);
          },
        );
    });
  }

  /** The permit of one granted lease: releasing it removes exactly this token, once. */
  private leaseFor(member: Member, token: string): StorePermit {
    member.permits.add(token);
    return {
      release: () => {
        if (!member.permits.delete(token) || this.cmd.status !== 'ready') return;
        this.cmd.zrem(member.keys.permits, token).catch((error: unknown) => this.degrade(error));
      },
    };
  }

  private detach(member: Member): void {
    if (member.detached) return;
    this.flushMember(member);
    member.detached = true;
    this.members.delete(member);
    for (const token of member.permits) {
      if (this.cmd.status === 'ready') this.cmd.zrem(member.keys.permits, token).catch(noop);
    }
    member.permits.clear();
    const group = this.groups.get(member.keys.channel);
    group?.delete(member);
    if (group !== undefined && group.size === 0) {
      this.groups.delete(member.keys.channel);
      if (this.sub.status === 'ready') this.sub.unsubscribe(member.keys.channel).catch(noop);
    }
  }

  // ---- flushing and syncing ---------------------------------------------------------------

  private get scripts(): ScriptCommands {
    return this.cmd as unknown as ScriptCommands;
  }

  private tick(): void {
    for (const member of this.members) if (member.inflight === undefined) this.flushMember(member);
    if (!this.healthy) this.resync();
  }

  /** Sends a member's batch through the flush script (after the one in flight, if any); in an outage the batch is dropped. */
  private flushMember(member: Member): Promise<void> | undefined {
    if (member.inflight !== undefined) {
      // A batch is never sent twice or out of order: the next one waits.
      return member.batch.calls === 0 ? member.inflight : member.inflight.then(() => this.flushMember(member));
    }
    if (member.batch.calls === 0) return undefined;
    if (this.cmd.status !== 'ready') {
      // Degraded: the batch is lost (bounded loss). Still connecting at startup: it waits for the connection.
      if (!this.healthy) member.batch.clear();
      return undefined;
    }
    const inflight = this.runFlush(member, member.batch.drain()).then(
      () => {
        member.inflight = undefined;
      },
      (error: unknown) => {
        member.inflight = undefined;
        this.degrade(error);
      },
    );
    member.inflight = inflight;
    return inflight;
  }

  /** Reads the fleet's state for a member's breaker (an empty flush, which also proves Redis takes writes). */
  private sync(member: Member): void {
    if (this.cmd.status !== 'ready') return;
    this.runFlush(member, Batch.empty(member.batch.kind)).catch((error: unknown) => this.degrade(error));
  }

  private runFlush(member: Member, batch: string[]): Promise<void> {
    const { view, keys } = member;
    const config = view.config;
    const window = config.window;
    const now = config.clock.now();
    const retryAt = now + openDurationMs(config.resetTimeoutMs, config.backoff, 0);
    const limit = window.type === 'consecutive' ? config.failureThreshold : window.type === 'count' ? window.size : window.buckets;
    const oldest = window.type === 'time' ? Math.floor(now / (window.durationMs / window.buckets)) - window.buckets + 1 : 0;
    const args = [
      window.type,
      this.instanceId,
      String(now),
      String(retryAt),
      String(this.options.keyTtlMs),
      keys.channel,
      String(this.options.minInstances),
      String(limit),
      String(window.type === 'consecutive' ? 0 : window.minimumCalls),
      String(window.type === 'consecutive' ? 1 : window.failureRateThreshold),
      config.slowCallRateThreshold === undefined ? '' : String(config.slowCallRateThreshold),
      String(oldest),
      String(view.generation),
      ...batch,
    ];
    return this.scripts.tripswitchFlush(...keys.scriptKeys, ...args).then((reply) => {
      this.answered();
      this.applyReply(keys, reply);
    });
  }

  /** Subscriber (re)connected: subscribe to every breaker's channel, then read every state again. */
  private subscribeAll(): void {
    const channels = [...this.groups.keys()];
    const subscribed = channels.length === 0 ? Promise.resolve() : this.sub.subscribe(...channels);
    subscribed.then(
      () => this.resync(),
      (error: unknown) => this.degrade(error),
    );
  }

  /** Reads the shared state of every attached breaker; on success the store is healthy again. */
  private resync(): void {
    if (this.closing !== undefined) return;
    if (this.resyncing) {
      this.resyncAgain = true;
      return;
    }
    if (this.cmd.status !== 'ready' || this.sub.status !== 'ready') return;
    this.resyncing = true;
    const firsts = [...this.groups.values()].flatMap((group) => [...group].slice(0, 1));
    Promise.all(firsts.map((member) => this.runFlush(member, Batch.empty(member.batch.kind))))
      .then(
        () => {
          this.needsResync = false;
          this.answered();
        },
        (error: unknown) => this.degrade(error),
      )
      .finally(() => {
        this.resyncing = false;
        if (this.resyncAgain) {
          this.resyncAgain = false;
          this.resync();
        }
      });
  }

  private onMessage(channel: string, message: string): void {
    const [generation, state, since, retryAt, reopenCount] = message.split('|');
    const shared = sharedStateOf(generation, state, since, retryAt, reopenCount);
    if (shared !== undefined) this.applyToGroup(channel, shared);
  }

  /** Applies a script's reply `{ moved, generation, state, since, retryAt, reopenCount }`. */
  private applyReply(keys: BreakerKeys, reply: string[]): void {
    const shared = sharedStateOf(reply[1], reply[2], reply[3], reply[4], reply[5]);
    if (shared !== undefined) this.applyToGroup(keys.channel, shared);
  }

  private applyToGroup(channel: string, shared: SharedState): void {
    const group = this.groups.get(channel);
    if (group === undefined) return;
    for (const member of [...group]) {
      // The breaker ignores a stale generation itself; checking here saves the call.
      if (shared.generation <= member.view.generation) continue;
      try {
        // Outcomes recorded under the previous state are stale: the fleet window moved on (the script drops an in-flight one).
        if (member.view.applySharedState(shared)) member.batch.clear();
      } catch (error) {
        this.degrade(error);
      }
    }
  }

  // ---- health -----------------------------------------------------------------------------

  private degrade(error: unknown): void {
    this.lastError = error;
    if (!this.healthy || this.closing !== undefined) return;
    this.healthy = false;
    for (const member of [...this.members]) member.view.reportStoreHealth(false, error);
  }

  /**
   * A flush (or probe) succeeded: recovered, unless a connection is down or a lost connection awaits
   * its re-sync. Only the flush script counts: it always writes, so it fails on a Redis that refuses
   * writes, while a read-only or deleting command (a denied permit, ZREM) would succeed there.
   */
  private answered(): void {
    if (this.healthy || this.closing !== undefined || this.needsResync) return;
    if (this.cmd.status !== 'ready' || this.sub.status !== 'ready') return;
    this.healthy = true;
    for (const member of [...this.members]) member.view.reportStoreHealth(true);
  }
}

/** Parses a shared state from a script reply or a message; undefined before the first fleet transition. */
function sharedStateOf(
  generation: string | undefined,
  state: string | undefined,
  since: string | undefined,
  retryAt: string | undefined,
  reopenCount: string | undefined,
): SharedState | undefined {
  const gen = Number(generation);
  if (!Number.isSafeInteger(gen) || gen <= 0 || state === undefined) return undefined;
  return {
    state: state as CircuitState,
    generation: gen,
    since: Number(since),
    ...(retryAt ? { retryAt: Number(retryAt) } : {}),
    ...(reopenCount ? { reopenCount: Number(reopenCount) } : {}),
  };
}

/**
 * Opens one connection with the store's guards: no offline queue (a command
 * fails at once while Redis is down), no retry or resend of a command on
 * reconnect (a batch is never counted twice), a command timeout, and quick
 * reconnects (50 ms, growing to 1 s).
 */
function connect(options: ResolvedRedisOptions, role: string): Client {
  const guards: RedisOptions = {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    autoResubscribe: false,
    commandTimeout: options.commandTimeoutMs,
    connectTimeout: Math.max(options.commandTimeoutMs, 1000),
    lazyConnect: false,
    retryStrategy: (times: number) => Math.min(times * 50, 1000),
    connectionName: `tripswitch-${role}`,
  };
  const target = options.redis;
  if (typeof target === 'string') return new Redis(target, guards);
  if (target instanceof Cluster) {
    return target.duplicate(undefined, {
      enableOfflineQueue: false,
      lazyConnect: false,
      clusterRetryStrategy: (times: number) => Math.min(times * 50, 1000),
      redisOptions: { ...target.options.redisOptions, ...guards },
    });
  }
  if (isClient(target)) return (target as Redis).duplicate(guards);
  return new Redis({ ...(target as RedisOptions), ...guards });
}

/** Waits for `promise`, at most `ms`. */
async function within(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([promise, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

/** QUIT, bounded; then a hard disconnect so no reconnect timer survives. */
async function quit(client: Client, ms: number): Promise<void> {
  client.removeAllListeners('message');
  if (client.status === 'ready') await within(client.quit().catch(noop), ms);
  client.disconnect();
}
