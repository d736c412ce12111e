import { describe, it } from 'vitest';
import { checkModel, MODEL_CONFIGS, VARIANTS } from './harness.js';

/**
 * The real breaker and the reference model, driven side by side by random
 * command sequences (calls of every outcome through wrap and execute, async
 * calls finishing in any order, call timeouts, time, checkState, manual
 * states, snapshot restarts). After every step the state, window counts,
 * trials in flight and totals must agree. Each window type runs 2,000
 * sequences spread over the variants; TRIPSWITCH_MODEL_RUNS sets the number
 * per window type (npm run test:deep runs 100,000).
 */
const runsPerWindow = Number(process.env.TRIPSWITCH_MODEL_RUNS ?? 2000);
const variants = Object.entries(VARIANTS);

describe.each(Object.keys(MODEL_CONFIGS) as (keyof typeof MODEL_CONFIGS)[])('model-based: %s window', (type) => {
  it.each(variants.map(([label]) => [label]))(
    `agrees with the reference model (%s)`,
    async (label) => {
      const variant = VARIANTS[label as keyof typeof VARIANTS];
      const runs = Math.ceil(runsPerWindow / variants.length);
      await checkModel(variant(MODEL_CONFIGS[type]), `${type} window, ${label}`, runs);
      console.log(`model-based ${type} window (${label}): ${runs} sequences agreed`);
    },
    3_600_000,
  );
});
