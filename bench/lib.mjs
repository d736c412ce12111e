// The tripswitch build under test: dist/index.js (what `npm run build` produces and users get).
// TRIPSWITCH_BENCH_MODULE=/abs/path/to/index.js points the suite at another build, to A/B a change
// to the library before it lands in src/ (the report then names that file).
import { pathToFileURL } from 'node:url';

export const modulePath = process.env.TRIPSWITCH_BENCH_MODULE;
export const tripswitch = await import(modulePath ? pathToFileURL(modulePath).href : '../dist/index.js');
