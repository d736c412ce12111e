import type { BreakerStats, StateChangeEvent } from '../../src/index.js';
import type { StatsReport } from './fleet.js';
import { callCount, dim, endpointOf, paintState, pct, RateMeter, statusLine, transitionLine } from './terminal.js';

/**
 * The terminal view of a fleet: per breaker, one line for the fleet (the state the main process follows, with
 * the workers' traffic added up) and one line with each worker's own state, calls per second and failure rate.
 */
export class FleetStatus {
  private readonly meter = new RateMeter();

  /** `fleet`: the main process's breakers (they follow the shared state); `reports`: each worker's latest stats. */
  lines(fleet: readonly BreakerStats[], reports: ReadonlyMap<number, StatsReport>): string[] {
    const now = Date.now();
    const lines: string[] = [];
    for (const shared of fleet) {
      let calls = 0;
      let failures = 0;
      let slow = 0;
      let perSecond = 0;
      let fallbacks = 0;
      const perWorker: string[] = [];
      for (const [worker, report] of [...reports].sort(([a], [b]) => a - b)) {
        const stats = report.breakers.find((breaker) => breaker.name === shared.name);
        if (stats === undefined) continue;
        const rate = this.meter.perSecond(`${worker}|${stats.name}`, callCount(stats), report.at);
        calls += stats.window.calls;
        failures += stats.window.failures;
        slow += stats.window.slowCalls;
        perSecond += rate;
        fallbacks += report.fallbacks[endpointOf(stats.name)] ?? 0;
        perWorker.push(`w${worker} ${paintState(stats.state, 9)} ${rate.toFixed(1).padStart(5)}/s fail ${pct(stats.window.failureRate)}`);
      }
      lines.push(
        statusLine(
          {
            name: shared.name,
            state: shared.state,
            failureRate: calls === 0 ? 0 : failures / calls,
            slowCallRate: calls === 0 ? 0 : slow / calls,
            perSecond,
            fallbacks,
            timeInStateMs: shared.timeInStateMs,
            nextAttemptAt: shared.nextAttemptAt,
          },
          now,
        ),
      );
      lines.push(`    ${perWorker.length === 0 ? dim('no worker report yet') : perWorker.join(dim('  |  '))}`);
    }
    return lines;
  }
}

/** A remote transition within this long of a process's own decision of the same move follows that decision. */
const FOLLOW_WINDOW_MS = 2_000;

type Transition = Pick<StateChangeEvent, 'name' | 'from' | 'to' | 'reason'>;

/**
 * Prints the fleet's transitions, saying which process decided each one. A transition a process made itself
 * (tripped, reset-timeout-elapsed, trials-succeeded, manual, ...) prints at once as "decided by <who>"; the same
 * state applied by the other processes from Redis (reason 'remote') is gathered for `delayMs` into one
 * "followed by ..." line. A remote move no process decided itself was decided by the flush script over the
 * fleet window: "decided in Redis (fleet window)".
 */
export class TransitionLog {
  private readonly pending = new Map<string, { event: Transition; who: string[]; timer: ReturnType<typeof setTimeout> }>();
  /** When a process last decided each `name|to` itself. */
  private readonly decided = new Map<string, number>();

  constructor(
    private readonly print: (line: string) => void,
    private readonly delayMs = 250,
  ) {}

  /** Records a transition of process `who` (`main`, `w1`, ...). */
  record(who: string, event: Transition): void {
    const key = `${event.name}|${event.to}`;
    if (event.reason !== 'remote') {
      this.decided.set(key, Date.now());
      this.print(transitionLine(event, `decided by ${who}`));
      return;
    }
    const entry = this.pending.get(key);
    if (entry !== undefined) {
      entry.who.push(who);
      return;
    }
    const timer = setTimeout(() => this.flush(key), this.delayMs);
    this.pending.set(key, { event, who: [who], timer });
  }

  private flush(key: string): void {
    const entry = this.pending.get(key);
    if (entry === undefined) return;
    this.pending.delete(key);
    clearTimeout(entry.timer);
    const who = entry.who.sort((a, b) => a.localeCompare(b, 'en', { numeric: true })).join(', ');
    // No process moved it itself just before: the flush script found the fleet window over the trip rule.
    const local = this.decided.get(key);
    const byRedis = local === undefined || Date.now() - local > FOLLOW_WINDOW_MS;
    this.print(
      transitionLine(
        entry.event,
        byRedis ? `decided in Redis (fleet window) ${dim(`applied by ${who}`)}` : dim(`followed by ${who} (applied from Redis)`),
      ),
    );
  }

  /** Prints what is pending and clears every timer. */
  close(): void {
    for (const key of [...this.pending.keys()]) this.flush(key);
  }
}
