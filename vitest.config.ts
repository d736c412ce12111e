import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Node 20 has no native decorators: lower TypeScript 5 standard decorators in test files.
  esbuild: { target: 'es2022' },
  test: {
    include: ['test/**/*.test.ts'],
    typecheck: { enabled: true, include: ['test/**/*.test-d.ts'] },
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
