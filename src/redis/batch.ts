import { Outcome, type ResolvedConfig } from '../index.js';

/**
 * One breaker's outcomes since its last flush, as counts: O(1) per call and
 * bounded memory (at most `buckets` time buckets), however many calls arrive.
 */
export class Batch {
  /** Calls recorded since the last drain. */
  calls = 0;
  private failures = 0;
  private slow = 0;
  /** Failures after the last success of the batch (the consecutive window). */
  private trailing = 0;
  private sawSuccess = false;
  /** Time window only: the bucket being filled and its counts. */
  private bucket = Number.NEGATIVE_INFINITY;
  private bucketCalls = 0;
  private bucketFailures = 0;
  private bucketSlow = 0;
  /** Time window only: finished buckets, as flat groups of bucket, calls, failures, slow. */
  private done: number[] = [];
  readonly kind: ResolvedConfig['window']['type'];
  private readonly bucketWidthMs: number;
  private readonly buckets: number;

  constructor(config: ResolvedConfig) {
    const window = config.window;
    this.kind = window.type;
    this.bucketWidthMs = window.type === 'time' ? window.durationMs / window.buckets : 1;
    this.buckets = window.type === 'time' ? window.buckets : 1;
  }

  /** Counts one outcome. */
  record(outcome: Outcome, nowMs: number): void {
    this.calls++;
    if (outcome === Outcome.FAILURE) {
      this.failures++;
      this.trailing++;
    } else {
      if (outcome === Outcome.SLOW_SUCCESS) this.slow++;
      this.trailing = 0;
      this.sawSuccess = true;
    }
    if (this.kind !== 'time') return;
    const bucket = Math.floor(nowMs / this.bucketWidthMs);
    // A clock that steps back lands in the newest bucket, as in the local time window.
    if (bucket > this.bucket) this.startBucket(bucket);
    this.bucketCalls++;
    if (outcome === Outcome.FAILURE) this.bucketFailures++;
    else if (outcome === Outcome.SLOW_SUCCESS) this.bucketSlow++;
  }

  private startBucket(bucket: number): void {
    if (this.bucketCalls > 0) {
      this.done.push(this.bucket, this.bucketCalls, this.bucketFailures, this.bucketSlow);
      // Buckets older than the window are worthless: keep the memory bounded.
      if (this.done.length > 4 * this.buckets) this.done.splice(0, 4);
    }
    this.bucket = bucket;
    this.bucketCalls = 0;
    this.bucketFailures = 0;
    this.bucketSlow = 0;
  }

  /** The batch as script arguments (ARGV 14 on), and an empty batch from now on. */
  drain(): string[] {
    let args: string[];
    if (this.kind === 'consecutive') {
      args = [this.calls, this.failures, this.slow, this.trailing, this.sawSuccess ? 1 : 0].map(String);
    } else if (this.kind === 'count') {
      args = [this.calls, this.failures, this.slow].map(String);
    } else {
      if (this.bucketCalls > 0) this.done.push(this.bucket, this.bucketCalls, this.bucketFailures, this.bucketSlow);
      args = this.done.map(String);
    }
    this.clear();
    return args;
  }

  /** Forgets the batch (dropped in an outage). */
  clear(): void {
    this.calls = 0;
    this.failures = 0;
    this.slow = 0;
    this.trailing = 0;
    this.sawSuccess = false;
    this.bucketCalls = 0;
    this.bucketFailures = 0;
    this.bucketSlow = 0;
    this.done = [];
  }

  /** The empty batch (a probe) for a window type. */
  static empty(kind: ResolvedConfig['window']['type']): string[] {
    return kind === 'consecutive' ? ['0', '0', '0', '0', '0'] : kind === 'count' ? ['0', '0', '0'] : [];
  }
}
