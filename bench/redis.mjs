// npm run bench:redis [-- --quick]: the cost and traffic of sharing state through Redis.
// Measures, in one run, against dist/ (the npm script builds it first):
//   1. hot-path cost per call: no store vs MemoryStore vs RedisStateStore (target: Redis within 1.2x of memory);
//   2. Redis commands per second per instance at 10 000 and 100 000 calls/s (target: set by the flush rate);
//   3. trip propagation on loopback, p50/p99: a local trip published to the fleet, and a fleet-window trip found by a flush.
// Uses a private redis-server on a free port (so INFO commandstats counts only this benchmark), or
// TRIPSWITCH_REDIS_URL / 127.0.0.1:6379 when redis-server is not on PATH. Writes bench/results/redis.json.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { setImmediate as tick } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { CircuitBreaker, MemoryStore } from '../dist/index.js';
import { RedisStateStore } from '../dist/redis/index.js';

const quick = process.argv.includes('--quick');
const log = (message) => process.stderr.write(`${message}\n`);
const sleep = (ms) => new Promise((done) => setTimeout(done, ms));
const prefix = `bench:${process.pid}:${Date.now().toString(36)}`;

function freePort() {
  return new Promise((done) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });
}

async function startRedis() {
  if (spawnSync('redis-server', ['--version']).status !== 0) {
    const url = process.env.TRIPSWITCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
    log(`redis-server not on PATH: using ${url} (commands/s then include other clients of that server)`);
    return { url, private: false, stop: async () => {} };
  }
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  const url = `redis://127.0.0.1:${port}`;
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => {});
  for (let i = 0; i < 100; i++) {
    try {
      await probe.connect();
      break;
    } catch {
      await sleep(50);
    }
  }
  probe.disconnect();
  return {
    url,
    private: true,
    stop: async () => {
      const exited = new Promise((done) => child.once('exit', done));
      child.kill('SIGKILL');
      await exited;
    },
  };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];

// ---- 1. hot path ---------------------------------------------------------------------------------

async function hotPath(url) {
  const calls = quick ? 200_000 : 1_000_000;
  const rounds = quick ? 5 : 11;
  const redisStore = new RedisStateStore({ redis: url, keyPrefix: prefix });
  const variants = {
    none: new CircuitBreaker('hot'),
    memory: new CircuitBreaker('hot', { store: new MemoryStore() }),
    redis: new CircuitBreaker('hot', { store: redisStore }),
  };
  await redisStore.flush();
  const fn = () => 1;
  const samples = { none: [], memory: [], redis: [] };
  for (let round = -1; round < rounds; round++) {
    // Interleaved, so drift of the machine hits every variant alike; round -1 warms up.
    for (const [name, breaker] of Object.entries(variants)) {
      const started = performance.now();
      for (let i = 0; i < calls; i++) breaker.execute(fn);
      const ns = ((performance.now() - started) * 1e6) / calls;
      if (round >= 0) samples[name].push(ns);
      await tick(); // lets the store flush between rounds, as a real event loop would
    }
  }
  await redisStore.close();
  const result = Object.fromEntries(Object.entries(samples).map(([name, values]) => [name, median(values)]));
  return {
    callsPerRound: calls,
    rounds,
    nsPerCall: result,
    redisVsMemory: result.redis / result.memory,
    redisVsNone: result.redis / result.none,
  };
}

// ---- 2. commands per second ------------------------------------------------------------------------

async function commandStats(admin) {
  const info = await admin.info('commandstats');
  const stats = {};
  for (const line of info.split('\n')) {
    const match = /^cmdstat_([^:]+):calls=(\d+)/.exec(line.trim());
    if (match) stats[match[1]] = Number(match[2]);
  }
  return stats;
}

async function commandsPerSecond(url, callsPerSecond) {
  const seconds = quick ? 1 : 3;
  const admin = new Redis(url);
  const store = new RedisStateStore({ redis: url, keyPrefix: `${prefix}:rate${callsPerSecond}` });
  const breaker = new CircuitBreaker('rate', { store, window: { type: 'time', durationMs: 10_000, buckets: 10 } });
  await store.flush();
  await sleep(150);
  const before = await commandStats(admin);
  const started = performance.now();
  let done = 0;
  const fn = () => 1;
  // Paced: after each turn of the event loop, run the calls that are due by now.
  while (performance.now() - started < seconds * 1000) {
    const due = Math.floor(((performance.now() - started) / 1000) * callsPerSecond);
    for (; done < due; done++) breaker.execute(fn);
    await tick();
  }
  const elapsed = (performance.now() - started) / 1000;
  const after = await commandStats(admin);
  await store.close();
  admin.disconnect();
  // The store's own round trips; commands run inside its scripts are counted apart (INFO counts them too).
  const ours = ['evalsha', 'eval', 'zrem', 'publish', 'subscribe', 'unsubscribe'];
  const delta = (name) => (after[name] ?? 0) - (before[name] ?? 0);
  const roundTrips = ours.reduce((sum, name) => sum + delta(name), 0);
  const all = Object.keys(after).reduce((sum, name) => sum + delta(name), 0) - 1; // minus our own INFO
  return {
    callsPerSecond: Math.round(done / elapsed),
    seconds: Number(elapsed.toFixed(2)),
    commandsPerSecond: Number((roundTrips / elapsed).toFixed(1)),
    withScriptInternalsPerSecond: Number((all / elapsed).toFixed(1)),
    scriptCallsPerSecond: Number(((delta('evalsha') + delta('eval')) / elapsed).toFixed(1)),
  };
}

// ---- 3. trip propagation -----------------------------------------------------------------------

async function propagation(url, mode) {
  const trips = mode === 'publish' ? (quick ? 50 : 200) : quick ? 10 : 40;
  const keyPrefix = `${prefix}:prop:${mode}`;
  const config = mode === 'publish' ? { failureThreshold: 1, resetTimeoutMs: 60_000 } : { failureThreshold: 3, resetTimeoutMs: 60_000 };
  const localTrip = mode === 'publish' ? 'fleet' : 'local-only';
  const storeA = new RedisStateStore({ redis: url, keyPrefix, localTrip });
  const storeB = new RedisStateStore({ redis: url, keyPrefix, localTrip });
  // The flush path: A's third failure in a row trips A alone (local-only); the fleet learns it at A's next flush.
  const a = new CircuitBreaker('api', { ...config, store: storeA });
  const b = new CircuitBreaker('api', { ...config, store: storeB });
  await Promise.all([storeA.flush(), storeB.flush()]);
  await sleep(100);
  const latencies = [];
  const waitState = (breaker, state) =>
    new Promise((done) => {
      if (breaker.state === state) return done(performance.now());
      const off = breaker.on('stateChange', (event) => {
        if (event.to !== state) return;
        off();
        done(performance.now());
      });
    });
  const boom = () => {
    throw new Error('boom');
  };
  for (let trip = 0; trip < trips; trip++) {
    const opened = waitState(b, 'open');
    const failures = mode === 'publish' ? 1 : 3;
    for (let i = 0; i < failures - 1; i++) {
      try {
        a.execute(boom);
      } catch {}
    }
    const started = performance.now();
    try {
      a.execute(boom);
    } catch {}
    latencies.push((await opened) - started);
    const closed = waitState(b, 'closed');
    a.reset();
    await closed;
    // A random pause, so trips do not lock onto the phase of A's flush timer.
    await sleep(mode === 'publish' ? 0 : Math.random() * 100);
  }
  await Promise.all([storeA.close(), storeB.close()]);
  latencies.sort((x, y) => x - y);
  return {
    trips,
    p50Ms: Number(percentile(latencies, 50).toFixed(3)),
    p99Ms: Number(percentile(latencies, 99).toFixed(3)),
    maxMs: Number(latencies.at(-1).toFixed(3)),
  };
}

// ---- run -----------------------------------------------------------------------------------------

const redis = await startRedis();
try {
  log(`hot path${quick ? ' (quick)' : ''}...`);
  const hot = await hotPath(redis.url);
  log('commands per second at 10 000 and 100 000 calls/s...');
  const rate10k = await commandsPerSecond(redis.url, 10_000);
  const rate100k = await commandsPerSecond(redis.url, 100_000);
  log('trip propagation...');
  const publish = await propagation(redis.url, 'publish');
  const flush = await propagation(redis.url, 'flush');
  const results = {
    date: new Date().toISOString(),
    quick,
    node: process.version,
    cpu: os.cpus()[0]?.model,
    redis: redis.private ? 'private redis-server on loopback' : redis.url,
    flushIntervalMs: 100,
    hotPath: hot,
    commands: { at10k: rate10k, at100k: rate100k },
    propagation: { localTripPublished: publish, fleetWindowTripViaFlush: flush },
    targets: {
      hotPathRedisWithin1_2xOfMemory: hot.redisVsMemory <= 1.2,
      commandsSetByFlushRate: rate100k.commandsPerSecond <= 2 * (1000 / 100) + 2,
    },
  };
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
  writeFileSync(new URL('./results/redis.json', import.meta.url), `${JSON.stringify(results, null, 2)}\n`);
  const row = (label, value) => `| ${label.padEnd(58)} | ${String(value).padStart(18)} |`;
  console.log(
    [
      `tripswitch/redis benchmark${quick ? ' (quick)' : ''}: node ${process.version}, ${results.cpu}`,
      '',
      row('measure', 'value'),
      `|${'-'.repeat(60)}|${'-'.repeat(20)}|`,
      row('hot path, no store (ns/call, closed, sync)', hot.nsPerCall.none.toFixed(1)),
      row('hot path, MemoryStore (ns/call)', hot.nsPerCall.memory.toFixed(1)),
      row('hot path, RedisStateStore (ns/call)', hot.nsPerCall.redis.toFixed(1)),
      row('Redis / memory (target <= 1.2)', `${hot.redisVsMemory.toFixed(2)}x`),
      row('Redis commands/s per instance at 10 000 calls/s', rate10k.commandsPerSecond),
      row('Redis commands/s per instance at 100 000 calls/s', rate100k.commandsPerSecond),
      row('  (incl. commands run inside the scripts)', rate100k.withScriptInternalsPerSecond),
      row('trip propagation, local trip published: p50 / p99 ms', `${publish.p50Ms} / ${publish.p99Ms}`),
      row('trip propagation, fleet window via flush: p50 / p99 ms', `${flush.p50Ms} / ${flush.p99Ms}`),
      '',
      `targets: Redis within 1.2x of memory: ${results.targets.hotPathRedisWithin1_2xOfMemory ? 'met' : 'MISSED'}; ` +
        `commands/s set by the flush rate (every 100 ms): ${results.targets.commandsSetByFlushRate ? 'met' : 'MISSED'}`,
      'written to bench/results/redis.json',
    ].join('\n'),
  );
} finally {
  await redis.stop();
}
