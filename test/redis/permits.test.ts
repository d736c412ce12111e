import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { CircuitBreaker } from '../../src/index.js';
import { RedisStateStore } from '../../src/redis/index.js';
import { PrivateRedis, redisSkipReason, sleep, uniquePrefix, waitFor } from './support.js';

const skip = await redisSkipReason(true);

describe.skipIf(skip !== undefined)(`fleet permits under a paused Redis${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  async function setup() {
    const server = await PrivateRedis.start();
    cleanup.push(() => server.kill());
    const keyPrefix = uniquePrefix('permits');
    const store = new RedisStateStore({ redis: server.url, keyPrefix, storeTimeoutMs: 50, commandTimeoutMs: 500 });
    cleanup.push(() => store.close());
    const admin = new Redis(server.url);
    cleanup.push(async () => void admin.disconnect());
    const breaker = new CircuitBreaker('x', { store, failureThreshold: 1, resetTimeoutMs: 1, halfOpenMaxCalls: 2, successThreshold: 5 });
    await store.flush();
    await breaker.execute(async () => Promise.reject(new Error('trip'))).catch(() => {});
    // Let the fleet window see the failure and open the fleet, so what follows is fleet-wide HALF_OPEN.
    await store.flush();
    await waitFor(() => (breaker.toJSON().generation ?? 0) >= 1, 1000, 'the fleet to open');
    await sleep(20);
    return { admin, breaker, permitsKey: `{${keyPrefix}:x}:permits` };
  }

  it('a call that went on with a local permit never frees another call’s fleet lease', async () => {
    const { admin, breaker, permitsKey } = await setup();
    // Y takes a real fleet permit and keeps running.
    let finishY!: () => void;
    const y = breaker.execute(async () => new Promise<void>((done) => (finishY = done)));
    await waitFor(async () => (await admin.zcard(permitsKey)) === 1, 1000, "Y's lease");
    const [yToken] = await admin.zrange(permitsKey, 0, -1);
    // While Redis is paused, X gives up on the store after storeTimeoutMs and runs on its local permit, then ends.
    await admin.client('PAUSE', 300, 'ALL');
    await breaker.execute(async () => 'x');
    await sleep(350);
    expect(await admin.zrange(permitsKey, 0, -1)).toEqual([yToken]);
    finishY();
    await y;
    await waitFor(async () => (await admin.zcard(permitsKey)) === 0, 1000, "Y's lease to be released");
  });

  it('a HALF_OPEN call waits on the store at most once, even if the breaker moves on meanwhile', async () => {
    const { admin, breaker } = await setup();
    await admin.client('PAUSE', 1000, 'ALL');
    const started = performance.now();
    const durations: number[] = [];
    const calls = [0, 15, 30, 45].map(async (delay) => {
      await sleep(delay);
      const begin = performance.now();
      await breaker.execute(async () => Promise.reject(new Error('trial failed'))).catch(() => {});
      durations.push(performance.now() - begin);
    });
    await Promise.all(calls);
    // Each call waited for one permit (50 ms) at most; before the fix, each re-entered HALF_OPEN waited again.
    expect(Math.max(...durations)).toBeLessThan(50 + 40);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
