import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

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

  it('says --redis is not available yet and exits non-zero', async () => {
    const result = await runDemo(['--redis', 'redis://127.0.0.1:6379', '--workers', '3']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--redis and --workers are not available yet/);
  }, 30_000);

  it('rejects a bad flag with the usage', async () => {
    const result = await runDemo(['--duration', 'soon']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--duration must be a number/);
    expect(result.stderr).toContain('Usage: npm start');
  }, 30_000);
});
