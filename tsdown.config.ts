import { defineConfig } from 'tsdown';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'prometheus/index': 'src/prometheus/index.ts',
    'otel/index': 'src/otel/index.ts',
    'dashboard/index': 'src/dashboard/index.ts',
    'redis/index': 'src/redis/index.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  platform: 'neutral',
  // The subpath entries (dashboard) use Node built-ins; the root entry never imports them.
  deps: { neverBundle: [/^node:/] },
  target: 'es2022',
  sourcemap: true,
  clean: true,
});
