/** How the open duration grows when a circuit re-opens again and again. */
export interface BackoffConfig {
  /** Factor applied per consecutive re-open. Default 2. */
  readonly multiplier?: number;
  /** Upper bound of the open duration, in ms. Default 10 x `resetTimeoutMs`. */
  readonly maxResetTimeoutMs?: number;
  /**
   * Randomness added to each open duration so a fleet does not retry in step:
   * `'none'` (default); `'full'`, a uniform pick in [0, d]; or a ratio r in
   * [0, 1], a uniform pick in [d x (1 - r), d x (1 + r)], capped at the maximum.
   */
  readonly jitter?: 'none' | 'full' | number;
}

/** A validated backoff. */
export interface ResolvedBackoff {
  readonly multiplier: number;
  readonly maxResetTimeoutMs: number;
  readonly jitter: 'none' | 'full' | number;
}

/**
 * The open duration for the `reopenCount`-th open in a row (0 for the first).
 * Without a backoff this is always `resetTimeoutMs`.
 */
export function openDurationMs(
  resetTimeoutMs: number,
  backoff: ResolvedBackoff | undefined,
  reopenCount: number,
  random: () => number = Math.random,
): number {
  if (backoff === undefined) return resetTimeoutMs;
  const grown = Math.min(resetTimeoutMs * backoff.multiplier ** reopenCount, backoff.maxResetTimeoutMs);
  const { jitter } = backoff;
  if (jitter === 'none' || jitter === 0) return grown;
  if (jitter === 'full') return random() * grown;
  const spread = grown * jitter * (2 * random() - 1);
  return Math.min(grown + spread, backoff.maxResetTimeoutMs);
}
