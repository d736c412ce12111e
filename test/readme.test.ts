import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * Every ```ts block of the README is a runnable example: each is extracted,
 * pointed at the sources, type-checked and run. A block preceded by
 * `<!-- not-runnable -->` is skipped (none should need to be).
 */
const root = resolve(import.meta.dirname, '..');
const scratch = join(root, '.tmp', 'readme');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const blocks = [...readme.matchAll(/(<!-- not-runnable -->\n)?```ts\n([\s\S]*?)```/g)]
  .filter((match) => match[1] === undefined)
  .map((match, index) => ({ index, code: match[2] as string }));

function toSourceImports(code: string): string {
  return code.replace(/from 'tripswitch(\/[a-z]+)?'/g, (_all, subpath: string | undefined) => `from '../../src${subpath ?? ''}/index.js'`);
}

describe('README examples', () => {
  mkdirSync(scratch, { recursive: true });
  const files = blocks.map(({ index, code }) => {
    const file = join(scratch, `example-${index}.ts`);
    writeFileSync(file, `${toSourceImports(code)}\nexport {};\n`);
    return file;
  });

  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('has examples', () => {
    expect(blocks.length).toBeGreaterThan(10);
  });

  it('type-check', () => {
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    const args = [
      '--noEmit',
      '--strict',
      '--target',
      'es2022',
      '--module',
      'nodenext',
      '--moduleResolution',
      'nodenext',
      '--skipLibCheck',
      '--types',
      'node',
      ...files,
    ];
    let output = '';
    try {
      execFileSync('node', [tsc, ...args], { cwd: root, encoding: 'utf8' });
    } catch (error) {
      output = String((error as { stdout?: string }).stdout);
    }
    expect(output).toBe('');
  });

  it.each(blocks.map((b) => [b.index, b.code.split('\n').find((l) => l.trim() && !l.startsWith('import')) ?? '']))(
    'example %i runs: %s',
    (index) => {
      const tsx = join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs');
      expect(() =>
        execFileSync('node', [tsx, join(scratch, `example-${index}.ts`)], { cwd: root, encoding: 'utf8', timeout: 20_000, stdio: 'pipe' }),
      ).not.toThrow();
    },
  );
});
