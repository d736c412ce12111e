import { type FailureWindow, Outcome, type WindowCounts, type WindowSnapshot } from './window.js';

/**
 * The seed's rule: the circuit trips after `failureThreshold` failures in a
 * row; any success (slow or not) starts the count again.
 */
export class ConsecutiveWindow implements FailureWindow {
  private calls = 0;
  private failures = 0;
  private slowCalls = 0;
  private consecutiveFailures = 0;

  constructor(private readonly failureThreshold: number) {}

  record(outcome: Outcome, _nowMs: number): boolean {
    this.calls++;
    if (outcome === Outcome.FAILURE) {
      this.failures++;
      return ++this.consecutiveFailures >= this.failureThreshold;
    }
    if (outcome === Outcome.SLOW_SUCCESS) this.slowCalls++;
    this.consecutiveFailures = 0;
    return false;
  }

  counts(_nowMs: number): WindowCounts {
    return { calls: this.calls, failures: this.failures, slowCalls: this.slowCalls, consecutiveFailures: this.consecutiveFailures };
  }

  clear(): void {
    this.calls = 0;
    this.failures = 0;
    this.slowCalls = 0;
    this.consecutiveFailures = 0;
  }

  snapshot(): WindowSnapshot {
    return { type: 'consecutive', ...this.counts(0) };
  }

  restore(snapshot: WindowSnapshot): boolean {
    if (snapshot.type !== 'consecutive') return false;
    this.calls = snapshot.calls;
    this.failures = snapshot.failures;
    this.slowCalls = snapshot.slowCalls;
    this.consecutiveFailures = snapshot.consecutiveFailures;
    return true;
  }
}
