import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { CircuitBreaker, isCircuitOpenError } from '../../src/index.js';
import { RedisStateStore } from '../../src/redis/index.js';
import { deletePrefix, percentile, REDIS_URL, redisSkipReason, sleep, uniquePrefix, Worker, type WorkerEvent, waitFor } from './support.js';

const skip = await redisSkipReason();

type StateEvent = Extract<WorkerEvent, { type: 'state' }>;
const isState =
  (state: string) =>
  (e: WorkerEvent): e is StateEvent =>
    e.type === 'state' && e.state === state;

describe.skipIf(skip !== undefined)(`RedisStateStore across processes${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const workers: Worker[] = [];
  const prefixes: string[] = [];

  const start = async (count: number, init: Record<string, unknown>) => {
    const started = await Promise.all(Array.from({ length: count }, () => Worker.start(init)));
    workers.push(...started);
    return started;
  };

  afterEach(() => {
    for (const worker of workers.splice(0)) worker.kill();
  });
  afterAll(async () => {
    await Promise.all(prefixes.map((prefix) => deletePrefix(prefix)));
  });

  it('a trip in process A rejects in processes B and C within a measured bound (100 trips)', async () => {
    const keyPrefix = uniquePrefix('propagation');
    prefixes.push(keyPrefix);
    const [a, b, c] = (await start(3, {
      name: 'api',
      config: { failureThreshold: 1, resetTimeoutMs: 60_000 },
      store: { redis: REDIS_URL, keyPrefix, localTrip: 'fleet' },
    })) as [Worker, Worker, Worker];
    const latencies: number[] = [];
    for (let trip = 0; trip < 100; trip++) {
      const fromB = b.events.length;
      const fromC = c.events.length;
      a.send({ type: 'fail' });
      const tripped = (await a.next((e) => e.type === 'done' && e.what === 'fail')) as unknown as { at: number };
      const [openB, openC] = await Promise.all([b.next(isState('open'), 5000, fromB), c.next(isState('open'), 5000, fromC)]);
      expect(openB.rejects && openC.rejects).toBe(true);
      latencies.push(Math.max(openB.at, openC.at) - tripped.at);
      const closedFromB = b.events.length;
      const closedFromC = c.events.length;
      a.send({ type: 'reset' });
      await Promise.all([b.next(isState('closed'), 5000, closedFromB), c.next(isState('closed'), 5000, closedFromC)]);
    }
    latencies.sort((x, y) => x - y);
    const p50 = percentile(latencies, 50);
    const p99 = percentile(latencies, 99);
    console.log(
      `[tripswitch] trip propagation A -> B and C over 100 trips: p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms, max ${latencies.at(-1)?.toFixed(2)} ms`,
    );
    // Loopback: a round trip to Redis plus a pub/sub hop. The bound is generous for a loaded CI machine.
    expect(p99).toBeLessThan(50);
  });

  it('fleet-wide half-open permits hold with 3 processes x 200 concurrent calls', async () => {
    const keyPrefix = uniquePrefix('permits');
    prefixes.push(keyPrefix);
    const halfOpenMaxCalls = 2;
    const workers3 = await start(3, {
      name: 'api',
      config: { failureThreshold: 1, resetTimeoutMs: 300, halfOpenMaxCalls },
      store: { redis: REDIS_URL, keyPrefix, localTrip: 'fleet' },
    });
    const [a] = workers3 as [Worker];
    const from = workers3.map((w) => w.events.length);
    a.send({ type: 'fail' });
    await Promise.all(workers3.map((w, i) => w.next(isState('open'), 5000, from[i])));
    await sleep(350);
    const bursts = workers3.map((w) => w.next((e) => e.type === 'burst', 10_000));
    for (const worker of workers3) worker.send({ type: 'burst', count: 200, durationMs: 300 });
    const results = (await Promise.all(bursts)) as Extract<WorkerEvent, { type: 'burst' }>[];
    const trials = results.flatMap((r) => r.trials);
    // The most trial calls running at once, across the three processes.
    const edges = trials.flatMap((t) => [
      [t.start, 1],
      [t.end, -1],
    ]);
    edges.sort((x, y) => (x[0] as number) - (y[0] as number) || (x[1] as number) - (y[1] as number));
    let running = 0;
    let most = 0;
    for (const [, delta] of edges) {
      running += delta as number;
      most = Math.max(most, running);
    }
    console.log(
      `[tripswitch] 3 x 200 concurrent calls in HALF_OPEN: ${trials.length} trial(s) ran, at most ${most} at once (halfOpenMaxCalls ${halfOpenMaxCalls}); ` +
        `rejected ${results.reduce((n, r) => n + r.rejected, 0)}`,
    );
    expect(results.flatMap((r) => r.errors)).toEqual([]);
    expect(trials.length).toBeGreaterThanOrEqual(1);
    expect(most).toBeLessThanOrEqual(halfOpenMaxCalls);
    expect(results.reduce((n, r) => n + r.ok + r.rejected, 0)).toBe(600);
  });

  it('a permit holder that dies frees its permit after the lease', async () => {
    const keyPrefix = uniquePrefix('lease');
    prefixes.push(keyPrefix);
    const permitLeaseMs = 800;
    const config = { failureThreshold: 1, resetTimeoutMs: 100, halfOpenMaxCalls: 1 };
    const storeOptions = { redis: REDIS_URL, keyPrefix, localTrip: 'fleet', permitLeaseMs } as const;
    const [holder] = (await start(1, { name: 'api', config, store: storeOptions })) as [Worker];
    const store = new RedisStateStore(storeOptions);
    const raw = new Redis(REDIS_URL);
    try {
      const survivor = new CircuitBreaker('api', { ...config, store });
      await store.flush();
      const from = holder.events.length;
      holder.send({ type: 'fail' });
      await holder.next(isState('open'), 5000, from);
      await waitFor(() => survivor.state === 'open', 2000, 'the survivor to open');
      await sleep(150);
      holder.send({ type: 'hold' });
      await holder.next((e) => e.type === 'holding');
      holder.kill();
      const killedAt = Date.now();
      await holder.exited(2000);
      expect(await raw.zcard(`{${keyPrefix}:api}:permits`)).toBe(1);
      const trial = async () => 'trial ran';
      // While the dead holder's lease runs, the fleet has no permit to give.
      await expect(survivor.execute(trial)).rejects.toSatisfy(isCircuitOpenError);
      let granted = false;
      while (!granted && Date.now() - killedAt < 5000) {
        granted = await survivor.execute(trial).then(
          () => true,
          () => false,
        );
        if (!granted) await sleep(20);
      }
      const freedAfter = Date.now() - killedAt;
      console.log(`[tripswitch] a dead holder's permit was free again ${freedAfter} ms after the kill (lease ${permitLeaseMs} ms)`);
      expect(granted).toBe(true);
      expect(freedAfter).toBeGreaterThanOrEqual(permitLeaseMs - 200);
      expect(freedAfter).toBeLessThan(permitLeaseMs + 1000);
      await waitFor(() => survivor.state === 'closed', 2000, 'the survivor to close after its trial');
    } finally {
      await store.close();
      raw.disconnect();
    }
  });

  it('close() flushes, unsubscribes and leaves no timer or handle: the process exits by itself', async () => {
    const keyPrefix = uniquePrefix('close');
    prefixes.push(keyPrefix);
    const [worker] = (await start(1, { name: 'api', config: {}, store: { redis: REDIS_URL, keyPrefix } })) as [Worker];
    worker.send({ type: 'fail' });
    await worker.next((e) => e.type === 'done');
    worker.send({ type: 'close' });
    expect(await worker.exited(3000)).toBe(0);
    // The batch was flushed on close: the fleet window holds the failure.
    const raw = new Redis(REDIS_URL);
    expect(await raw.hget(`{${keyPrefix}:api}:window`, 'run')).toBe('1');
    raw.disconnect();
  });
});
