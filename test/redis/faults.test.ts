import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { CircuitBreaker, isCircuitOpenError } from '../../src/index.js';
import { RedisStateStore } from '../../src/redis/index.js';
import { PrivateRedis, redisSkipReason, sleep, uniquePrefix, waitFor } from './support.js';

const skip = await redisSkipReason(true);

const STORE_TIMEOUT_MS = 50;
/** What a caller may wait at most: the store's bound, plus slack for a busy test machine. */
const CALL_BOUND_MS = STORE_TIMEOUT_MS + 40;

/**
 * Load on two breakers sharing one store: `steady` in CLOSED (the hot path),
 * and `trials`, which fails every call so that it cycles OPEN -> HALF_OPEN every
 * few ms and keeps asking the store for fleet permits (the one place a call waits).
 */
function load(store: RedisStateStore) {
  const steady = new CircuitBreaker('steady', { store, failureThreshold: 1000 });
  const trials = new CircuitBreaker('trials', { store, failureThreshold: 1, resetTimeoutMs: 2 });
  const health: string[] = [];
  steady.on('storeDegraded', () => health.push('degraded'));
  steady.on('storeRecovered', () => health.push('recovered'));
  const unexpected: unknown[] = [];
  let calls = 0;
  let slowest = 0;
  let running = true;
  const timed = async (call: () => Promise<unknown>) => {
    const started = performance.now();
    try {
      await call();
    } catch (error) {
      if (!isCircuitOpenError(error) && (error as Error).message !== 'trial failed') unexpected.push(error);
    }
    slowest = Math.max(slowest, performance.now() - started);
    calls++;
  };
  const loop = (async () => {
    while (running) {
      const batch: Promise<void>[] = [];
      for (let i = 0; i < 20; i++) batch.push(timed(() => steady.execute(async () => 'ok')));
      batch.push(
        timed(() =>
          trials.execute(async () => {
            throw new Error('trial failed');
          }),
        ),
      );
      await Promise.all(batch);
      await sleep(2);
    }
  })();
  return {
    steady,
    health,
    async stop() {
      running = false;
      await loop;
      return { calls, slowest, unexpected };
    },
  };
}

describe.skipIf(skip !== undefined)(`RedisStateStore under Redis faults${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  async function setup() {
    const server = await PrivateRedis.start();
    cleanup.push(() => server.kill());
    const keyPrefix = uniquePrefix('faults');
    const store = new RedisStateStore({
      redis: server.url,
      keyPrefix,
      flushIntervalMs: 20,
      storeTimeoutMs: STORE_TIMEOUT_MS,
      commandTimeoutMs: 200,
    });
    cleanup.push(() => store.close());
    const driver = load(store);
    cleanup.push(async () => void (await driver.stop()));
    await store.flush();
    await sleep(200);
    return { server, store, keyPrefix, driver };
  }

  const report = (label: string, stats: { calls: number; slowest: number }) =>
    console.log(`[tripswitch] ${label}: ${stats.calls} calls, slowest ${stats.slowest.toFixed(1)} ms, zero caller errors`);

  it('kill and restart of Redis under load: zero caller errors, bounded waits, re-sync after restart', async () => {
    const { server, keyPrefix, driver } = await setup();
    // The fleet moves to generation 2 before the crash; the restarted Redis has none.
    driver.steady.forceOpen();
    driver.steady.reset();
    await sleep(50);
    await server.kill();
    await waitFor(() => driver.health.includes('degraded'), 2000, 'storeDegraded');
    await sleep(400); // load keeps running against a dead Redis
    await server.restart();
    await waitFor(() => driver.health.includes('recovered'), 5000, 'storeRecovered');
    await sleep(200);
    const stats = await driver.stop();
    expect(stats.unexpected).toEqual([]);
    expect(stats.slowest).toBeLessThan(CALL_BOUND_MS);
    expect(driver.health).toEqual(['degraded', 'recovered']);
    report('kill/restart', stats);
    // Re-synced and re-subscribed: a transition made elsewhere after the restart reaches this instance, and
    // the empty Redis continued the generations above the ones the instances hold (else it would be ignored as stale).
    const other = new RedisStateStore({ redis: server.url, keyPrefix });
    cleanup.push(() => other.close());
    const remote = new CircuitBreaker('steady', { store: other, failureThreshold: 1000 });
    await other.flush();
    remote.forceOpen();
    await waitFor(() => driver.steady.state === 'forced_open', 2000, 'the forced open to arrive');
  });

  it('CLIENT PAUSE never reaches callers; the store recovers when Redis answers again', async () => {
    const { server, driver } = await setup();
    const admin = server.client();
    cleanup.push(async () => admin.disconnect());
    await admin.call('CLIENT', 'PAUSE', '700', 'ALL');
    await waitFor(() => driver.health.includes('degraded'), 2000, 'storeDegraded');
    await waitFor(() => driver.health.includes('recovered'), 5000, 'storeRecovered');
    await sleep(100);
    const stats = await driver.stop();
    expect(stats.unexpected).toEqual([]);
    expect(stats.slowest).toBeLessThan(CALL_BOUND_MS);
    expect(driver.health.slice(0, 2)).toEqual(['degraded', 'recovered']);
    report('CLIENT PAUSE 700 ms', stats);
  });

  it('a full Redis (tiny maxmemory, noeviction) never reaches callers', async () => {
    const { server, driver } = await setup();
    const admin = server.client();
    cleanup.push(async () => admin.disconnect());
    await admin.config('SET', 'maxmemory-policy', 'noeviction');
    await admin.config('SET', 'maxmemory', '1');
    await waitFor(() => driver.health.includes('degraded'), 2000, 'storeDegraded');
    await sleep(300);
    await admin.config('SET', 'maxmemory', '0');
    await waitFor(() => driver.health.includes('recovered'), 3000, 'storeRecovered');
    const stats = await driver.stop();
    expect(stats.unexpected).toEqual([]);
    expect(stats.slowest).toBeLessThan(CALL_BOUND_MS);
    expect(driver.health).toEqual(['degraded', 'recovered']);
    report('maxmemory 1 byte', stats);
  });

  it('Redis down at startup: calls flow, degraded, then recovered when it comes up', async () => {
    const server = await PrivateRedis.start();
    await server.kill();
    cleanup.push(() => server.kill());
    const store = new RedisStateStore({ redis: server.url, keyPrefix: uniquePrefix('startup'), storeTimeoutMs: STORE_TIMEOUT_MS });
    cleanup.push(() => store.close());
    const driver = load(store);
    cleanup.push(async () => void (await driver.stop()));
    await waitFor(() => driver.health.includes('degraded'), 2000, 'storeDegraded');
    await server.restart();
    await waitFor(() => driver.health.includes('recovered'), 5000, 'storeRecovered');
    const stats = await driver.stop();
    expect(stats.unexpected).toEqual([]);
    expect(stats.slowest).toBeLessThan(CALL_BOUND_MS);
  });
});
