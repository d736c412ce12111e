import { type FailureWindow, meetsRateRule, Outcome, type RateRule, type WindowCounts, type WindowSnapshot } from './window.js';

/**
 * The last `size` calls in a fixed ring. Running totals are adjusted as the
 * oldest outcome is overwritten, so recording and reading are O(1) whatever
 * the size.
 */
export class CountWindow implements FailureWindow {
  private readonly ring: Uint8Array;
  /** Index the next outcome is written to. */
  private head = 0;
  private filled = 0;
  private failures = 0;
  private slowCalls = 0;

  constructor(
    private readonly size: number,
    private readonly rule: RateRule,
  ) {
    this.ring = new Uint8Array(size);
  }

  record(outcome: Outcome, _nowMs: number): boolean {
    const ring = this.ring;
    const head = this.head;
    if (this.filled === this.size) this.forget(ring[head] as Outcome);
    else this.filled++;
    ring[head] = outcome;
    if (outcome === Outcome.FAILURE) this.failures++;
    else if (outcome === Outcome.SLOW_SUCCESS) this.slowCalls++;
    this.head = head + 1 === this.size ? 0 : head + 1;
    return meetsRateRule(this.rule, this.filled, this.failures, this.slowCalls);
  }

  private forget(outcome: Outcome): void {
    if (outcome === Outcome.FAILURE) this.failures--;
    else if (outcome === Outcome.SLOW_SUCCESS) this.slowCalls--;
  }

  counts(_nowMs: number): WindowCounts {
    return { calls: this.filled, failures: this.failures, slowCalls: this.slowCalls, consecutiveFailures: 0 };
  }

  clear(): void {
    this.ring.fill(0);
    this.head = 0;
    this.filled = 0;
    this.failures = 0;
    this.slowCalls = 0;
  }

  snapshot(): WindowSnapshot {
    const outcomes: Outcome[] = [];
    const start = this.filled === this.size ? this.head : 0;
    for (let i = 0; i < this.filled; i++) outcomes.push(this.ring[(start + i) % this.size] as Outcome);
    return { type: 'count', size: this.size, outcomes };
  }

  restore(snapshot: WindowSnapshot): boolean {
    if (snapshot.type !== 'count' || snapshot.size !== this.size || snapshot.outcomes.length > this.size) return false;
    this.clear();
    for (const outcome of snapshot.outcomes) this.record(outcome, 0);
    return true;
  }
}
