// One workload per process (node --expose-gc bench/worker.mjs <workload> [--quick]), so JIT feedback and heap
// state never leak from one workload into the next. Prints one JSON line with the results.
import { collect, countGcs, expectMixed, expectSum, hrtime, interleaved, makeLoop, median, pairedRatio } from './harness.mjs';
import { redisModuleUrl, tripswitch as tripswitchExports } from './lib.mjs';
import { cockatiel, LONG_RESET_MS, mollitia, opossum, tripswitch } from './peers.mjs';

const [workload] = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
const quick = process.argv.includes('--quick');
const ROUNDS = quick ? 3 : 15;
const BATCH_MS = quick ? 8 : 50;
const ASYNC_MAX_N = 2_000_000;
const SYNC_MAX_N = 200_000_000;

/** Thrown by the mixed workload's fn: allocated once, so Error construction is not what gets measured. */
const FAILURE = new Error('dependency failed');

const closers = [];
const track = (adapter) => {
  if (adapter !== undefined) closers.push(adapter.close);
  return adapter;
};

const entry = (id, lib, label, kind, call, check, config = '') => ({ id, lib, label, config, loop: makeLoop(kind, call), check });

/** `async () => 1` failing every 10th call, with its own counter. */
function mixedFn() {
  let calls = 0;
  return async () => {
    if (++calls % 10 === 0) throw FAILURE;
    return 1;
  };
}

/** A fn that can be switched to failing, to trip a breaker for the rejection workload. */
function switchable(isAsync) {
  const state = { failing: false, runs: 0 };
  const fn = isAsync
    ? async () => {
        state.runs++;
        if (state.failing) throw FAILURE;
        return 1;
      }
    : () => {
        state.runs++;
        if (state.failing) throw FAILURE;
        return 1;
      };
  return { state, fn };
}

/** Trips an adapter's circuit with real failures, then checks that calls are rejected without running fn. */
async function tripOpen(adapter, state, isAsync) {
  state.failing = true;
  for (let i = 0; i < 20; i++) {
    try {
      const result = adapter.call();
      if (isAsync) await result;
    } catch {}
  }
  state.failing = false;
  const before = state.runs;
  let rejected;
  try {
    const result = adapter.call();
    if (isAsync) await result;
  } catch (error) {
    rejected = error;
  }
  if (!adapter.isOpenError(rejected)) throw new Error(`circuit did not open: ${adapter.config} -> ${rejected}`);
  if (state.runs !== before) throw new Error(`an open circuit ran the call: ${adapter.config}`);
  return rejected;
}

const opts = (maxN) => ({ rounds: ROUNDS, batchMs: BATCH_MS, maxN });

async function closedAsync() {
  const baseline = entry('bare', 'bare', 'await fn()', 'async', async () => 1, expectSum());
  const cases = [];
  const add = (id, lib, label, adapter) => {
    track(adapter);
    cases.push(entry(id, lib, label, 'async', adapter.call, expectSum(), adapter.config));
  };
  add(
    'tripswitch',
    'tripswitch',
    'tripswitch wrap',
    tripswitch(async () => 1),
  );
  add(
    'tripswitch-execute',
    'tripswitch',
    'tripswitch execute',
    tripswitch(async () => 1, { via: 'execute' }),
  );
  add(
    'cockatiel',
    'cockatiel',
    'cockatiel',
    cockatiel(async () => 1),
  );
  add(
    'opossum',
    'opossum',
    'opossum (defaults)',
    opossum(async () => 1),
  );
  add(
    'opossum-notimeout',
    'opossum',
    'opossum timeout:false',
    opossum(async () => 1, { timeout: false }),
  );
  add(
    'mollitia',
    'mollitia',
    'mollitia',
    mollitia(async () => 1),
  );
  const result = await interleaved(baseline, cases, opts(ASYNC_MAX_N));
  result.cross = {
    vsCockatiel: pairedRatio(result, 'tripswitch', 'cockatiel'),
    vsOpossumDefault: pairedRatio(result, 'tripswitch', 'opossum'),
    vsOpossumNoTimeout: pairedRatio(result, 'tripswitch', 'opossum-notimeout'),
    vsMollitia: pairedRatio(result, 'tripswitch', 'mollitia'),
  };
  return result;
}

async function closedSync() {
  const bareFn = (i) => i & 1;
  const baseline = entry('bare', 'bare', 'fn(i)', 'sync', bareFn, (acc, n) => expectSum(1)(acc * 2 + (n & 1), n));
  const syncCheck = (acc, n) => expectSum(1)(acc * 2 + (n & 1), n);
  const cases = [];
  const wrapped = tripswitch((i) => i & 1);
  cases.push(entry('tripswitch', 'tripswitch', 'tripswitch wrap (sync)', 'sync', wrapped.call, syncCheck, wrapped.config));
  const executed = tripswitch((i) => i & 1, { via: 'execute' });
  const executeFn = (i) => i & 1;
  cases.push(
    entry(
      'tripswitch-execute',
      'tripswitch',
      'tripswitch execute (sync)',
      'sync',
      (i) => executed.breaker.execute(executeFn, i),
      syncCheck,
    ),
  );
  const result = await interleaved(baseline, cases, opts(SYNC_MAX_N));
  for (const c of result.cases) c.overheadNs = c.medianNs - result.baseline.medianNs;

  // The peers have no sync path: they take the same sync fn and always return a promise, which the caller awaits.
  const asyncBase = entry('bare-await', 'bare', 'await fn() (sync fn)', 'async', () => 1, expectSum());
  const peers = [];
  const addPeer = (id, lib, label, adapter) => {
    track(adapter);
    peers.push(entry(id, lib, label, 'async', adapter.call, expectSum(), adapter.config));
  };
  addPeer(
    'cockatiel',
    'cockatiel',
    'cockatiel (sync fn, promise out)',
    cockatiel(() => 1),
  );
  addPeer(
    'opossum',
    'opossum',
    'opossum (sync fn, promise out)',
    opossum(() => 1),
  );
  // mollitia calls fn(...).then(): a sync fn must be made async by the caller.
  addPeer(
    'mollitia',
    'mollitia',
    'mollitia (fn made async)',
    mollitia(async () => 1),
  );
  const peerResult = await interleaved(asyncBase, peers, opts(ASYNC_MAX_N));

  // Allocation on the closed sync path: GCs during 10M calls, and heap growth over a short run without GC.
  const calls = quick ? 2_000_000 : 10_000_000;
  const allocation = {};
  for (const [id, loop] of [
    ['bare', baseline.loop],
    ['tripswitch', cases[0].loop],
    ['tripswitch-execute', cases[1].loop],
  ]) {
    collect();
    const gcs = await countGcs(() => loop(calls));
    collect();
    const slice = 50_000;
    const before = process.memoryUsage().heapUsed;
    loop(slice);
    const bytesPerCall = (process.memoryUsage().heapUsed - before) / slice;
    allocation[id] = { calls, minorGcs: gcs.minor, majorGcs: gcs.major, bytesPerCall: Math.max(0, bytesPerCall) };
  }
  return { ...result, peers: peerResult, allocation };
}

async function rejection() {
  // Context for the rejection cost: a bare awaited call (async) and a bare call (sync).
  const baseline = entry('bare', 'bare', 'await fn()', 'async', async () => 1, expectSum());
  const cases = [];
  const errors = {};
  for (const [id, make] of [
    ['tripswitch', (fn) => tripswitch(fn, { resetMs: LONG_RESET_MS })],
    ['cockatiel', (fn) => cockatiel(fn, { resetMs: LONG_RESET_MS })],
    ['opossum', (fn) => opossum(fn, { resetMs: LONG_RESET_MS })],
    ['mollitia', (fn) => mollitia(fn, { resetMs: LONG_RESET_MS })],
  ]) {
    const { state, fn } = switchable(true);
    const adapter = track(make(fn));
    const error = await tripOpen(adapter, state, true);
    errors[id] = describeError(error);
    cases.push(entry(id, id, `${id} (open, async)`, 'asyncReject', adapter.call, expectSum(), adapter.config));
  }
  // The floor of any caught rejection in Node: a rejected promise and the caller's await throwing.
  cases.push(
    entry('floor', 'bare', 'floor: await Promise.reject(prebuilt error)', 'asyncReject', () => Promise.reject(FAILURE), expectSum()),
  );
  const result = await interleaved(baseline, cases, opts(ASYNC_MAX_N));
  result.cross = {
    cockatielVsTripswitch: pairedRatio(result, 'cockatiel', 'tripswitch'),
    opossumVsTripswitch: pairedRatio(result, 'opossum', 'tripswitch'),
    mollitiaVsTripswitch: pairedRatio(result, 'mollitia', 'tripswitch'),
  };

  const syncBase = entry(
    'bare-sync',
    'bare',
    'fn(i)',
    'sync',
    (i) => i & 1,
    () => {},
  );
  const { state, fn } = switchable(false);
  const syncAdapter = tripswitch(fn, { resetMs: LONG_RESET_MS });
  const syncError = await tripOpen(syncAdapter, state, false);
  errors['tripswitch-sync'] = describeError(syncError);
  const syncResult = await interleaved(
    syncBase,
    [
      entry(
        'tripswitch-sync',
        'tripswitch',
        'tripswitch (open, sync throw)',
        'syncReject',
        syncAdapter.call,
        expectSum(),
        syncAdapter.config,
      ),
      entry(
        'floor-sync',
        'bare',
        'floor: throw prebuilt error',
        'syncReject',
        () => {
          throw FAILURE;
        },
        expectSum(),
      ),
    ],
    opts(SYNC_MAX_N),
  );
  return { ...result, sync: syncResult, errors };
}

function describeError(error) {
  return {
    class: error?.constructor?.name,
    hasStack: typeof error?.stack === 'string' && error.stack.includes('\n    at '),
    breakerName: error?.breakerName,
    code: error?.code,
    retryAfter: error?.retryAfter,
  };
}

async function mixed() {
  const out = {};
  for (const window of ['count100', 'time10s']) {
    const baseline = entry('bare', 'bare', 'await fn() (10% throw)', 'asyncMixed', mixedFn(), expectMixed());
    const cases = [];
    const add = (id, lib, label, adapter) => {
      if (adapter === undefined) return;
      track(adapter);
      cases.push(entry(id, lib, label, 'asyncMixed', adapter.call, expectMixed(), adapter.config));
    };
    add('tripswitch', 'tripswitch', 'tripswitch wrap', tripswitch(mixedFn(), { window }));
    add('cockatiel', 'cockatiel', 'cockatiel', cockatiel(mixedFn(), { window }));
    add('opossum', 'opossum', 'opossum (defaults)', opossum(mixedFn(), { window }));
    add('opossum-notimeout', 'opossum', 'opossum timeout:false', opossum(mixedFn(), { window, timeout: false }));
    add('mollitia', 'mollitia', 'mollitia', mollitia(mixedFn(), { window }));
    const result = await interleaved(baseline, cases, opts(ASYNC_MAX_N));
    result.cross = {
      vsCockatiel: pairedRatio(result, 'tripswitch', 'cockatiel'),
      vsOpossumDefault: pairedRatio(result, 'tripswitch', 'opossum'),
      vsMollitia: pairedRatio(result, 'tripswitch', 'mollitia'),
    };
    // expectMixed() already proved every circuit stayed closed: an open one would fail 100% of calls, not 10%.
    out[window] = result;
  }
  return out;
}

async function slowCall() {
  const baseline = entry('bare', 'bare', 'await fn()', 'async', async () => 1, expectSum());
  const cases = [];
  const add = (id, lib, label, adapter) => {
    track(adapter);
    cases.push(entry(id, lib, label, 'async', adapter.call, expectSum(), adapter.config));
  };
  add(
    'tripswitch-slow',
    'tripswitch',
    'tripswitch, slowCallThresholdMs 1000',
    tripswitch(async () => 1, { extra: { slowCallThresholdMs: 1000 } }),
  );
  add(
    'tripswitch',
    'tripswitch',
    'tripswitch, no slow-call tracking',
    tripswitch(async () => 1),
  );
  add(
    'mollitia',
    'mollitia',
    'mollitia, slowCallDurationThreshold 1000',
    mollitia(async () => 1, { slowMs: 1000 }),
  );
  const result = await interleaved(baseline, cases, opts(ASYNC_MAX_N));
  result.cross = { slowVsPlain: pairedRatio(result, 'tripswitch-slow', 'tripswitch') };
  return result;
}

async function windowSizes() {
  const baseline = entry('bare', 'bare', 'await fn() (10% throw)', 'asyncMixed', mixedFn(), expectMixed());
  const cases = [];
  for (const size of [10, 100, 10_000]) {
    const window = `count${size}`;
    const ts = track(tripswitch(mixedFn(), { window }));
    cases.push(entry(`tripswitch-${size}`, 'tripswitch', `tripswitch count ${size}`, 'asyncMixed', ts.call, expectMixed(), ts.config));
    const ck = track(cockatiel(mixedFn(), { window }));
    cases.push(entry(`cockatiel-${size}`, 'cockatiel', `cockatiel count ${size}`, 'asyncMixed', ck.call, expectMixed(), ck.config));
    const mo = track(mollitia(mixedFn(), { window }));
    cases.push(entry(`mollitia-${size}`, 'mollitia', `mollitia count ${size}`, 'asyncMixed', mo.call, expectMixed(), mo.config));
  }
  const asyncResult = await interleaved(baseline, cases, opts(ASYNC_MAX_N));

  // The sync path, where the window's own cost is not hidden behind promise machinery.
  let failures = 0;
  const syncMixed = () => (i) => {
    if (i % 10 === 9) {
      failures++;
      return 0;
    }
    return 1;
  };
  const syncBase = entry('bare-sync', 'bare', 'fn(i)', 'sync', syncMixed(), () => {});
  const syncCases = [];
  for (const size of [10, 100, 10_000]) {
    const ts = tripswitch(syncMixed(), { window: `count${size}` });
    syncCases.push(entry(`tripswitch-sync-${size}`, 'tripswitch', `tripswitch sync count ${size}`, 'sync', ts.call, () => {}, ts.config));
  }
  const syncResult = await interleaved(syncBase, syncCases, opts(SYNC_MAX_N));
  if (failures === 0) throw new Error('sync window loop did not run');
  return { async: asyncResult, sync: syncResult };
}

async function concurrency() {
  const N = 10_000;
  const rounds = quick ? 3 : 15;
  let gate = Promise.resolve();
  const gated = async () => {
    await gate;
    return 1;
  };
  const variants = [
    ['bare', 'bare', { call: gated, config: 'fn()' }],
    ['tripswitch', 'tripswitch', track(tripswitch(gated, { window: 'count100' }))],
    ['cockatiel', 'cockatiel', track(cockatiel(gated, { window: 'count100' }))],
    ['opossum', 'opossum', track(opossum(gated, { window: 'time10s' }))],
    ['opossum-notimeout', 'opossum', track(opossum(gated, { window: 'time10s', timeout: false }))],
    ['mollitia', 'mollitia', track(mollitia(gated, { window: 'count100' }))],
  ];
  const burst = async (call) => {
    let release;
    gate = new Promise((resolve) => {
      release = resolve;
    });
    collect();
    const heapBefore = process.memoryUsage().heapUsed;
    const start = hrtime();
    const pending = new Array(N);
    for (let i = 0; i < N; i++) pending[i] = call();
    const heapInFlight = process.memoryUsage().heapUsed - heapBefore;
    release();
    const results = await Promise.all(pending);
    const ns = Number(hrtime() - start);
    let sum = 0;
    for (const value of results) sum += value;
    if (sum !== N) throw new Error(`concurrency checksum ${sum} !== ${N}`);
    return { ns, heapInFlight };
  };
  // Warm-up
  for (const [, , adapter] of variants) for (let i = 0; i < 3; i++) await burst(adapter.call);
  const samples = new Map(variants.map(([id]) => [id, { ns: [], heap: [], ratio: [] }]));
  const base = variants[0][2];
  let turn = 0;
  for (let round = 0; round < rounds; round++) {
    for (const [id, , adapter] of variants.slice(1)) {
      const order = turn++ % 2 === 0 ? [base, adapter] : [adapter, base];
      const got = {};
      for (const current of order) got[current === base ? 'base' : 'lib'] = await burst(current.call);
      samples.get('bare').ns.push(got.base.ns);
      samples.get('bare').heap.push(got.base.heapInFlight);
      const s = samples.get(id);
      s.ns.push(got.lib.ns);
      s.heap.push(got.lib.heapInFlight);
      s.ratio.push(got.lib.ns / got.base.ns);
    }
  }
  return {
    inFlight: N,
    cases: variants.map(([id, lib, adapter]) => {
      const s = samples.get(id);
      const ns = median(s.ns);
      return {
        id,
        lib,
        config: adapter.config,
        medianBurstMs: ns / 1e6,
        callsPerSecond: (N / ns) * 1e9,
        heapPerInFlightCallBytes: median(s.heap) / N,
        ratioToBaseline: id === 'bare' ? 1 : median(s.ratio),
      };
    }),
  };
}

/** The Redis server of workload 8: TRIPSWITCH_REDIS_URL, or the one this project's machines run on loopback. */
const REDIS_URL = process.env.TRIPSWITCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A client that answers PING within a second, or the reason there is none. Never retries, never hangs. */
async function connectRedis(url) {
  const { Redis } = await import('ioredis');
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 1000,
    commandTimeout: 1000,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.ping();
    return { client };
  } catch (error) {
    client.disconnect();
    return { reason: error?.message ?? String(error) };
  }
}

/** Script calls the whole server ran (INFO commandstats): the flushes of the store, and of any other client of that server. */
async function scriptCalls(client) {
  const info = await client.info('commandstats');
  let calls = 0;
  for (const match of info.matchAll(/^cmdstat_(evalsha|eval):calls=(\d+)/gm)) calls += Number(match[2]);
  return calls;
}

/**
 * Workload 8: workloads 1 and 4 through a breaker with RedisStateStore, with MemoryStore and with no store,
 * A/B interleaved against the bare baseline. The loops yield a macrotask every 1024 calls (all cases alike),
 * so the store's flushes (every 100 ms, or at 10 000 calls) happen during the timed batches, as in a server.
 */
async function redisStore() {
  const { client, reason } = await connectRedis(REDIS_URL);
  if (client === undefined) return { skipped: `skipped: no Redis answering at ${REDIS_URL} (${reason})` };
  const { MemoryStore } = tripswitchExports;
  const { RedisStateStore } = await import(redisModuleUrl);
  const keyPrefix = `tripswitch-bench:${process.pid}:${Date.now().toString(36)}`;
  const redis = new RedisStateStore({ redis: REDIS_URL, keyPrefix });
  const memory = new MemoryStore();
  const out = { url: REDIS_URL, keyPrefix, flushIntervalMs: 100, maxBatch: 10_000 };
  try {
    const scriptsBefore = await scriptCalls(client);
    const variants = (make, kind, check) => {
      const cases = [];
      for (const [id, label, store, storeLabel] of [
        ['none', 'tripswitch, no store', undefined, undefined],
        ['memory', 'tripswitch + MemoryStore', memory, 'new MemoryStore()'],
        ['redis', 'tripswitch + RedisStateStore', redis, `new RedisStateStore({ redis: '${REDIS_URL}', keyPrefix })`],
      ]) {
        const adapter = make(store, storeLabel);
        cases.push(entry(id, 'tripswitch', label, kind, adapter.call, check, adapter.config));
      }
      return cases;
    };
    const measure = async (baseline, cases) => {
      // The Redis breakers have attached (read the fleet state, subscribed) before anything is timed.
      await redis.flush();
      const result = await interleaved(baseline, cases, opts(ASYNC_MAX_N));
      result.cross = {
        redisVsMemory: pairedRatio(result, 'redis', 'memory'),
        memoryVsNone: pairedRatio(result, 'memory', 'none'),
        redisVsNone: pairedRatio(result, 'redis', 'none'),
      };
      return result;
    };
    out.closedAsync = await measure(
      entry('bare', 'bare', 'await fn()', 'asyncTicked', async () => 1, expectSum()),
      variants((store, storeLabel) => tripswitch(async () => 1, { store, storeLabel }), 'asyncTicked', expectSum()),
    );
    out.mixed = {};
    for (const window of ['count100', 'time10s']) {
      out.mixed[window] = await measure(
        entry('bare', 'bare', 'await fn() (10% throw)', 'asyncMixedTicked', mixedFn(), expectMixed()),
        variants((store, storeLabel) => tripswitch(mixedFn(), { window, store, storeLabel }), 'asyncMixedTicked', expectMixed()),
      );
    }
    await redis.flush();
    out.serverScriptCalls = (await scriptCalls(client)) - scriptsBefore;
  } finally {
    await redis.close();
    client.disconnect();
  }
  return out;
}

const WORKLOADS = {
  'redis-store': redisStore,
  'closed-async': closedAsync,
  'closed-sync': closedSync,
  rejection,
  mixed,
  'slow-call': slowCall,
  'window-sizes': windowSizes,
  concurrency,
};

const run = WORKLOADS[workload];
if (run === undefined) {
  console.error(`unknown workload ${workload}; known: ${Object.keys(WORKLOADS).join(', ')}`);
  process.exit(2);
}
const started = hrtime();
const result = await run();
for (const close of closers) close();
result.elapsedMs = Number(hrtime() - started) / 1e6;
process.stdout.write(`${JSON.stringify(result)}\n`);
