/**
 * A worker process of test/redis/fleet-faults.test.ts: continuous load through
 * breakers sharing one RedisStateStore, driven and queried by the parent over IPC.
 * Run as `node --import tsx load-worker.ts`.
 *
 * Breakers (same names in every worker, so each is one fleet-wide circuit):
 * - `steady`: always succeeds, stays CLOSED (the hot path);
 * - `trials`: fails every call, trips at once and re-opens after 2 ms, so it cycles
 *   OPEN -> HALF_OPEN all the time and asks the store for fleet permits (the one
 *   place a call waits on Redis, at most `storeTimeoutMs`);
 * - `probe`: no load; the parent trips, forces open or resets it to show local
 *   decisions during a fault and the re-sync after it.
 *
 * Messages in: `init`, `start`, `report`, `probe`, `stop`, `close`; every request carries an `id`
 * that the reply repeats.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { CircuitBreaker, isCircuitOpenError } from '../../src/index.js';
import { RedisStateStore, type RedisStateStoreOptions } from '../../src/redis/index.js';

/** What the parent learns from a worker. */
export interface LoadReport {
  pid: number;
  /** Guarded calls that settled (any outcome). */
  calls: number;
  /** Calls that actually ran the `trials` function (HALF_OPEN trials that got a permit, and CLOSED calls). */
  trialRuns: number;
  /** Caller-visible errors other than CircuitOpenError and the test's own error: must stay 0. */
  errorCount: number;
  /** The first few of those errors, as text. */
  errors: string[];
  /** The slowest guarded call, in ms, from the call to its settlement. */
  slowestMs: number;
  /** Which breaker the slowest call went through. */
  slowestOn: string;
  /** The longest event-loop stall seen, in ms (explains a slow call that is not the store's doing). */
  maxLagMs: number;
  /** storeDegraded / storeRecovered events of `steady`, in order. */
  health: string[];
  /** The current state of each breaker. */
  states: Record<string, string>;
}

const TRIAL_ERROR = 'trial failed';
const send = (message: object) => process.send?.(message);

let store: RedisStateStore | undefined;
let breakers: { steady: CircuitBreaker; trials: CircuitBreaker; probe: CircuitBreaker } | undefined;
let running = false;
let loop: Promise<void> | undefined;
let load = { concurrency: 20, trialCalls: 2, pauseMs: 2 };
const lag = monitorEventLoopDelay({ resolution: 5 });
const stats = { calls: 0, trialRuns: 0, errorCount: 0, errors: [] as string[], slowestMs: 0, slowestOn: '', health: [] as string[] };

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

async function timed(on: string, call: () => Promise<unknown>): Promise<void> {
  const started = performance.now();
  try {
    await call();
  } catch (error) {
    if (!isCircuitOpenError(error) && (error as Error | undefined)?.message !== TRIAL_ERROR) {
      stats.errorCount++;
      if (stats.errors.length < 10) stats.errors.push(String((error as Error | undefined)?.stack ?? error));
    }
  }
  const took = performance.now() - started;
  if (took > stats.slowestMs) {
    stats.slowestMs = took;
    stats.slowestOn = on;
  }
  stats.calls++;
}

/** Each tick: `concurrency` calls on `steady` and `trialCalls` on `trials`, all at once; then a short pause. */
async function runLoad(concurrency: number, trialCalls: number, pauseMs: number): Promise<void> {
  const { steady, trials } = breakers as NonNullable<typeof breakers>;
  const ok = async () => 'ok';
  const fail = async () => {
    stats.trialRuns++;
    throw new Error(TRIAL_ERROR);
  };
  while (running) {
    const batch: Promise<void>[] = [];
    for (let i = 0; i < concurrency; i++) batch.push(timed('steady', () => steady.execute(ok)));
    for (let i = 0; i < trialCalls; i++) batch.push(timed('trials', () => trials.execute(fail)));
    await Promise.all(batch);
    await sleep(pauseMs);
  }
}

/** Whether a breaker rejects a call right now (a sync call: decided from local memory, no store involved). */
function rejects(breaker: CircuitBreaker): boolean {
  try {
    breaker.execute(() => 'ran');
    return false;
  } catch (error) {
    return isCircuitOpenError(error);
  }
}

function report(): LoadReport {
  const b = breakers as NonNullable<typeof breakers>;
  return {
    pid: process.pid,
    calls: stats.calls,
    trialRuns: stats.trialRuns,
    errorCount: stats.errorCount,
    errors: [...stats.errors],
    slowestMs: stats.slowestMs,
    slowestOn: stats.slowestOn,
    maxLagMs: lag.max / 1e6,
    health: [...stats.health],
    states: { steady: b.steady.state, trials: b.trials.state, probe: b.probe.state },
  };
}

// The parent is gone (the test runner crashed or was killed): never outlive it.
process.on('disconnect', () => process.exit(0));

process.on('message', async (message: Record<string, unknown>) => {
  const id = message.id;
  switch (message.type) {
    case 'init': {
      store = new RedisStateStore(message.store as RedisStateStoreOptions);
      const steady = new CircuitBreaker('steady', { store, failureThreshold: 1_000_000 });
      const trials = new CircuitBreaker('trials', { store, failureThreshold: 1, resetTimeoutMs: 2 });
      const probe = new CircuitBreaker('probe', { store, failureThreshold: 1, resetTimeoutMs: 60_000 });
      breakers = { steady, trials, probe };
      steady.on('storeDegraded', () => stats.health.push('degraded'));
      steady.on('storeRecovered', () => stats.health.push('recovered'));
      await store.flush();
      load = { concurrency: message.concurrency as number, trialCalls: message.trialCalls as number, pauseMs: message.pauseMs as number };
      send({ type: 'ready', id });
      return;
    }
    case 'start':
      // Separate from init, so that no process measures its calls while the others are still starting up.
      lag.enable();
      running = true;
      loop = runLoad(load.concurrency, load.trialCalls, load.pauseMs);
      send({ type: 'started', id });
      return;
    case 'report':
      send({ type: 'report', id, report: report() });
      return;
    case 'probe': {
      // A manual or local step on `probe`; the reply says whether this worker now rejects locally.
      const probe = (breakers as NonNullable<typeof breakers>).probe;
      if (message.action === 'trip') {
        try {
          probe.execute(() => {
            throw new Error(TRIAL_ERROR);
          });
        } catch {}
      } else if (message.action === 'forceOpen') {
        probe.forceOpen();
      } else if (message.action === 'reset') {
        probe.reset();
      }
      send({ type: 'probe', id, state: probe.state, rejects: rejects(probe) });
      return;
    }
    case 'stop':
      running = false;
      await loop;
      lag.disable();
      send({ type: 'report', id, report: report() });
      return;
    case 'close':
      // Flushes, releases permits, closes both connections; the process then exits by itself.
      running = false;
      await loop;
      await store?.close();
      send({ type: 'closed', id });
      process.disconnect();
      return;
  }
});
