/**
 * Soak: 10,000,000 guarded calls with mixed outcomes through every window
 * type and every call path, then heap growth after GC, the resources left
 * behind, and a family of 100,000 keys with an LRU of 10,000.
 * Run with `npm run soak` (`--quick` for a tenth of the calls). It exits by
 * itself: nothing of tripswitch's may keep the event loop alive.
 */
import { CircuitBreaker, type CircuitBreakerConfig, CircuitBreakerRegistry } from '../src/index.js';

const quick = process.argv.includes('--quick');
const TOTAL_CALLS = quick ? 1_000_000 : 10_000_000;
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc (npm run soak does)');

function heapAfterGc(): number {
  for (let i = 0; i < 3; i++) gc?.();
  return process.memoryUsage().heapUsed;
}

let now = 0;
const clock = { now: () => now };
const configs: Record<string, CircuitBreakerConfig> = {
  consecutive: { clock, failureThreshold: 5, resetTimeoutMs: 50, fallback: () => 'fallback' },
  count: { clock, window: { type: 'count', size: 100, minimumCalls: 20 }, slowCallThresholdMs: 5, resetTimeoutMs: 50, halfOpenMaxCalls: 3 },
  time: {
    clock,
    window: { type: 'time', durationMs: 1_000, buckets: 10, minimumCalls: 20 },
    resetTimeoutMs: 50,
    backoff: { multiplier: 2, maxResetTimeoutMs: 400 },
  },
  timeout: { clock, callTimeoutMs: 60_000, window: { type: 'count', size: 50 }, resetTimeoutMs: 50 },
};

/** Outcome schedule: mostly healthy, with failure storms that trip the circuit now and then. */
function shouldFail(i: number): boolean {
  const storm = i % 20_000 < 400;
  return storm || i % 10 === 0;
}

async function soak(name: string, config: CircuitBreakerConfig, calls: number) {
  const breaker = new CircuitBreaker(name, config);
  const transitions = new Map<string, number>();
  const off = breaker.on('stateChange', ({ to }) => transitions.set(to, (transitions.get(to) ?? 0) + 1));
  const sync = breaker.wrap((i: number) => {
    if (shouldFail(i)) throw new Error('sync failure');
    if (i % 97 === 0) now += 6; // a slow call
    return i;
  });
  const asyncCall = breaker.wrap(async (i: number) => {
    if (shouldFail(i)) throw new Error('async failure');
    return i;
  });
  const withSignal = breaker.wrapWithSignal(async (signal: AbortSignal, i: number) => (signal.aborted ? -1 : i));
  const outer = new AbortController();
  let errors = 0;
  const heapBefore = heapAfterGc();
  for (let i = 0; i < calls; i++) {
    now += 0.05;
    const path = i % 10;
    try {
      if (path < 7) sync(i);
      else if (path < 9) await asyncCall(i);
      else await withSignal(outer.signal, i);
    } catch {
      errors++;
    }
  }
  off();
  const heapAfter = heapAfterGc();
  return {
    name,
    calls,
    errors,
    heapDeltaKb: (heapAfter - heapBefore) / 1024,
    transitions: Object.fromEntries(transitions),
    final: breaker.stats().totals,
  };
}

async function main() {
  const started = performance.now();
  const perWindow = Math.floor(TOTAL_CALLS / Object.keys(configs).length);
  const heapStart = heapAfterGc();
  const results = [];
  for (const [name, config] of Object.entries(configs)) results.push(await soak(name, config, perWindow));
  const heapEnd = heapAfterGc();
  console.log('| breaker | calls | caught errors | heap delta (KB, after GC) | transitions |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const r of results)
    console.log(
      `| ${r.name} | ${r.calls.toLocaleString('en')} | ${r.errors.toLocaleString('en')} | ${r.heapDeltaKb.toFixed(1)} | ${JSON.stringify(r.transitions)} |`,
    );
  const totalDeltaKb = (heapEnd - heapStart) / 1024;
  console.log(
    `\nsoak: ${(perWindow * results.length).toLocaleString('en')} calls in ${((performance.now() - started) / 1000).toFixed(1)} s; heap growth after GC ${totalDeltaKb.toFixed(1)} KB (limit 1024 KB): ${totalDeltaKb < 1024 ? 'OK' : 'FAIL'}`,
  );

  const familyHeapBefore = heapAfterGc();
  const registry = new CircuitBreakerRegistry();
  const hosts = registry.family('host', undefined, { maxSize: 10_000 });
  for (let i = 0; i < 100_000; i++) hosts.get(`host-${i}.example.com`).execute(() => i);
  const familyHeapAfter = heapAfterGc();
  const perBreaker = (familyHeapAfter - familyHeapBefore) / hosts.size;
  console.log(
    `family: 100,000 keys, LRU maxSize 10,000: ${hosts.size.toLocaleString('en')} live breakers, ${registry.size.toLocaleString('en')} in the registry, ${((familyHeapAfter - familyHeapBefore) / 1024 / 1024).toFixed(2)} MB (${perBreaker.toFixed(0)} bytes per live breaker): ${hosts.size === 10_000 && registry.size === 10_000 ? 'OK' : 'FAIL'}`,
  );

  const resources = process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap' && r !== 'PipeWrap');
  console.log(
    `active resources after the run: ${JSON.stringify(resources)} (${resources.includes('Timeout') ? 'FAIL: a timer is left' : 'OK: no timer left'})`,
  );
  if (totalDeltaKb >= 1024 || resources.includes('Timeout') || hosts.size !== 10_000) process.exitCode = 1;
  // No process.exit(): the run must end by itself, with nothing left holding the event loop.
}

await main();
