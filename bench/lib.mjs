// The tripswitch build under test: dist/index.js (what `npm run build` produces and users get).
// TRIPSWITCH_BENCH_MODULE=/abs/path/to/index.js points the suite at another build, to A/B a change
// to the library before it lands in src/ (the report then names that file).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

export const modulePath = process.env.TRIPSWITCH_BENCH_MODULE;
export const tripswitch = await import(modulePath ? pathToFileURL(modulePath).href : '../dist/index.js');

/** tripswitch/redis of the same build (dist/redis/index.js, or redis/index.js next to TRIPSWITCH_BENCH_MODULE if there is one). */
const redisBeside = modulePath === undefined ? undefined : join(dirname(modulePath), 'redis', 'index.js');
export const redisModuleUrl =
  redisBeside !== undefined && existsSync(redisBeside)
    ? pathToFileURL(redisBeside).href
    : new URL('../dist/redis/index.js', import.meta.url).href;
