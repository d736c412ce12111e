// npm run bench:profile: CPU profiles of tripswitch's closed async and sync paths (dist/index.js),
// then self time by function, read from the .cpuprofile JSON.
//   node bench/profile.mjs                 profile both paths and summarise
//   node bench/profile.mjs --run <path>    the profiled child: run one path for a few seconds
//   node bench/profile.mjs --summary <file.cpuprofile>
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const here = fileURLToPath(new URL('.', import.meta.url));

/** Self time per function (name + file:line), from the sampled profile. */
export function summarise(file, top = 15) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map();
  // timeDeltas[i] is the time before samples[i]: charge it to that sample's node.
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byId.get(profile.samples[i]);
    const frame = node.callFrame;
    const where = frame.url ? `${frame.url.replace(/^.*\/(dist|bench|node_modules)\//, '$1/')}:${frame.lineNumber + 1}` : '';
    const key = `${frame.functionName || '(anonymous)'}${where ? ` ${where}` : ''}`;
    selfUs.set(key, (selfUs.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const total = [...selfUs.values()].reduce((sum, us) => sum + us, 0);
  return [...selfUs.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([fn, us]) => ({ fn, selfMs: us / 1000, share: us / total }));
}

function format(rows) {
  return rows.map((row) => ({ ...row, selfMs: row.selfMs.toFixed(0), share: `${(row.share * 100).toFixed(1)}%` }));
}

async function runPath(path) {
  const { CircuitBreaker } = (await import('./lib.mjs')).tripswitch;
  const breaker = new CircuitBreaker('profiled');
  const seconds = 4;
  const until = Date.now() + seconds * 1000;
  let acc = 0;
  if (path === 'async') {
    const call = breaker.wrap(async () => 1);
    while (Date.now() < until) for (let i = 0; i < 10_000; i++) acc += await call();
  } else {
    const call = breaker.wrap((i) => i & 1);
    while (Date.now() < until) for (let i = 0; i < 1_000_000; i++) acc += call(i);
  }
  if (acc === 0) throw new Error('nothing ran');
}

if (args[0] === '--run') {
  await runPath(args[1]);
} else if (args[0] === '--summary') {
  console.table(format(summarise(args[1])));
} else {
  // Written as bench/results/profile-<path>.cpuprofile, which .gitignore keeps out of the repository.
  const dir = `${here}results`;
  mkdirSync(dir, { recursive: true });
  for (const path of ['async', 'sync']) {
    const name = `profile-${path}.cpuprofile`;
    rmSync(`${dir}/${name}`, { force: true });
    execFileSync(
      process.execPath,
      ['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-name', name, '--cpu-prof-interval', '100', `${here}profile.mjs`, '--run', path],
      { stdio: 'inherit' },
    );
    const file = `${dir}/${name}`;
    console.log(`\n${path} closed path: self time by function (${file.replace(here, 'bench/')})`);
    console.table(format(summarise(file)));
  }
}
