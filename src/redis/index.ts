/**
 * tripswitch/redis: share breaker state across processes through Redis,
 * local-first and never blocking a call on Redis in CLOSED or OPEN.
 */
export type { RedisStateStoreOptions } from './options.js';
export { RedisStateStore } from './store.js';
