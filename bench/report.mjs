// Turns the workers' results into the issue's targets (met or not, with the measured ratio) and a Markdown report.
import { median } from './harness.mjs';

const find = (result, id) => result?.cases?.find((entry) => entry.id === id);
const paired = (result, idA, idB) => {
  const a = find(result, idA);
  const b = find(result, idB);
  if (a === undefined || b === undefined) return Number.NaN;
  return median(a.samples.map((ns, round) => ns / b.samples[round]));
};

const target = (name, measured, limit, holds, detail) => ({ name, measured, limit, met: Boolean(holds), detail });

export function evaluateTargets({ results: r }) {
  const t = [];
  const ca = r.closedAsync;
  t.push(target('closed async: tripswitch / cockatiel', ca.cross.vsCockatiel, '<= 0.40', ca.cross.vsCockatiel <= 0.4));
  t.push(target('closed async: tripswitch / opossum (defaults)', ca.cross.vsOpossumDefault, '<= 0.15', ca.cross.vsOpossumDefault <= 0.15));
  const caBare = find(ca, 'tripswitch').ratioToBaseline;
  t.push(target('closed async: tripswitch / bare await', caBare, '<= 2.0', caBare <= 2));

  const cs = r.closedSync;
  const over = find(cs, 'tripswitch').overheadNs;
  t.push(target('closed sync: ns above a bare call (wrap)', over, '<= 25 ns', over <= 25));
  const alloc = cs.allocation.tripswitch;
  t.push(
    target(
      'closed sync: no allocation (minor GCs over the calls, vs bare)',
      alloc.minorGcs,
      '<= bare',
      alloc.minorGcs <= cs.allocation.bare.minorGcs,
      `${alloc.minorGcs} scavenges over ${alloc.calls.toLocaleString('en')} calls, ~${alloc.bytesPerCall.toFixed(1)} B/call (bare: ${cs.allocation.bare.minorGcs})`,
    ),
  );

  const rj = r.rejection;
  for (const [peer, key] of [
    ['cockatiel', 'cockatielVsTripswitch'],
    ['opossum', 'opossumVsTripswitch'],
    ['mollitia', 'mollitiaVsTripswitch'],
  ]) {
    t.push(target(`rejection (async): ${peer} / tripswitch`, rj.cross[key], '>= 4.0', rj.cross[key] >= 4));
  }
  const e = rj.errors.tripswitch;
  const carries = typeof e.breakerName === 'string' && e.code === 'CIRCUIT_OPEN' && typeof e.retryAfter === 'number';
  t.push(target('rejection: error carries breakerName, code, retryAfter', carries ? 1 : 0, 'yes', carries, JSON.stringify(e)));

  for (const window of ['count100', 'time10s']) {
    const m = r.mixed[window];
    t.push(target(`mixed ${window}: tripswitch / cockatiel`, m.cross.vsCockatiel, '<= 0.50', m.cross.vsCockatiel <= 0.5));
    const bare = find(m, 'tripswitch').ratioToBaseline;
    t.push(target(`mixed ${window}: tripswitch / bare`, bare, '<= 2.5', bare <= 2.5));
  }

  const mem = r.memory;
  const ts = mem.tripswitch.bytesPerBreaker;
  t.push(target('memory: heap per idle default breaker', ts, '<= 1024 B', ts <= 1024));
  const peers = ['cockatiel', 'opossum', 'mollitia'].map((id) => [id, mem[id].bytesPerBreaker]);
  const [lightest, lightestBytes] = peers.sort((a, b) => a[1] - b[1])[0];
  t.push(target(`memory: tripswitch / lightest peer (${lightest})`, ts / lightestBytes, '<= 0.50', ts / lightestBytes <= 0.5));

  const ws = r.windowSizes;
  const growthAsync = paired(ws.async, 'tripswitch-10000', 'tripswitch-10');
  const growthSync = paired(ws.sync, 'tripswitch-sync-10000', 'tripswitch-sync-10');
  t.push(target('window 10 000 vs 10, async: time ratio', growthAsync, '<= 1.25 (flat)', growthAsync <= 1.25));
  t.push(target('window 10 000 vs 10, sync: time ratio', growthSync, '<= 1.25 (flat)', growthSync <= 1.25));

  const rs = r.redis;
  if (rs !== undefined && rs.skipped === undefined) {
    for (const [name, result] of [
      ['closed async', rs.closedAsync],
      ['mixed count100', rs.mixed.count100],
      ['mixed time10s', rs.mixed.time10s],
    ]) {
      t.push(
        target(
          `Redis store, ${name}: RedisStateStore / MemoryStore`,
          result.cross.redisVsMemory,
          '<= 1.20',
          result.cross.redisVsMemory <= 1.2,
        ),
      );
    }
  }
  return t;
}

const ns = (value) =>
  value >= 10_000 ? `${(value / 1000).toFixed(1)} µs` : value >= 100 ? `${value.toFixed(0)} ns` : `${value.toFixed(1)} ns`;
const x = (value) => (Number.isFinite(value) ? `${value.toFixed(2)}x` : 'n/a');

function caseTable(result, { vs, baselineLabel } = {}) {
  const rows = [];
  rows.push(`| case | median / call | × baseline${vs ? ` | tripswitch ÷ case` : ''} |`);
  rows.push(`|---|---:|---:|${vs ? '---:|' : ''}`);
  rows.push(`| ${baselineLabel ?? result.baseline.label} (baseline) | ${ns(result.baseline.medianNs)} | 1.00x |${vs ? ' |' : ''}`);
  for (const entry of result.cases) {
    const cross = vs && entry.lib !== 'tripswitch' ? x(paired(result, vs, entry.id)) : '';
    rows.push(`| ${entry.label} | ${ns(entry.medianNs)} | ${x(entry.ratioToBaseline)}${vs ? ` | ${cross}` : ''} |`);
  }
  return rows.join('\n');
}

export function renderMarkdown(report) {
  const { results: r, machine, versions, targets } = report;
  const out = [];
  out.push(`# tripswitch benchmark (${report.mode} run)`);
  out.push('');
  out.push(
    `${report.generatedAt} · ${machine.cpu} · ${machine.nproc} CPUs · Node ${machine.node} · ` +
      Object.entries(versions)
        .map(([name, version]) => `${name} ${version}`)
        .join(' · '),
  );
  out.push('');
  out.push('Medians of the rounds; every case measured A/B interleaved with the baseline in the same process. ');
  out.push(
    '"× baseline" is the median of per-round ratios to the adjacent baseline batch; "tripswitch ÷ case" the median per-round ratio.',
  );
  out.push('');
  out.push('## Targets');
  out.push('');
  out.push('| target | measured | limit | holds |');
  out.push('|---|---:|---:|:---:|');
  for (const entry of targets) {
    const measured = entry.name.includes('ns above')
      ? ns(entry.measured)
      : entry.name.includes('heap per')
        ? `${entry.measured.toFixed(0)} B`
        : entry.limit === 'yes'
          ? entry.met
            ? 'yes'
            : 'no'
          : entry.limit === '<= bare'
            ? String(entry.measured)
            : x(entry.measured);
    out.push(`| ${entry.name} | ${measured} | ${entry.limit} | ${entry.met ? 'yes' : '**no**'} |`);
  }
  out.push('');
  out.push('## 1. Closed, healthy async call (`async () => 1`, awaited in sequence)');
  out.push('');
  out.push(caseTable(r.closedAsync, { vs: 'tripswitch' }));
  out.push('');
  out.push('## 2. Closed, healthy sync call');
  out.push('');
  out.push(caseTable(r.closedSync));
  out.push('');
  const a = r.closedSync.allocation;
  out.push(
    `Overhead above the bare call: wrap ${ns(r.closedSync.cases[0].overheadNs)}, execute ${ns(r.closedSync.cases[1].overheadNs)}. ` +
      `Allocation over ${a.tripswitch.calls.toLocaleString('en')} calls: bare ${a.bare.minorGcs} scavenges; ` +
      `wrap ${a.tripswitch.minorGcs} scavenges (~${a.tripswitch.bytesPerCall.toFixed(1)} B/call); ` +
      `execute ${a['tripswitch-execute'].minorGcs} scavenges (~${a['tripswitch-execute'].bytesPerCall.toFixed(1)} B/call).`,
  );
  out.push('');
  out.push('The peers have no sync path: each takes the sync fn and returns a promise (mollitia needs the fn itself to return one):');
  out.push('');
  out.push(caseTable(r.closedSync.peers));
  out.push('');
  out.push('## 3. Open circuit, rejected call (caught)');
  out.push('');
  out.push(caseTable(r.rejection, { vs: 'tripswitch' }));
  out.push('');
  out.push(caseTable(r.rejection.sync));
  out.push('');
  out.push(
    'Errors: ' +
      Object.entries(r.rejection.errors)
        .map(([id, e]) => `${id}: ${e.class}${e.hasStack ? ' with stack' : ', no stack'}`)
        .join('; '),
  );
  out.push('');
  out.push('## 4. Mixed: 10% of calls throw');
  for (const window of ['count100', 'time10s']) {
    out.push('');
    out.push(`### ${window === 'count100' ? 'Count window of 100 (opossum has none)' : 'Time window of 10 s'}, 50% threshold`);
    out.push('');
    out.push(caseTable(r.mixed[window], { vs: 'tripswitch' }));
  }
  out.push('');
  out.push('## 5. Slow-call accounting on (`slowCallThresholdMs: 1000`)');
  out.push('');
  out.push(caseTable(r.slowCall));
  out.push('');
  out.push('cockatiel and opossum have no slow-call accounting.');
  out.push('');
  out.push('## 6. Many breakers (default config, heap after GC)');
  out.push('');
  out.push('| variant | breakers | create time | per breaker | heap per breaker |');
  out.push('|---|---:|---:|---:|---:|');
  for (const m of Object.values(r.memory)) {
    out.push(
      `| ${m.variant} | ${m.count.toLocaleString('en')} | ${m.createMs.toFixed(0)} ms | ${ns(m.createNsPerBreaker)} | ${m.bytesPerBreaker.toFixed(0)} B |`,
    );
  }
  out.push('');
  out.push('## 7. 10 000 calls in flight through one breaker');
  out.push('');
  out.push('| case | burst of 10 000 | calls / s | × bare time | heap per in-flight call |');
  out.push('|---|---:|---:|---:|---:|');
  for (const c of r.concurrency.cases) {
    out.push(
      `| ${c.id} | ${c.medianBurstMs.toFixed(2)} ms | ${Math.round(c.callsPerSecond).toLocaleString('en')} | ${x(c.ratioToBaseline)} | ${c.heapPerInFlightCallBytes.toFixed(0)} B |`,
    );
  }
  out.push('');
  out.push('## Window size: 10, 100, 10 000 calls (count window, 10% failures)');
  out.push('');
  out.push(caseTable(r.windowSizes.async));
  out.push('');
  out.push(caseTable(r.windowSizes.sync));
  out.push('');
  out.push('## 8. Redis store (workloads 1 and 4 through a shared-state store)');
  out.push('');
  if (r.redis.skipped !== undefined) {
    out.push(r.redis.skipped);
  } else {
    const rs = r.redis;
    out.push(
      `RedisStateStore at ${rs.url} (key prefix \`${rs.keyPrefix}\`, flush every ${rs.flushIntervalMs} ms or at ${rs.maxBatch.toLocaleString('en')} calls), ` +
        'one MemoryStore, and no store; every loop, baseline included, yields a macrotask every 1024 calls so flushes run inside the timed batches.',
    );
    for (const [title, result] of [
      ['Closed, healthy async call', rs.closedAsync],
      ['Mixed, 10% failures, count window of 100', rs.mixed.count100],
      ['Mixed, 10% failures, time window of 10 s', rs.mixed.time10s],
    ]) {
      out.push('');
      out.push(`### ${title}`);
      out.push('');
      out.push(caseTable(result));
      out.push('');
      out.push(
        `Redis ÷ memory ${x(result.cross.redisVsMemory)} (target <= 1.20x) · memory ÷ no store ${x(result.cross.memoryVsNone)} · Redis ÷ no store ${x(result.cross.redisVsNone)}`,
      );
    }
    out.push('');
    out.push(
      `Script calls (flushes) the Redis server ran during the workload: ${rs.serverScriptCalls} (server-wide: other clients of that server count too).`,
    );
  }
  out.push('');
  return `${out.join('\n')}\n`;
}
