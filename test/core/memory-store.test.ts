import { describe, expect, it } from 'vitest';
import { CircuitBreaker, type CircuitBreakerConfig, CircuitBreakerRegistry, MemoryStore } from '../../src/index.js';
import { boom, deferred, ManualClock } from '../support/clock.js';

function fleet(size: number, config: CircuitBreakerConfig, store = new MemoryStore()) {
  return { store, members: Array.from({ length: size }, () => new CircuitBreaker('db', { ...config, store })) };
}

describe('MemoryStore: a fleet of breakers in one process', () => {
  it('trips every member when the merged window trips, though no member tripped alone', () => {
    const clock = new ManualClock(0);
    const { store, members } = fleet(3, { clock, window: { type: 'count', size: 30, minimumCalls: 6, failureRateThreshold: 0.45 } });
    for (const member of members) {
      member.execute(() => 'ok');
      member.execute(() => 'ok');
      expect(() => member.execute(() => boom())).toThrow();
    }
    expect(() => members[0]?.execute(() => boom())).toThrow('boom');
    expect(members.map((m) => m.state)).toEqual(['closed', 'closed', 'closed']); // fleet: 4 of 10 failed
    expect(() => members[0]?.execute(() => boom())).toThrow('boom');
    // Fleet: 5 of 11 failed (>= 45%). Member 0 alone: 5 calls, under minimumCalls.
    expect(members.map((m) => m.state)).toEqual(['open', 'open', 'open']);
    expect(store.sharedState('db')).toMatchObject({ state: 'open', generation: 1 });
  });

  it('a local trip opens only that member by default, and the fleet with localTrip "fleet"', () => {
    const window = { type: 'count', size: 10, minimumCalls: 2, failureRateThreshold: 0.5 } as const;
    for (const [localTrip, expected] of [
      ['local-only', ['open', 'closed']],
      ['fleet', ['open', 'open']],
    ] as const) {
      const { members } = fleet(2, { window }, new MemoryStore({ localTrip }));
      for (let i = 0; i < 10; i++) members[1]?.execute(() => 'ok');
      expect(() => members[0]?.execute(() => boom())).toThrow();
      expect(() => members[0]?.execute(() => boom())).toThrow();
      expect(members.map((m) => m.state)).toEqual(expected); // the fleet saw 2 failures of 12: no fleet trip
    }
  });

  it('manual transitions apply to the whole fleet', () => {
    const { members } = fleet(3, {});
    members[1]?.forceOpen();
    expect(members.map((m) => m.state)).toEqual(['forced_open', 'forced_open', 'forced_open']);
    members[2]?.reset();
    expect(members.map((m) => m.state)).toEqual(['closed', 'closed', 'closed']);
  });

  it('grants at most halfOpenMaxCalls trial permits across the fleet', async () => {
    const clock = new ManualClock(0);
    const { members } = fleet(
      3,
      { clock, failureThreshold: 1, resetTimeoutMs: 100, halfOpenMaxCalls: 2 },
      new MemoryStore({ localTrip: 'fleet' }),
    );
    expect(() => members[0]?.execute(() => boom())).toThrow();
    clock.advance(100);
    const gate = deferred();
    let running = 0;
    const trial = async () => {
      running++;
      await gate.promise;
      return 'ok';
    };
    const calls = members.flatMap((m) => Array.from({ length: 5 }, () => m.execute(trial).catch(() => 'rejected')));
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(running).toBe(2);
    gate.resolve(undefined);
    const results = await Promise.all(calls);
    expect(results.filter((r) => r === 'ok')).toHaveLength(2);
    expect(members.map((m) => m.state)).toEqual(['closed', 'closed', 'closed']);
  });

  it('ignores stale generations', () => {
    const { members } = fleet(1, {});
    const member = members[0] as CircuitBreaker;
    member.forceOpen(); // generation 1
    const view = member as unknown as { applySharedState(s: object): boolean };
    expect(view.applySharedState({ state: 'closed', since: 0, generation: 1 })).toBe(false);
    expect(view.applySharedState({ state: 'closed', since: 0, generation: 0 })).toBe(false);
    expect(member.state).toBe('forced_open');
    expect(view.applySharedState({ state: 'closed', since: 0, generation: 2 })).toBe(true);
    expect(member.state).toBe('closed');
    expect(view.applySharedState({ state: 'ajar', since: 0, generation: 9 })).toBe(false);
  });

  it('a breaker that joins late takes the fleet state', () => {
    const store = new MemoryStore();
    new CircuitBreaker('db', { store }).forceOpen();
    expect(new CircuitBreaker('db', { store }).state).toBe('forced_open');
  });

  it('a member that is detached decides alone', () => {
    const store = new MemoryStore();
    const a = new CircuitBreaker('db', { store });
    const b = new CircuitBreaker('db', { store });
    (b as unknown as { link: { detach(): void } }).link.detach();
    a.forceOpen();
    expect(b.state).toBe('closed');
  });

  it('validates its options', () => {
    expect(() => new MemoryStore({ localTrip: 'everyone' } as never)).toThrow(/"localTrip".*"everyone"/);
    expect(() => new CircuitBreaker('db', { store: {} as never })).toThrow(/"store.attach"/);
  });
});

describe('a breaker and the fleet echoing its own transitions', () => {
  it('adopts the generation without re-entering the state: isolate() holds survive, trials are not made late', async () => {
    const store = new MemoryStore();
    const [a, b] = [new CircuitBreaker('db', { store }), new CircuitBreaker('db', { store })];
    const changes: string[] = [];
    a.on('stateChange', ({ from, to, reason }) => changes.push(`${from}->${to}:${reason}`));
    const hold = a.isolate();
    expect(a.toJSON()).toMatchObject({ state: 'forced_open', generation: 1, isolations: 1 });
    expect(b.state).toBe('forced_open');
    hold.release();
    expect(a.state).toBe('closed');
    expect(b.state).toBe('closed');
    expect(changes).toEqual(['closed->forced_open:manual', 'forced_open->closed:manual']);
  });

  it('a trial in flight when its own fleet transition echoes back still counts', async () => {
    const clock = new ManualClock(0);
    const store = new MemoryStore({ localTrip: 'fleet' });
    const breaker = new CircuitBreaker('db', { store, clock, failureThreshold: 1, resetTimeoutMs: 10, successThreshold: 1 });
    expect(() => breaker.execute(() => boom())).toThrow();
    clock.advance(10);
    const gate = deferred<string>();
    const trial = breaker.execute(() => gate.promise); // OPEN -> HALF_OPEN is published and echoed while this runs
    await new Promise((resolve) => setTimeout(resolve, 0));
    gate.resolve('ok');
    await expect(trial).resolves.toBe('ok');
    expect(breaker.state).toBe('closed');
    expect(store.sharedState('db')?.state).toBe('closed');
  });
});

describe('breakers leaving a registry leave the store too', () => {
  it('a family of many keys on a shared store keeps the store bounded: evicted breakers are detached', () => {
    const store = new MemoryStore();
    const registry = new CircuitBreakerRegistry();
    const hosts = registry.family('host', { store }, { maxSize: 3 });
    for (let i = 0; i < 100; i++) hosts.get(`h${i}`);
    const live = Array.from({ length: 100 }, (_, i) => store.sharedState(`host:h${i}`)).filter((s) => s !== undefined);
    expect(live).toHaveLength(3);
  });

  it('a detached breaker keeps working alone', () => {
    const store = new MemoryStore();
    const a = new CircuitBreaker('db', { store });
    const b = new CircuitBreaker('db', { store });
    b.detachStore();
    b.detachStore(); // idempotent
    a.forceOpen();
    expect(b.state).toBe('closed');
    expect(b.execute(() => 'ok')).toBe('ok');
  });
});
