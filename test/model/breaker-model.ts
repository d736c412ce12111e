/**
 * A small, obviously-correct reference model of the breaker, written for
 * clarity rather than speed: windows are plain arrays re-scanned on every
 * read, and each rule is spelled out once. The model-based tests drive it and
 * the real breaker side by side and compare them after every step.
 */

export type ModelState = 'closed' | 'open' | 'half_open' | 'forced_open' | 'forced_closed' | 'disabled';
export type ModelOutcome = 'success' | 'failure' | 'slow' | 'ignored' | 'timeout';

export interface ModelConfig {
  failureThreshold: number;
  successThreshold: number;
  resetTimeoutMs: number;
  halfOpenMaxCalls: number;
  maxHalfOpenWaitMs: number;
  /** Undefined: slow calls are not tracked (a slow success is a success). */
  slowCallThresholdMs: number | undefined;
  /** Undefined: no call timeout. */
  callTimeoutMs: number | undefined;
  backoff: { multiplier: number; maxResetTimeoutMs: number };
  window:
    | { type: 'consecutive' }
    | { type: 'count'; size: number; minimumCalls: number; failureRateThreshold: number }
    | { type: 'time'; durationMs: number; buckets: number; minimumCalls: number; failureRateThreshold: number };
  /** Only with count and time windows. */
  slowCallRateThreshold?: number;
}

interface Recorded {
  outcome: 'success' | 'failure' | 'slow';
  at: number;
}

export class BreakerModel {
  state: ModelState = 'closed';
  since: number;
  retryAt = 0;
  reopenCount = 0;
  inFlight = 0;
  successes = 0;
  /** Changes on every transition; a call remembers the phase it started in. */
  phase = 0;
  /** Every outcome recorded in the current window, oldest first (cleared on close). */
  recorded: Recorded[] = [];
  totals = { successes: 0, failures: 0, slowCalls: 0, rejections: 0, ignored: 0, timeouts: 0 };

  constructor(
    readonly config: ModelConfig,
    now: number,
  ) {
    this.since = now;
  }

  private enter(state: ModelState, now: number): void {
    this.state = state;
    this.since = now;
    this.phase++;
    this.inFlight = 0;
    this.successes = 0;
    if (state === 'closed') {
      this.recorded = [];
      this.reopenCount = 0;
    }
  }

  private open(reopenCount: number, now: number): void {
    this.enter('open', now);
    this.reopenCount = reopenCount;
    const { multiplier, maxResetTimeoutMs } = this.config.backoff;
    this.retryAt = now + Math.min(this.config.resetTimeoutMs * multiplier ** reopenCount, maxResetTimeoutMs);
  }

  /** The time-driven moves: OPEN to HALF_OPEN once due, a stuck HALF_OPEN back to OPEN. */
  private advance(now: number): void {
    if (this.state === 'open' && (now >= this.retryAt || now < this.since)) {
      const reopenCount = this.reopenCount;
      this.enter('half_open', now);
      this.reopenCount = reopenCount;
    } else if (
      this.state === 'half_open' &&
      this.inFlight >= this.config.halfOpenMaxCalls &&
      now - this.since >= this.config.maxHalfOpenWaitMs
    ) {
      this.open(this.reopenCount + 1, now);
    }
  }

  /** What `checkState()` does: the time-driven moves, then whether a call would be let through. */
  check(now: number): boolean {
    this.advance(now);
    if (this.state === 'open' || this.state === 'forced_open') return false;
    return this.state !== 'half_open' || this.inFlight < this.config.halfOpenMaxCalls;
  }

  /** Asks to start a call at `now`: the phase it runs under, or undefined when rejected. */
  admit(now: number): number | undefined {
    if (this.state !== 'closed') this.advance(now);
    switch (this.state) {
      case 'open':
      case 'forced_open':
        this.totals.rejections++;
        return undefined;
      case 'half_open':
        if (this.inFlight >= this.config.halfOpenMaxCalls) {
          this.totals.rejections++;
          return undefined;
        }
        this.inFlight++;
        return this.phase;
      default:
        return this.phase;
    }
  }

  /** A call that started under `phase` ends with `outcome` at `now`. */
  finish(phase: number, ending: ModelOutcome, now: number): void {
    if (ending === 'timeout') this.totals.timeouts++;
    // A timeout is a failure; a slow success is just a success when slow calls are not tracked.
    const outcome =
      ending === 'timeout' ? 'failure' : ending === 'slow' && this.config.slowCallThresholdMs === undefined ? 'success' : ending;
    if (outcome === 'ignored') {
      this.totals.ignored++;
      if (phase === this.phase && this.state === 'half_open') this.inFlight--;
      return;
    }
    if (outcome === 'failure') this.totals.failures++;
    else this.totals.successes++;
    if (outcome === 'slow') this.totals.slowCalls++;
    if (phase !== this.phase) return; // late: dropped
    switch (this.state) {
      case 'closed':
        this.recorded.push({ outcome, at: now });
        if (this.trips(now)) this.open(0, now);
        return;
      case 'disabled':
        this.recorded.push({ outcome, at: now });
        return;
      case 'half_open': {
        this.inFlight--;
        const slowTrips = outcome === 'slow' && this.config.slowCallRateThreshold !== undefined;
        if (outcome === 'failure' || slowTrips) this.open(this.reopenCount + 1, now);
        else if (++this.successes >= this.config.successThreshold) this.enter('closed', now);
        return;
      }
      default:
        return;
    }
  }

  /** The outcomes the window holds at `now`. */
  live(now: number): Recorded[] {
    const { window } = this.config;
    if (window.type === 'count') return this.recorded.slice(-window.size);
    if (window.type === 'time') {
      const width = window.durationMs / window.buckets;
      const newest = Math.max(Math.floor(now / width), ...this.recorded.map((r) => Math.floor(r.at / width)));
      return this.recorded.filter((r) => Math.floor(r.at / width) > newest - window.buckets);
    }
    return this.recorded;
  }

  counts(now: number) {
    const live = this.live(now);
    const failures = live.filter((r) => r.outcome === 'failure').length;
    let consecutiveFailures = 0;
    if (this.config.window.type === 'consecutive') {
      for (let i = live.length - 1; i >= 0 && live[i]?.outcome === 'failure'; i--) consecutiveFailures++;
    }
    return { calls: live.length, failures, slowCalls: live.filter((r) => r.outcome === 'slow').length, consecutiveFailures };
  }

  private trips(now: number): boolean {
    const { window } = this.config;
    const { calls, failures, slowCalls, consecutiveFailures } = this.counts(now);
    if (window.type === 'consecutive') return consecutiveFailures >= this.config.failureThreshold;
    if (calls < window.minimumCalls) return false;
    if (failures / calls >= window.failureRateThreshold) return true;
    return this.config.slowCallRateThreshold !== undefined && slowCalls / calls >= this.config.slowCallRateThreshold;
  }

  manual(action: 'reset' | 'forceOpen' | 'forceClosed' | 'disable', now: number): void {
    const target = { reset: 'closed', forceOpen: 'forced_open', forceClosed: 'forced_closed', disable: 'disabled' } as const;
    this.enter(target[action], now);
  }

  /** What a restart from a snapshot keeps: state and window, not totals or trials in flight. */
  restart(): void {
    this.phase++;
    this.inFlight = 0;
    this.successes = 0;
    this.totals = { successes: 0, failures: 0, slowCalls: 0, rejections: 0, ignored: 0, timeouts: 0 };
  }
}
