import type { BreakerStats, CircuitState, TransitionReason } from '../../src/index.js';

/** What the main process tells a worker when it forks it (its first argument, as JSON). */
export interface WorkerSetup {
  /** 1-based number of the worker, as shown in the terminal. */
  readonly worker: number;
  readonly redis: string;
  readonly keyPrefix: string;
  readonly upstream: string;
}

/** Messages a worker sends to the main process over IPC. */
export type WorkerMessage =
  /** The store is created and the load runs. */
  | { readonly type: 'ready'; readonly worker: number; readonly pid: number; readonly instanceId: string }
  /** One of the worker's breakers changed state; `reason` 'remote' means another process decided. */
  | {
      readonly type: 'transition';
      readonly worker: number;
      readonly name: string;
      readonly from: CircuitState;
      readonly to: CircuitState;
      readonly reason: TransitionReason;
      readonly at: number;
    }
  /** Every second: the worker's breakers and its fallback counts per endpoint. */
  | {
      readonly type: 'stats';
      readonly worker: number;
      readonly at: number;
      readonly breakers: readonly BreakerStats[];
      readonly fallbacks: Readonly<Record<string, number>>;
    }
  /** The worker's store lost (or regained) Redis; its breakers decide locally meanwhile. */
  | { readonly type: 'store'; readonly worker: number; readonly healthy: boolean; readonly error?: string }
  /** The worker could not start or failed; it exits non-zero after sending this. */
  | { readonly type: 'fatal'; readonly worker: number; readonly error: string };

/** Messages the main process sends to a worker. */
export type MainMessage = { readonly type: 'stop' };

/** Whether `value` looks like a {@link WorkerMessage} (IPC input is checked, not trusted). */
export function isWorkerMessage(value: unknown): value is WorkerMessage {
  if (typeof value !== 'object' || value === null) return false;
  const { type, worker } = value as { type?: unknown; worker?: unknown };
  return typeof worker === 'number' && ['ready', 'transition', 'stats', 'store', 'fatal'].includes(type as string);
}
