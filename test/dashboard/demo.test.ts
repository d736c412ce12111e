import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { REDIS_URL, redisSkipReason } from '../redis/support.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

/** Runs the demo as `npm start` does (tsx on the sources, no build) and collects its output. */
function runDemo(args: string[], onLine?: (line: string) => void): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(TSX, ['examples/demo.ts', ...args], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      for (const line of chunk.split('\n')) onLine?.(line);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('npm start (examples/demo.ts)', () => {
  it('prints the dashboard URL, serves it, prints live lines, and exits 0 after --duration', async () => {
    let served: Promise<number> | undefined;
    const result = await runDemo(['--duration', '4', '--port', '0'], (line) => {
      const url = /Dashboard: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(line)?.[1];
      if (url !== undefined) served = fetch(`${url}breakers`).then((response) => response.status);
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Dashboard: http:\/\/127\.0\.0\.1:\d+\/#token=[\w-]+/);
    expect(await served).toBe(200);
    expect(result.stdout).toMatch(/upstream:payments +(CLOSED|OPEN|HALF_OPEN) +fail +\d+%/);
    expect(result.stdout).toContain('stopped cleanly');
  }, 30_000);

  it('stops cleanly on SIGTERM', async () => {
    const child = spawn(TSX, ['examples/demo.ts', '--port', '0'], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    const code = await new Promise<number | null>((resolve) => {
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
        if (stdout.includes('Dashboard:')) child.kill('SIGTERM');
      });
      child.on('close', resolve);
    });
    expect(code).toBe(0);
    expect(stdout).toContain('stopping (SIGTERM)');
  }, 30_000);

  it('rejects --workers without --redis with the usage', async () => {
    const result = await runDemo(['--workers', '3']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--workers needs --redis <url>/);
    expect(result.stderr).toContain('Usage: npm start');
  }, 30_000);

  it.each(['0', '17', '2.5', 'three', ''])(
    'rejects --workers %j with the usage',
    async (value) => {
      const result = await runDemo(['--redis', 'redis://127.0.0.1:6379', '--workers', value]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`--workers must be an integer from 1 to 16, got ${JSON.stringify(value)}`);
      expect(result.stderr).toContain('Usage: npm start');
    },
    30_000,
  );

  it('rejects a --redis value that is not a redis:// URL', async () => {
    const result = await runDemo(['--redis', 'localhost:6379']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--redis must be a redis:\/\/ or rediss:\/\/ URL/);
  }, 30_000);

  it('says clearly when Redis is unreachable and exits 1 without hanging', async () => {
    const started = Date.now();
    const result = await runDemo(['--redis', 'redis://127.0.0.1:1', '--workers', '2', '--port', '0']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/demo: cannot reach Redis at redis:\/\/127\.0\.0\.1:1: connect ECONNREFUSED/);
    expect(result.stdout).not.toContain('Dashboard:');
    expect(Date.now() - started).toBeLessThan(15_000);
  }, 30_000);

  it('rejects a bad flag with the usage', async () => {
    const result = await runDemo(['--duration', 'soon']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--duration must be a number/);
    expect(result.stderr).toContain('Usage: npm start');
  }, 30_000);
});

const skip = await redisSkipReason();

/** Whether process `pid` still exists. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The worker pids the demo printed ("worker 1 started: pid 1234, ..."). */
const workerPids = (stdout: string) => [...stdout.matchAll(/worker \d+ started: pid (\d+)/g)].map((match) => Number(match[1]));

describe.skipIf(skip !== undefined)(`npm start -- --redis <url> --workers <n>${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('runs the load from 2 workers sharing state, shows the fleet, exits 0 after --duration and leaves no process', async () => {
    let forced: Promise<number> | undefined;
    let dashboard: { url: string; token: string } | undefined;
    const result = await runDemo(['--redis', REDIS_URL, '--workers', '2', '--duration', '8', '--port', '0'], (line) => {
      const match = /Dashboard: (http:\/\/127\.0\.0\.1:\d+\/)#token=([\w-]+)/.exec(line);
      if (match) dashboard = { url: match[1] as string, token: match[2] as string };
      // The dashboard's button acts on the main process's breaker: every worker must follow it through Redis.
      if (line.includes('all 2 workers started') && dashboard !== undefined) {
        forced = fetch(`${dashboard.url}breakers/${encodeURIComponent('upstream:users')}/force-open`, {
          method: 'POST',
          headers: { authorization: `Bearer ${dashboard.token}` },
        }).then((response) => response.status);
      }
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Dashboard: http:\/\/127\.0\.0\.1:\d+\/#token=[\w-]+/);
    expect(result.stdout).toMatch(/Shared state: RedisStateStore at redis:\/\/\S+, key prefix tripswitch-demo:/);
    expect(result.stdout).toMatch(/worker 1 started: pid \d+/);
    expect(result.stdout).toMatch(/worker 2 started: pid \d+/);
    expect(await forced).toBe(200);
    expect(result.stdout).toMatch(/upstream:users +closed -> forced_open \(manual\) decided by main/);
    expect(result.stdout).toMatch(/upstream:users +closed -> forced_open \(remote\) followed by w1, w2 \(applied from Redis\)/);
    // The fleet line, then one entry per worker, each with its own traffic.
    expect(result.stdout).toMatch(/^upstream:payments +\w+ +fail +\d+% .*calls\/s.*\n +w1 \w+ +[\d.]+\/s fail +\d+% .*w2 /m);
    expect(result.stdout).toMatch(/^ +w1 FORCED_OPEN .*w2 FORCED_OPEN/m);
    expect(result.stdout).toMatch(/removed \d+ Redis keys of this run/);
    expect(result.stdout).toContain('stopped cleanly');
    const pids = workerPids(result.stdout);
    expect(pids).toHaveLength(2);
    expect(pids.filter(alive)).toEqual([]);
  }, 60_000);

  it('stops the workers and exits 0 on SIGTERM', async () => {
    const child = spawn(TSX, ['examples/demo.ts', '--redis', REDIS_URL, '--workers', '2', '--port', '0'], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let signalled = false;
    const code = await new Promise<number | null>((resolve) => {
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
        if (stdout.includes('all 2 workers started') && !signalled) signalled = child.kill('SIGTERM');
      });
      child.on('close', resolve);
    });
    expect(code).toBe(0);
    expect(stdout).toContain('stopping (SIGTERM)');
    expect(stdout).toContain('stopped cleanly');
    expect(workerPids(stdout).filter(alive)).toEqual([]);
  }, 60_000);
});
