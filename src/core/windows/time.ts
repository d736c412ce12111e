import { type FailureWindow, meetsRateRule, Outcome, type RateRule, type WindowCounts, type WindowSnapshot } from './window.js';

/**
 * Calls of the last `durationMs`, kept in `buckets` slots of equal width.
 * The window moves lazily: when a call lands in a later bucket, the slots it
 * skipped over are subtracted from the running totals and zeroed. No timer,
 * and O(1) per call (amortised over at most `buckets` slots per move).
 */
export class TimeWindow implements FailureWindow {
  private readonly bucketWidthMs: number;
  /** Absolute bucket number (floor(now / width)) held by each slot. */
  private readonly slotBucket: Float64Array;
  private readonly slotCalls: Float64Array;
  private readonly slotFailures: Float64Array;
  private readonly slotSlow: Float64Array;
  /** Newest bucket number seen; -Infinity before the first call. */
  private headBucket = Number.NEGATIVE_INFINITY;
  private calls = 0;
  private failures = 0;
  private slowCalls = 0;

  constructor(
    private readonly durationMs: number,
    private readonly buckets: number,
    private readonly rule: RateRule,
  ) {
    this.bucketWidthMs = durationMs / buckets;
    this.slotBucket = new Float64Array(buckets).fill(-1);
    this.slotCalls = new Float64Array(buckets);
    this.slotFailures = new Float64Array(buckets);
    this.slotSlow = new Float64Array(buckets);
  }

  record(outcome: Outcome, nowMs: number): boolean {
    let bucket = Math.floor(nowMs / this.bucketWidthMs);
    if (bucket > this.headBucket) this.advanceTo(bucket);
    // A clock that stepped backwards lands in the newest bucket rather than corrupting an old one.
    else bucket = this.headBucket;
    const slot = bucket % this.buckets;
    (this.slotCalls[slot] as number)++;
    this.calls++;
    if (outcome === Outcome.FAILURE) {
      (this.slotFailures[slot] as number)++;
      this.failures++;
    } else if (outcome === Outcome.SLOW_SUCCESS) {
      (this.slotSlow[slot] as number)++;
      this.slowCalls++;
    }
    return meetsRateRule(this.rule, this.calls, this.failures, this.slowCalls);
  }

  private advanceTo(bucket: number): void {
    if (bucket - this.headBucket >= this.buckets) {
      this.clear();
    } else {
      for (let b = this.headBucket + 1; b <= bucket; b++) this.emptySlot(b % this.buckets);
    }
    this.headBucket = bucket;
    this.slotBucket[bucket % this.buckets] = bucket;
  }

  private emptySlot(slot: number): void {
    this.calls -= this.slotCalls[slot] as number;
    this.failures -= this.slotFailures[slot] as number;
    this.slowCalls -= this.slotSlow[slot] as number;
    this.slotCalls[slot] = 0;
    this.slotFailures[slot] = 0;
    this.slotSlow[slot] = 0;
    this.slotBucket[slot] = -1;
  }

  counts(nowMs: number): WindowCounts {
    const bucket = Math.floor(nowMs / this.bucketWidthMs);
    if (bucket > this.headBucket) this.advanceTo(bucket);
    return { calls: this.calls, failures: this.failures, slowCalls: this.slowCalls, consecutiveFailures: 0 };
  }

  clear(): void {
    this.headBucket = Number.NEGATIVE_INFINITY;
    this.slotBucket.fill(-1);
    this.slotCalls.fill(0);
    this.slotFailures.fill(0);
    this.slotSlow.fill(0);
    this.calls = 0;
    this.failures = 0;
    this.slowCalls = 0;
  }

  snapshot(): WindowSnapshot {
    const slots: { bucket: number; calls: number; failures: number; slowCalls: number }[] = [];
    for (let slot = 0; slot < this.buckets; slot++) {
      const calls = this.slotCalls[slot] as number;
      if (calls === 0) continue;
      slots.push({
        bucket: this.slotBucket[slot] as number,
        calls,
        failures: this.slotFailures[slot] as number,
        slowCalls: this.slotSlow[slot] as number,
      });
    }
    slots.sort((a, b) => a.bucket - b.bucket);
    return { type: 'time', durationMs: this.durationMs, buckets: this.buckets, slots };
  }

  restore(snapshot: WindowSnapshot): boolean {
    if (snapshot.type !== 'time' || snapshot.durationMs !== this.durationMs || snapshot.buckets !== this.buckets) return false;
    const newest = snapshot.slots.reduce((max, s) => Math.max(max, s.bucket), Number.NEGATIVE_INFINITY);
    this.clear();
    for (const { bucket, calls, failures, slowCalls } of snapshot.slots) {
      if (newest - bucket >= this.buckets) continue; // already outside the window
      const slot = bucket % this.buckets;
      this.slotBucket[slot] = bucket;
      this.slotCalls[slot] = calls;
      this.slotFailures[slot] = failures;
      this.slotSlow[slot] = slowCalls;
      this.calls += calls;
      this.failures += failures;
      this.slowCalls += slowCalls;
    }
    this.headBucket = newest;
    return true;
  }
}
