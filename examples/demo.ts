/**
 * `npm start`: a flaky local upstream, a load generator calling it through a
 * family of breakers with fallbacks, and the live dashboard. Ctrl-C stops it.
 *
 * With `--redis <url>` the breakers share their state through a RedisStateStore; with `--workers <n>` the load
 * runs in n worker processes sharing it, and this process shows the fleet (see docs/demo-redis.md).
 */
import { type RunningDashboard, startDashboard } from '../src/dashboard/index.js';
import { CircuitBreakerRegistry } from '../src/index.js';
import type { RedisStateStore } from '../src/redis/index.js';
import { parseArgs, USAGE } from './demo/args.js';
import { bannerLines } from './demo/banner.js';
import { Fleet } from './demo/fleet.js';
import { FleetStatus, TransitionLog } from './demo/fleet-status.js';
import { listenToKeys } from './demo/keypress.js';
import { LoadGenerator, observeFleet } from './demo/load.js';
import type { WorkerMessage } from './demo/messages.js';
import { checkRedis, createDemoStore, deleteDemoKeys, demoKeyPrefix } from './demo/redis.js';
import { dim, StatusLines, transitionLine } from './demo/terminal.js';
import { ENDPOINTS, FlakyUpstream } from './demo/upstream.js';

async function main(): Promise<number> {
  let args: ReturnType<typeof parseArgs>;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (error) {
    console.error(`demo: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    console.log(USAGE);
    return 0;
  }

  let redis: { url: string; keyPrefix: string; store: RedisStateStore } | undefined;
  if (args.redis !== undefined) {
    try {
      await checkRedis(args.redis);
    } catch (error) {
      console.error(
        `demo: ${(error as Error).message}\n` +
          'Start a Redis server (for example `redis-server --port 6379`) or run `npm start` without --redis and --workers.',
      );
      return 1;
    }
    const keyPrefix = demoKeyPrefix();
    redis = { url: args.redis, keyPrefix, store: createDemoStore(args.redis, keyPrefix, `main-pid-${process.pid}`) };
  }
  const workers = args.workers;

  const registry = new CircuitBreakerRegistry(redis === undefined ? {} : { defaults: { store: redis.store } });
  const upstream = new FlakyUpstream();
  const upstreamUrl = await upstream.start();
  const log = new TransitionLog((line) => console.log(line));
  let storeHealthy = true;
  const storeHealth = (who: string, healthy: boolean, error?: unknown) =>
    console.log(
      healthy
        ? `${who}: Redis store recovered; sharing state again`
        : `${who}: Redis store degraded, deciding locally meanwhile (${error instanceof Error ? error.message : String(error)})`,
    );
  // Every breaker reports the store's health; print each change once.
  const mainHealth = (healthy: boolean, error?: unknown) => {
    if (healthy === storeHealthy) return;
    storeHealthy = healthy;
    storeHealth('main', healthy, error);
  };
  registry.on('add', (breaker) => {
    breaker.on('stateChange', (event) => (workers === undefined ? console.log(transitionLine(event)) : log.record('main', event)));
    breaker.on('storeDegraded', ({ error }) => mainHealth(false, error));
    breaker.on('storeRecovered', () => mainHealth(true));
  });
  // One process: it runs the load. A fleet: the workers do, and this process only follows the shared state.
  const load = workers === undefined ? new LoadGenerator(registry, upstreamUrl) : undefined;
  if (workers !== undefined) observeFleet(registry);
  let dashboard: RunningDashboard;
  try {
    dashboard = await startDashboard({ registry, port: args.port });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    console.log(dim(`port ${args.port} is busy; using a free one`));
    dashboard = await startDashboard({ registry, port: 0 });
  }
  load?.start();
  for (const line of bannerLines({ upstreamUrl, dashboard, redis, workers })) console.log(line);

  const fleet =
    redis === undefined || workers === undefined
      ? undefined
      : new Fleet(
          { redis: redis.url, keyPrefix: redis.keyPrefix, upstream: upstreamUrl },
          {
            onMessage: (message) => onWorkerMessage(message, log, storeHealth),
            onUnexpectedExit: (worker, code, signal) => {
              console.error(`demo: worker ${worker} exited unexpectedly (${signal ?? `code ${code}`})`);
              if (fleet?.running === 0) stop('every worker exited', 1);
            },
          },
        );

  const status = new StatusLines();
  const fleetStatus = new FleetStatus();
  const report = setInterval(() => {
    const stats = registry.breakers().map((breaker) => breaker.stats());
    const lines = fleet === undefined ? status.lines(stats, load?.fallbacks ?? new Map()) : fleetStatus.lines(stats, fleet.reports());
    const where = fleet === undefined ? (redis === undefined ? '' : '  state in Redis') : `  fleet: ${fleet.running} workers`;
    console.log(
      `${dim('—'.repeat(20))} ${dim(new Date().toISOString().slice(11, 19))}${where}${upstream.broken.size > 0 ? `  broken by hand: ${[...upstream.broken].join(', ')}` : ''}`,
    );
    for (const line of lines) console.log(line);
  }, 2_000);

  const keys = listenToKeys((key) => {
    const index = Number(key) - 1;
    const endpoint = ENDPOINTS[index];
    if (endpoint !== undefined) console.log(`${endpoint.name}: ${upstream.toggle(endpoint.name) ? 'broken by hand' : 'healed'}`);
    else if (key === 'h') {
      upstream.broken.clear();
      console.log('all endpoints healed');
    } else if (key === 'q') stop('q');
  });

  let stopping = false;
  let exitCode = 0;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });
  const stop = (why: string, code = 0) => {
    if (stopping) return;
    stopping = true;
    exitCode = code;
    console.log(dim(`\nstopping (${why})…`));
    clearInterval(report);
    clearTimeout(deadline);
    keys.close();
    load?.stop();
    void (async () => {
      // Workers first (they call the upstream and write to Redis), then this process's servers and store.
      await fleet?.stop();
      log.close();
      await Promise.all([dashboard.close(), upstream.stop(), redis?.store.close()]);
      if (redis !== undefined) {
        const deleted = await deleteDemoKeys(redis.url, redis.keyPrefix);
        console.log(dim(`removed ${deleted} Redis keys of this run (prefix ${redis.keyPrefix})`));
      }
      done();
    })();
  };
  const deadline = args.duration === undefined ? undefined : setTimeout(() => stop(`--duration ${args.duration}`), args.duration * 1000);
  // A second signal while stopping is ignored: stopping is bounded (a worker that does not stop in 5 s is killed).
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));

  if (fleet !== undefined && workers !== undefined) {
    console.log(dim(`starting ${workers} worker process${workers === 1 ? '' : 'es'}…`));
    fleet.start(workers).then(
      () => {
        if (!stopping) console.log(`all ${workers} workers started; they share every circuit through Redis`);
      },
      (error: unknown) => {
        if (stopping) return;
        console.error(`demo: ${(error as Error).message}`);
        stop('a worker failed to start', 1);
      },
    );
  }
  await finished;
  console.log(exitCode === 0 ? 'stopped cleanly' : 'stopped');
  return exitCode;
}

/** Prints what a worker says (its stats are kept by the fleet for the status lines). */
function onWorkerMessage(
  message: WorkerMessage,
  log: TransitionLog,
  storeHealth: (who: string, healthy: boolean, error?: unknown) => void,
): void {
  const who = `w${message.worker}`;
  if (message.type === 'ready') console.log(`worker ${message.worker} started: pid ${message.pid}, store instance ${message.instanceId}`);
  else if (message.type === 'transition') log.record(who, message);
  else if (message.type === 'store') storeHealth(who, message.healthy, message.error);
  else if (message.type === 'fatal') console.error(`demo: worker ${message.worker} failed: ${message.error}`);
}

main().then(
  (code) => {
    process.exitCode = code;
    // Anything still pending past this point (a keep-alive socket) must not hold the demo open.
    setTimeout(() => process.exit(code), 2_000).unref();
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
