/** The composable policies: retry, bulkhead, timeout, and compose to chain them with breakers. */
export { type BulkheadOptions, type BulkheadPolicy, bulkhead } from './bulkhead.js';
export { compose } from './compose.js';
export type { Policy, PolicyStage } from './policy.js';
export { type RetryBackoff, type RetryOptions, retry } from './retry.js';
export { type TimeoutOptions, type TimeoutPolicy, timeout } from './timeout.js';
