import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
let project: string;

function run(command: string, args: string[], cwd: string): string {
  return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

describe('the published package', () => {
  beforeAll(() => {
    project = mkdtempSync(join(tmpdir(), 'tripswitch-pack-'));
    // `npm pack` runs the prepack build, so this checks exactly what would be published.
    const tarball = run('npm', ['pack', '--silent', '--pack-destination', project], root).trim().split('\n').at(-1) as string;
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
    run('npm', ['install', '--no-audit', '--no-fund', '--offline', join(project, tarball)], project);
  }, 120_000);

  afterAll(() => {
    rmSync(project, { recursive: true, force: true });
  });

  it('ships only the build and the README', () => {
    const files = readdirSync(join(project, 'node_modules', 'tripswitch'), { recursive: true }) as string[];
    expect(files).toContain(join('dist', 'index.js'));
    expect(files).toContain(join('dist', 'index.cjs'));
    expect(files.some((f) => f.startsWith('src') || f.startsWith('test'))).toBe(false);
  });

  it('can be imported as ESM', () => {
    writeFileSync(
      join(project, 'esm.mjs'),
      `import { CircuitBreaker, CircuitState } from 'tripswitch';
       const b = new CircuitBreaker('esm', { failureThreshold: 1 });
       try { b.execute(() => { throw new Error('x'); }); } catch {}
       console.log(b.state === CircuitState.OPEN ? 'esm ok' : 'esm wrong');`,
    );
    expect(run('node', ['esm.mjs'], project).trim()).toBe('esm ok');
  });

  it('can be required as CommonJS', () => {
    writeFileSync(
      join(project, 'cjs.cjs'),
      `const { CircuitBreaker, isCircuitOpenError } = require('tripswitch');
       const b = new CircuitBreaker('cjs'); b.forceOpen();
       try { b.execute(() => 1); } catch (e) { console.log(isCircuitOpenError(e) ? 'cjs ok' : 'cjs wrong'); }`,
    );
    expect(run('node', ['cjs.cjs'], project).trim()).toBe('cjs ok');
  });

  it('resolves its types from both ESM and CommonJS TypeScript projects', () => {
    writeFileSync(
      join(project, 'types.mts'),
      `import { CircuitBreaker, type CircuitState } from 'tripswitch';
       const get: (id: string) => Promise<number> = new CircuitBreaker('t').wrap(async (id: string) => id.length);
       const state: CircuitState = 'half_open';
       // @ts-expect-error the wrapped function keeps its parameter types
       get(42);
       export { get, state };`,
    );
    writeFileSync(
      join(project, 'types.cts'),
      `import tripswitch = require('tripswitch');
       const b: tripswitch.CircuitBreaker = new tripswitch.CircuitBreaker('t');
       export = b.state;`,
    );
    // A consumer with the DOM lib (or @types/node) has AbortSignal; nothing else is assumed.
    const args = [
      '--noEmit',
      '--strict',
      '--module',
      'nodenext',
      '--moduleResolution',
      'nodenext',
      '--lib',
      'es2022,dom',
      'types.mts',
      'types.cts',
    ];
    let output = '';
    try {
      run('node', [tsc, ...args], project);
    } catch (error) {
      output = String((error as { stdout?: string }).stdout);
    }
    expect(output).toBe('');
  });
});
