// Workload 6, one variant per process: node --expose-gc bench/memory.mjs <variant> <count>
// Creates `count` idle breakers with default config, keeps them alive, and reports creation time and
// heap per breaker (heapUsed after a full GC, minus the same before). Names are made before the first
// measurement, so only what the library itself keeps is counted.
import { ConsecutiveBreaker, circuitBreaker, handleAll } from 'cockatiel';
import { Circuit, circuits, modules, SlidingCountBreaker } from 'mollitia';
import OpossumBreaker from 'opossum';
import { tripswitch } from './lib.mjs';

const { CircuitBreaker, CircuitBreakerRegistry } = tripswitch;

const [variant, countArg] = process.argv.slice(2);
const count = Number(countArg);
const action = async () => 1;

const VARIANTS = {
  // new CircuitBreaker(name): default config (consecutive window of 5, 30 s reset).
  tripswitch: () => (name) => new CircuitBreaker(name),
  // The same, registered by name in a registry.
  'tripswitch-registry': () => {
    const registry = new CircuitBreakerRegistry();
    return (name) => registry.getOrCreate(name);
  },
  // A family keyed by host, large enough to hold every key.
  'tripswitch-family': () => {
    const family = new CircuitBreakerRegistry().family('host', undefined, { maxSize: count });
    return (_name, host) => family.get(host);
  },
  cockatiel: () => () => circuitBreaker(handleAll, { halfOpenAfter: 30_000, breaker: new ConsecutiveBreaker(5) }),
  opossum: () => (name) => new OpossumBreaker(action, { name }),
  mollitia: () => (name) =>
    new Circuit({
      name,
      func: action,
      options: { modules: [new SlidingCountBreaker({ slidingWindowSize: 5, minimumNumberOfCalls: 5, failureRateThreshold: 99 })] },
    }),
};

const make = VARIANTS[variant];
if (make === undefined || !(count > 0)) {
  console.error(`usage: memory.mjs <${Object.keys(VARIANTS).join('|')}> <count>`);
  process.exit(2);
}

const names = Array.from({ length: count }, (_, i) => `service-${i}`);
const hosts = Array.from({ length: count }, (_, i) => `host-${i}.example.com`);
const kept = new Array(count).fill(null);
const create = make();
// Warm the constructor up outside the measurement (these few are dropped).
for (let i = 0; i < 50; i++) create(`warm-${i}`, `warm-${i}.example.com`);

const gc = () => {
  globalThis.gc();
  globalThis.gc();
};
gc();
const before = process.memoryUsage().heapUsed;
const start = process.hrtime.bigint();
for (let i = 0; i < count; i++) kept[i] = create(names[i], hosts[i]);
const createNs = Number(process.hrtime.bigint() - start);
gc();
const after = process.memoryUsage().heapUsed;

const result = {
  variant,
  count,
  createMs: createNs / 1e6,
  createNsPerBreaker: createNs / count,
  bytesPerBreaker: (after - before) / count,
};

// Stop the peers' timers so the process can exit by itself.
for (const breaker of kept) {
  if (breaker instanceof OpossumBreaker) breaker.shutdown();
  else if (breaker instanceof Circuit) breaker.dispose();
}
if (variant === 'mollitia') {
  // mollitia keeps every circuit and module in module-level arrays: they are never collected.
  result.note = `mollitia keeps ${circuits.length} circuits and ${modules.length} modules in global arrays`;
}
process.stdout.write(`${JSON.stringify(result)}\n`);
