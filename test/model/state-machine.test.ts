import { describe, it } from 'vitest';
import { checkModel } from './harness.js';

/**
 * The real breaker and the reference model, driven side by side by random
 * command sequences (calls of every outcome, async calls finishing in any
 * order, time, checkState, manual states, snapshot restarts). After every
 * step the state, window counts, trials in flight and totals must agree.
 * TRIPSWITCH_MODEL_RUNS overrides the number of sequences (npm run test:deep).
 */
const runs = Number(process.env.TRIPSWITCH_MODEL_RUNS ?? 2000);

describe.each(['consecutive', 'count', 'time'] as const)('model-based: %s window', (type) => {
  it(`agrees with the reference model over ${runs} random sequences`, async () => {
    await checkModel(type, runs);
  }, 600_000);
});
