// Timing primitives shared by the workers: per-case loops, calibration, A/B interleaved rounds, medians.
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { setImmediate as tick } from 'node:timers/promises';

export const hrtime = () => process.hrtime.bigint();

/** Runs a full GC when the process was started with --expose-gc (every bench process is). */
export const collect = () => {
  if (typeof globalThis.gc === 'function') globalThis.gc();
};

export function median(values) {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Loop bodies, one per kind. Each case gets its own compiled copy (see makeLoop)
 * so the JIT keeps one monomorphic call site per case instead of one shared,
 * megamorphic site that would slow every case down by the same unknown amount.
 * Every loop sums what the calls return (or 1 per caught error) and returns the
 * sum, which the harness checks: the work cannot be dropped and must be right.
 */
const BODIES = {
  // Workload 1, 5, 7: awaited in sequence.
  async: 'let acc = 0; for (let i = 0; i < n; i++) acc += await call(); return acc;',
  // Workload 4: a failure is caught and counted as 2, a success returns 1.
  asyncMixed:
    'let acc = 0; for (let i = 0; i < n; i++) { try { acc += await call(); } catch (error) { acc += error === undefined ? 0 : 2; } } return acc;',
  // Workload 3 (async): every call must reject.
  asyncReject:
    'let acc = 0; for (let i = 0; i < n; i++) { try { await call(); } catch (error) { acc += error === undefined ? 0 : 1; } } return acc;',
  // Workload 8: the same two, but the loop yields to the event loop (a macrotask) every 1024 calls, as a
  // server does between requests, so the store's flush timers and Redis replies run inside the timed batches.
  asyncTicked: 'let acc = 0; for (let i = 0; i < n; i++) { if ((i & 1023) === 1023) await tick(); acc += await call(); } return acc;',
  asyncMixedTicked:
    'let acc = 0; for (let i = 0; i < n; i++) { if ((i & 1023) === 1023) await tick(); try { acc += await call(); } catch (error) { acc += error === undefined ? 0 : 2; } } return acc;',
  // Workload 2: a sync call, its result consumed.
  sync: 'let acc = 0; for (let i = 0; i < n; i++) acc += call(i); return acc;',
  // Workload 3 (sync): every call must throw.
  syncReject:
    'let acc = 0; for (let i = 0; i < n; i++) { try { call(i); } catch (error) { acc += error === undefined ? 0 : 1; } } return acc;',
};

let loopSerial = 0;

/** A fresh, separately compiled loop of `kind` around `call`. */
export function makeLoop(kind, call) {
  const body = BODIES[kind];
  if (body === undefined) throw new Error(`unknown loop kind ${kind}`);
  const isAsync = kind.startsWith('async');
  const id = `loop_${kind}_${++loopSerial}`;
  // A distinct source per loop defeats V8's compilation cache, so feedback is never shared between cases.
  const source = `return ${isAsync ? 'async ' : ''}function ${id}(n) { ${body} };`;
  return new Function('call', 'tick', source)(call, tick);
}

/** Runs `loop(n)` once; returns ns per operation and the loop's checksum. */
export async function timeBatch(loop, n) {
  const start = hrtime();
  const acc = await loop(n);
  const ns = Number(hrtime() - start) / n;
  return { ns, acc };
}

/** Picks n so one batch takes about `batchMs`, warming the loop up on the way. */
export async function calibrate(entry, batchMs, maxN) {
  let n = 64;
  for (;;) {
    const { ns, acc } = await timeBatch(entry.loop, n);
    entry.check(acc, n);
    const totalMs = (ns * n) / 1e6;
    if (totalMs >= batchMs / 4 || n >= maxN) break;
    n *= 4;
  }
  // The first estimate may come from code that was still being optimised: measure again at the estimate.
  for (let pass = 0; pass < 2; pass++) {
    const { ns, acc } = await timeBatch(entry.loop, n);
    entry.check(acc, n);
    n = Math.max(32, Math.min(maxN, Math.round((batchMs * 1e6) / Math.max(ns, 0.05))));
  }
  return n;
}

/**
 * Measures every case against the baseline, A/B interleaved: in each round, each
 * case runs right next to a baseline batch (baseline first on even turns, last on
 * odd ones, so drift cancels). Returns per-case medians, the median of the
 * per-round ratio to the adjacent baseline, and the raw per-round times so
 * cross-library ratios can be taken round by round.
 */
export async function interleaved(baseline, cases, { rounds, batchMs, maxN }) {
  for (const entry of [baseline, ...cases]) {
    entry.n = await calibrate(entry, batchMs, maxN);
  }
  const baseSamples = [];
  const perCase = cases.map(() => ({ ns: [], ratio: [] }));
  let turn = 0;
  for (let round = 0; round < rounds; round++) {
    for (let c = 0; c < cases.length; c++) {
      const entry = cases[c];
      const order = turn++ % 2 === 0 ? [baseline, entry] : [entry, baseline];
      let baseNs = 0;
      let caseNs = 0;
      for (const current of order) {
        collect();
        const { ns, acc } = await timeBatch(current.loop, current.n);
        current.check(acc, current.n);
        if (current === baseline) baseNs = ns;
        else caseNs = ns;
      }
      baseSamples.push(baseNs);
      perCase[c].ns.push(caseNs);
      perCase[c].ratio.push(caseNs / baseNs);
    }
  }
  return {
    baseline: { id: baseline.id, label: baseline.label, medianNs: median(baseSamples), samples: baseSamples },
    cases: cases.map((entry, c) => ({
      id: entry.id,
      lib: entry.lib,
      label: entry.label,
      config: entry.config,
      n: entry.n,
      medianNs: median(perCase[c].ns),
      ratioToBaseline: median(perCase[c].ratio),
      samples: perCase[c].ns,
    })),
  };
}

/** Median over rounds of a's time / b's time, both measured in the same round. */
export function pairedRatio(result, idA, idB) {
  const a = result.cases.find((entry) => entry.id === idA);
  const b = result.cases.find((entry) => entry.id === idB);
  if (a === undefined || b === undefined) return undefined;
  return median(a.samples.map((ns, round) => ns / b.samples[round]));
}

/** Counts minor (scavenge) and major GCs while `body` runs. */
export async function countGcs(body) {
  let minor = 0;
  let major = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = entry.detail?.kind;
      if (kind === constants.NODE_PERFORMANCE_GC_MINOR) minor++;
      else major++;
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  await body();
  // GC entries are delivered asynchronously: let them arrive.
  await new Promise((resolve) => setTimeout(resolve, 50));
  observer.disconnect();
  return { minor, major };
}

/** Exact-sum checker: every call contributes `per`. */
export const expectSum =
  (per = 1) =>
  (acc, n) => {
    if (acc !== n * per) throw new Error(`bench loop checksum ${acc} !== ${n * per}: calls were lost or returned the wrong value`);
  };

/** Mixed checker: successes add 1, failures 2, and about 10% must fail. */
export const expectMixed = () => (acc, n) => {
  const failures = acc - n;
  if (failures < Math.floor(n / 10) - 1 || failures > Math.ceil(n / 10) + 1) {
    throw new Error(`bench mixed checksum: ${failures} failures in ${n} calls, expected about 10%`);
  }
};
