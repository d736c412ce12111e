import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CircuitBreaker,
  type CircuitBreakerConfig,
  type CircuitState,
  fleetTransition,
  type LocalTransitionReason,
  type SharedState,
  type StoreBreaker,
} from '../../src/index.js';
import { RedisStateStore, type RedisStateStoreOptions } from '../../src/redis/index.js';
import { boom } from '../support/clock.js';
import { deletePrefix, REDIS_URL, redisSkipReason, uniquePrefix, waitFor } from './support.js';

const skip = await redisSkipReason();

describe.skipIf(skip !== undefined)(`RedisStateStore: the fleet window and shared state${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const stores: RedisStateStore[] = [];
  const prefixes: string[] = [];
  let raw: Redis;

  beforeAll(() => {
    raw = new Redis(REDIS_URL);
  });
  afterAll(async () => {
    await Promise.all(stores.map((store) => store.close()));
    await Promise.all(prefixes.map((prefix) => deletePrefix(prefix)));
    raw.disconnect();
  });

  /** `size` instances (each its own store and connections, as separate processes would have) of breaker 'db'. */
  async function fleet(size: number, config: CircuitBreakerConfig, options: RedisStateStoreOptions = {}) {
    const keyPrefix = uniquePrefix('fleet');
    prefixes.push(keyPrefix);
    const own = Array.from(
      { length: size },
      (_, i) => new RedisStateStore({ redis: REDIS_URL, keyPrefix, instanceId: `i${i}`, ...options }),
    );
    stores.push(...own);
    const members = own.map((store) => new CircuitBreaker('db', { ...config, store }));
    await Promise.all(own.map((store) => store.flush()));
    await waitFor(() => own.every((s) => (s as unknown as { sub: Redis }).sub.status === 'ready'), 2000, 'subscriptions');
    const flushAll = () => Promise.all(own.map((store) => store.flush()));
    const states = () => members.map((m) => m.state);
    return { keyPrefix, stores: own, members, flushAll, states };
  }

  const fail = (breaker: CircuitBreaker | undefined) => expect(() => breaker?.execute(() => boom())).toThrow();

  it('trips every instance when the merged count window trips, though no instance tripped alone', async () => {
    const { members, flushAll, states } = await fleet(3, {
      window: { type: 'count', size: 30, minimumCalls: 6, failureRateThreshold: 0.45 },
    });
    for (const member of members) {
      member.execute(() => 'ok');
      member.execute(() => 'ok');
      fail(member);
    }
    fail(members[0]);
    await flushAll();
    expect(states()).toEqual(['closed', 'closed', 'closed']); // fleet: 4 of 10 failed
    fail(members[0]);
    await flushAll();
    // Fleet: 5 of 11 failed (>= 45%). Instance 0 alone: 5 calls, under minimumCalls.
    await waitFor(() => states().every((s) => s === 'open'), 1000, 'every instance open');
  });

  it('the count window keeps the newest chunks holding at least `size` calls', async () => {
    const { members, flushAll, states } = await fleet(2, {
      window: { type: 'count', size: 10, minimumCalls: 10, failureRateThreshold: 0.5 },
    });
    for (let i = 0; i < 4; i++) fail(members[0]);
    await flushAll();
    for (let i = 0; i < 20; i++) members[1]?.execute(() => 'ok');
    await flushAll(); // the 4 failures drop out: the newest chunk alone holds 20 >= 10 calls
    for (let i = 0; i < 4; i++) fail(members[0]);
    await flushAll();
    expect(states()).toEqual(['closed', 'closed']); // 4 of 24: no trip
  });

  it('minInstances: one bad instance does not trip the fleet; a second one does', async () => {
    const { members, flushAll, states } = await fleet(
      3,
      { window: { type: 'time', durationMs: 60_000, buckets: 6, minimumCalls: 4, failureRateThreshold: 0.5 } },
      { minInstances: 2 },
    );
    // Instance 0 fails everything, but its own window has too few calls to trip it alone.
    for (let i = 0; i < 3; i++) fail(members[0]);
    for (let i = 0; i < 2; i++) members[2]?.execute(() => 'ok');
    await flushAll();
    expect(states()).toEqual(['closed', 'closed', 'closed']); // 3 of 5 failed, but one instance only
    fail(members[1]);
    await flushAll();
    await waitFor(() => states().every((s) => s === 'open'), 1000, 'every instance open');
  });

  it('the time window merges buckets across instances and by slow-call rate', async () => {
    const { members, flushAll, states } = await fleet(2, {
      window: { type: 'time', durationMs: 60_000, buckets: 6, minimumCalls: 6, failureRateThreshold: 1 },
      slowCallThresholdMs: 0,
      slowCallRateThreshold: 0.5,
    });
    const slowly = () => {
      const until = Date.now() + 2;
      while (Date.now() < until);
      return 'ok';
    };
    for (const member of members) {
      member.execute(slowly);
      member.execute(slowly);
    }
    await flushAll();
    expect(states()).toEqual(['closed', 'closed']); // 4 calls < minimumCalls 6
    members[0]?.execute(slowly);
    members[1]?.execute(slowly);
    await flushAll();
    await waitFor(() => states().every((s) => s === 'open'), 1000, 'every instance open');
  });

  it('the consecutive window counts fleet failures in a row since the last flushed success', async () => {
    const { members, flushAll, states } = await fleet(2, { failureThreshold: 4 });
    fail(members[0]);
    fail(members[0]);
    await flushAll();
    members[1]?.execute(() => 'ok'); // a success anywhere starts the run again
    await flushAll();
    fail(members[0]);
    fail(members[1]);
    fail(members[1]);
    await flushAll();
    expect(states()).toEqual(['closed', 'closed']); // 3 in a row
    fail(members[0]);
    await flushAll();
    await waitFor(() => states().every((s) => s === 'open'), 1000, 'every instance open');
  });

  it('a local trip opens only that instance by default, and the fleet with localTrip "fleet"', async () => {
    const window = { type: 'count', size: 10, minimumCalls: 2, failureRateThreshold: 0.5 } as const;
    for (const [localTrip, expected] of [
      ['local-only', ['open', 'closed']],
      ['fleet', ['open', 'open']],
    ] as const) {
      const { members, flushAll, states } = await fleet(2, { window }, { localTrip });
      for (let i = 0; i < 10; i++) members[1]?.execute(() => 'ok');
      await flushAll();
      fail(members[0]);
      fail(members[0]);
      await flushAll(); // the fleet saw 2 failures of 12: no fleet trip
      await new Promise((done) => setTimeout(done, 30));
      expect(states()).toEqual(expected);
    }
  });

  it('drops a batch recorded before the fleet changed: the failure that tripped the fleet does not trip it again after a reset', async () => {
    const {
      stores: own,
      members,
      flushAll,
      states,
    } = await fleet(2, { failureThreshold: 1 }, { localTrip: 'fleet', flushIntervalMs: 60_000 });
    fail(members[0]); // trips A, and the fleet; the failure also sits in A's batch
    await waitFor(() => states().every((s) => s === 'open'), 1000, 'every instance open');
    members[0]?.reset();
    await waitFor(() => states().every((s) => s === 'closed'), 1000, 'every instance closed');
    await flushAll();
    await new Promise((done) => setTimeout(done, 30));
    expect(states()).toEqual(['closed', 'closed']);
    expect(own).toHaveLength(2);
  });

  it('manual transitions apply to the whole fleet, and a newcomer joins the fleet state', async () => {
    const { keyPrefix, members, states } = await fleet(3, {});
    members[1]?.forceOpen();
    await waitFor(() => states().every((s) => s === 'forced_open'), 1000, 'forced open everywhere');
    members[2]?.reset();
    await waitFor(() => states().every((s) => s === 'closed'), 1000, 'closed everywhere');
    members[0]?.disable();
    const late = new RedisStateStore({ redis: REDIS_URL, keyPrefix });
    stores.push(late);
    const newcomer = new CircuitBreaker('db', { store: late });
    await waitFor(() => newcomer.state === 'disabled', 1000, 'the newcomer to take the fleet state');
  });

  it('ignores stale generations, from messages and from replies', async () => {
    const { keyPrefix, members, states } = await fleet(2, {});
    const [a, b] = members as [CircuitBreaker, CircuitBreaker];
    a.forceOpen(); // generation 1
    await waitFor(() => b.state === 'forced_open', 1000, 'b forced open');
    const channel = `{${keyPrefix}:db}:events`;
    await raw.publish(channel, '1|closed|0||');
    await raw.publish(channel, '0|closed|0||');
    await new Promise((done) => setTimeout(done, 50));
    expect(states()).toEqual(['forced_open', 'forced_open']);
    // A newer generation applies (a real one would come from the scripts).
    await raw.publish(channel, '7|closed|0||');
    await waitFor(() => states().every((s) => s === 'closed'), 1000, 'generation 7 applied');
    expect(b.toJSON().generation).toBe(7);
  });

  it('the transition script follows fleetTransition exactly', async () => {
    const keyPrefix = uniquePrefix('rules');
    prefixes.push(keyPrefix);
    const stateKey = `{${keyPrefix}:db}:state`;
    const reasons: LocalTransitionReason[] = [
      'manual',
      'tripped',
      'reset-timeout-elapsed',
      'trials-succeeded',
      'trial-failed',
      'half-open-wait-exceeded',
    ];
    const fleetStates: CircuitState[] = ['closed', 'open', 'half_open', 'forced_open'];
    const next: Record<LocalTransitionReason, SharedState> = {
      manual: { state: 'forced_open', since: 5, generation: 0 },
      tripped: { state: 'open', since: 5, retryAt: 105, reopenCount: 0, generation: 0 },
      'reset-timeout-elapsed': { state: 'half_open', since: 5, reopenCount: 0, generation: 0 },
      'trials-succeeded': { state: 'closed', since: 5, generation: 0 },
      'trial-failed': { state: 'open', since: 5, retryAt: 105, reopenCount: 1, generation: 0 },
      'half-open-wait-exceeded': { state: 'open', since: 5, retryAt: 105, reopenCount: 1, generation: 0 },
    };
    let cases = 0;
    for (const localTrip of ['local-only', 'fleet'] as const) {
      const store = new RedisStateStore({ redis: REDIS_URL, keyPrefix, localTrip });
      stores.push(store);
      const applied: SharedState[] = [];
      const view: StoreBreaker = {
        name: 'db',
        config: new CircuitBreaker('x').config,
        generation: 0,
        sharedState: () => ({ state: 'closed', since: 0, generation: 0 }),
        applySharedState: (shared) => applied.push(shared) > 0,
        reportStoreHealth: () => {},
      };
      const link = store.attach(view);
      await store.flush(); // connected
      for (const reason of reasons) {
        for (const fleetState of fleetStates) {
          for (const basedOn of [3, 2]) {
            await raw.del(stateKey);
            await raw.hset(stateKey, 'state', fleetState, 'gen', '3', 'since', '1');
            const fleet: SharedState = { state: fleetState, since: 1, generation: 3 };
            const expected = fleetTransition(fleet, next[reason], reason, basedOn, localTrip);
            const count = applied.length;
            link.publishTransition(next[reason], reason, basedOn);
            // A local-only trip never leaves the process; every other transition gets the script's reply.
            if (reason !== 'tripped' || localTrip === 'fleet') await waitFor(() => applied.length > count, 1000, 'the script reply');
            const after = await raw.hgetall(stateKey);
            if (expected === undefined) {
              expect({ reason, fleetState, basedOn, localTrip, after }).toEqual({
                reason,
                fleetState,
                basedOn,
                localTrip,
                after: { state: fleetState, gen: '3', since: '1' },
              });
            } else {
              expect({ reason, fleetState, basedOn, localTrip, gen: after.gen, state: after.state }).toEqual({
                reason,
                fleetState,
                basedOn,
                localTrip,
                gen: '4',
                state: expected.state,
              });
              expect(applied.at(-1)).toEqual({ ...expected, generation: 4 });
            }
            cases++;
          }
        }
      }
      link.detach();
    }
    expect(cases).toBe(96);
  });

  it('every key is under the prefix, in one hash tag per breaker, with a TTL', async () => {
    const { keyPrefix, members, flushAll } = await fleet(
      2,
      { window: { type: 'count', size: 10, minimumCalls: 10, failureRateThreshold: 0.5 } },
      { keyTtlMs: 60_000 },
    );
    fail(members[0]);
    members[1]?.execute(() => 'ok');
    await flushAll();
    members[0]?.forceOpen();
    await flushAll();
    const keys = await raw.keys(`*${keyPrefix}*`);
    expect(keys.sort()).toEqual(
      [`{${keyPrefix}:db}:chunks`, `{${keyPrefix}:db}:failers`, `{${keyPrefix}:db}:state`, `{${keyPrefix}:db}:window`].sort(),
    );
    for (const key of keys) {
      const ttl = await raw.pttl(key);
      expect(ttl).toBeGreaterThan(50_000);
      expect(ttl).toBeLessThanOrEqual(60_000);
    }
  });

  it('validates its options, naming the option and the value', () => {
    expect(() => new RedisStateStore({ flushIntervalMs: 0 })).toThrow(RangeError);
    expect(() => new RedisStateStore({ flushIntervalMs: 0 })).toThrow(/"flushIntervalMs".*got 0/);
    expect(() => new RedisStateStore({ storeTimeoutMs: '50' as never })).toThrow(TypeError);
    expect(() => new RedisStateStore({ minInstances: 1.5 })).toThrow(/"minInstances".*1\.5/);
    expect(() => new RedisStateStore({ maxBatch: -1 })).toThrow(/"maxBatch"/);
    expect(() => new RedisStateStore({ permitLeaseMs: Number.NaN })).toThrow(/"permitLeaseMs".*NaN/);
    expect(() => new RedisStateStore({ keyTtlMs: 10 })).toThrow(/"keyTtlMs".*10/);
    expect(() => new RedisStateStore({ localTrip: 'everyone' as never })).toThrow(/"localTrip".*"everyone"/);
    expect(() => new RedisStateStore({ keyPrefix: 'a{b}' })).toThrow(/"keyPrefix".*"a\{b\}"/);
    expect(() => new RedisStateStore({ keyPrefix: '' })).toThrow(/"keyPrefix"/);
    expect(() => new RedisStateStore({ instanceId: 'a|b' })).toThrow(/"instanceId"/);
    expect(() => new RedisStateStore({ redis: 'http://x' })).toThrow(/"redis".*"http:\/\/x"/);
    expect(() => new RedisStateStore({ redis: 42 as never })).toThrow(TypeError);
    expect(() => new RedisStateStore({ flushMs: 10 } as never)).toThrow(/unknown option "flushMs"/);
    expect(() => new RedisStateStore(null as never)).toThrow(TypeError);
  });

  it('accepts an ioredis client (reusing its settings, never closing it) or ioredis options', async () => {
    const keyPrefix = uniquePrefix('client');
    prefixes.push(keyPrefix);
    const mine = new Redis(REDIS_URL);
    const viaClient = new RedisStateStore({ redis: mine, keyPrefix });
    const { hostname, port } = new URL(REDIS_URL);
    const viaOptions = new RedisStateStore({ redis: { host: hostname, port: Number(port) }, keyPrefix });
    stores.push(viaOptions);
    const a = new CircuitBreaker('db', { store: viaClient });
    const b = new CircuitBreaker('db', { store: viaOptions });
    await viaClient.flush();
    await waitFor(() => (viaOptions as unknown as { sub: Redis }).sub.status === 'ready', 2000, 'subscriber');
    a.forceOpen();
    await waitFor(() => b.state === 'forced_open', 1000, 'b forced open');
    await viaClient.close();
    expect(await mine.ping()).toBe('PONG');
    mine.disconnect();
  });
});
