// npm run bench [-- --quick]: builds nothing itself (the npm script builds dist/ first), runs every
// workload in its own process against dist/index.js, prints the table and the targets, and writes
// bench/results/latest.json and bench/results/latest.md.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { modulePath } from './lib.mjs';
import { VERSIONS } from './peers.mjs';
import { evaluateTargets, renderMarkdown } from './report.mjs';

const quick = process.argv.includes('--quick');
const here = fileURLToPath(new URL('.', import.meta.url));
const started = Date.now();

function runNode(script, args) {
  const output = execFileSync(process.execPath, ['--expose-gc', `${here}${script}`, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
  const lines = output.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]);
}

const log = (message) => process.stderr.write(`${message}\n`);

const results = {};
const WORKLOADS = [
  ['closedAsync', 'closed-async', '1. closed async'],
  ['closedSync', 'closed-sync', '2. closed sync'],
  ['rejection', 'rejection', '3. open circuit, rejection'],
  ['mixed', 'mixed', '4. mixed, 10% failures'],
  ['slowCall', 'slow-call', '5. slow-call accounting'],
  ['windowSizes', 'window-sizes', 'window sizes 10 / 100 / 10 000'],
  ['concurrency', 'concurrency', '7. 10 000 in flight'],
];
for (const [key, worker, title] of WORKLOADS) {
  const t0 = Date.now();
  log(`running ${title}${quick ? ' (quick)' : ''}...`);
  results[key] = runNode('worker.mjs', quick ? [worker, '--quick'] : [worker]);
  log(`  done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

log(`running 6. many breakers${quick ? ' (quick)' : ''}...`);
const count = quick ? 20_000 : 100_000;
results.memory = {};
for (const variant of ['tripswitch', 'tripswitch-registry', 'tripswitch-family', 'cockatiel', 'opossum', 'mollitia']) {
  results.memory[variant] = runNode('memory.mjs', [variant, String(count)]);
}

// Workload 8 needs a Redis server (TRIPSWITCH_REDIS_URL, default 127.0.0.1:6379): without one it says so and is skipped.
{
  const t0 = Date.now();
  log(`running 8. Redis store${quick ? ' (quick)' : ''}...`);
  results.redis = runNode('worker.mjs', quick ? ['redis-store', '--quick'] : ['redis-store']);
  log(
    results.redis.skipped === undefined
      ? `  done in ${((Date.now() - t0) / 1000).toFixed(1)} s`
      : `  8. Redis store: ${results.redis.skipped}`,
  );
}

const cpu = (() => {
  try {
    const match = readFileSync('/proc/cpuinfo', 'utf8').match(/^model name\s*:\s*(.+)$/m);
    return match ? match[1] : os.cpus()[0]?.model;
  } catch {
    return os.cpus()[0]?.model;
  }
})();
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const report = {
  generatedAt: new Date().toISOString(),
  mode: quick ? 'quick' : 'full',
  machine: {
    cpu,
    nproc: os.availableParallelism?.() ?? os.cpus().length,
    platform: `${os.platform()} ${os.release()}`,
    node: process.version,
  },
  versions: { tripswitch: modulePath ? `${pkg.version} (${modulePath})` : pkg.version, ...VERSIONS },
  results,
};
report.targets = evaluateTargets(report);
report.elapsedMs = Date.now() - started;

const markdown = renderMarkdown(report);
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/latest.json', import.meta.url), `${JSON.stringify(report, null, 2)}\n`);
writeFileSync(new URL('./results/latest.md', import.meta.url), markdown);
process.stdout.write(markdown);
log(`\nwrote bench/results/latest.json and bench/results/latest.md in ${(report.elapsedMs / 1000).toFixed(1)} s`);
