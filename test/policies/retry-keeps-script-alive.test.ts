import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');

it('a script awaiting a retry does not exit before the retry runs (the retry wait is not unref’d)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tripswitch-retry-'));
  const script = join(dir, 'script.mts');
  writeFileSync(
    script,
    `import { retry } from ${JSON.stringify(join(root, 'src/index.ts'))};
     let attempts = 0;
     const result = await retry({ maxAttempts: 3, backoff: { initialDelayMs: 30 } }).execute(async () => {
       if (++attempts < 3) throw new Error('not yet');
       return 'done';
     });
     console.log(result, attempts);`,
  );
  const output = execFileSync('node', [join(root, 'node_modules/tsx/dist/cli.mjs'), script], { encoding: 'utf8', timeout: 20_000 });
  expect(output.trim()).toBe('done 3');
});
