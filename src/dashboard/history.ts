import type { BreakerStats } from '../index.js';

/** Per-second rates of one breaker over one sampling interval. */
export interface RateSample {
  /** Server time (ms since epoch) at the end of the interval. */
  readonly t: number;
  /** Calls per second (successes, failures, rejections and ignored). */
  readonly calls: number;
  /** Failures per second. */
  readonly failures: number;
  /** Slow calls per second. */
  readonly slow: number;
  /** Rejections per second. */
  readonly rejected: number;
}

type Totals = BreakerStats['totals'];

/** The recent rates of every breaker, `size` samples each, computed from the differences of their totals. */
export class RateHistory {
  private readonly samples = new Map<string, RateSample[]>();
  private readonly last = new Map<string, { totals: Totals; at: number }>();

  constructor(private readonly size: number) {}

  /** Records the totals of every breaker at `at`; forgets breakers no longer listed. Returns the new sample per breaker. */
  record(stats: readonly { readonly name: string; readonly totals: Totals }[], at: number): Map<string, RateSample> {
    const added = new Map<string, RateSample>();
    const present = new Set<string>();
    for (const { name, totals } of stats) {
      present.add(name);
      const previous = this.last.get(name);
      this.last.set(name, { totals, at });
      // The first sight of a breaker, or totals that went down (a new breaker of the same name), only sets the baseline.
      if (previous === undefined || at <= previous.at || count(totals) < count(previous.totals)) continue;
      const seconds = (at - previous.at) / 1000;
      const rate = (now: number, before: number) => Math.max(0, now - before) / seconds;
      const sample: RateSample = {
        t: at,
        calls: rate(count(totals), count(previous.totals)),
        failures: rate(totals.failures, previous.totals.failures),
        slow: rate(totals.slowCalls, previous.totals.slowCalls),
        rejected: rate(totals.rejections, previous.totals.rejections),
      };
      const list = this.samples.get(name) ?? [];
      list.push(sample);
      if (list.length > this.size) list.splice(0, list.length - this.size);
      this.samples.set(name, list);
      added.set(name, sample);
    }
    for (const name of [...this.last.keys()]) {
      if (!present.has(name)) {
        this.last.delete(name);
        this.samples.delete(name);
      }
    }
    return added;
  }

  /** Forgets the baselines (after a pause in sampling), keeping the samples. */
  pause(): void {
    this.last.clear();
  }

  /** Every breaker's samples, oldest first. */
  all(): Record<string, RateSample[]> {
    return Object.fromEntries(this.samples);
  }
}

function count(totals: Totals): number {
  return totals.successes + totals.failures + totals.rejections + totals.ignored;
}
