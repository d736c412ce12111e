/**
 * One worker process of `npm start -- --redis <url> --workers <n>`: runs the load generator through its own
 * breaker family, attached to the shared RedisStateStore, and reports to the main process over IPC.
 * Forked by `fleet.ts` (never run by hand); its only argument is a {@link WorkerSetup} as JSON.
 */
import { CircuitBreakerRegistry } from '../../src/index.js';
import { LoadGenerator } from './load.js';
import type { MainMessage, WorkerMessage, WorkerSetup } from './messages.js';
import { createDemoStore } from './redis.js';

/** How often the worker sends its stats to the main process. */
const REPORT_INTERVAL_MS = 1_000;

function send(message: WorkerMessage): void {
  if (process.connected) process.send?.(message);
}

function run(setup: WorkerSetup): void {
  const { worker } = setup;
  const instanceId = `worker-${worker}-pid-${process.pid}`;
  const store = createDemoStore(setup.redis, setup.keyPrefix, instanceId);
  const registry = new CircuitBreakerRegistry({ defaults: { store } });
  // Every breaker reports the store's health; the main process hears about each change once.
  let healthy = true;
  const health = (now: boolean, error?: unknown) => {
    if (now === healthy) return;
    healthy = now;
    send({
      type: 'store',
      worker,
      healthy: now,
      ...(error === undefined ? {} : { error: error instanceof Error ? error.message : String(error) }),
    });
  };
  registry.on('add', (breaker) => {
    breaker.on('stateChange', ({ name, from, to, reason, at }) => send({ type: 'transition', worker, name, from, to, reason, at }));
    breaker.on('storeDegraded', ({ error }) => health(false, error));
    breaker.on('storeRecovered', () => health(true));
  });
  const load = new LoadGenerator(registry, setup.upstream);
  load.start();
  const report = setInterval(() => {
    send({
      type: 'stats',
      worker,
      at: Date.now(),
      breakers: registry.breakers().map((breaker) => breaker.stats()),
      fallbacks: Object.fromEntries(load.fallbacks),
    });
  }, REPORT_INTERVAL_MS);
  send({ type: 'ready', worker, pid: process.pid, instanceId });

  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    clearInterval(report);
    load.stop();
    // close() flushes the last batch, releases permits and closes both Redis connections (bounded).
    void store.close().then(() => {
      if (process.connected) process.disconnect();
      // A keep-alive socket to the upstream must not hold the worker open.
      setTimeout(() => process.exit(0), 1_000).unref();
    });
  };
  process.on('message', (message: MainMessage) => {
    if (message?.type === 'stop') stop();
  });
  // The main process went away (or let go of us): stop rather than run unattended.
  process.on('disconnect', stop);
  // Ctrl-C reaches the whole process group: stop cleanly, the main process waits for us.
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

function main(): void {
  let setup: WorkerSetup | undefined;
  try {
    setup = JSON.parse(process.argv[2] ?? '') as WorkerSetup;
    run(setup);
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    send({ type: 'fatal', worker: setup?.worker ?? 0, error: text });
    console.error(`demo worker ${setup?.worker ?? '?'}: ${text}`);
    process.exitCode = 1;
    if (process.connected) process.disconnect();
  }
}

if (process.send === undefined) {
  console.error('examples/demo/worker.ts is started by the demo (npm start -- --redis <url> --workers <n>), not by hand.');
  process.exitCode = 2;
} else main();
