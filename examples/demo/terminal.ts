import type { BreakerStats, CircuitState, StateChangeEvent } from '../../src/index.js';

const useColour = process.stdout.isTTY === true && process.env.NO_COLOR === undefined;
const paint = (code: number, text: string) => (useColour ? `\x1b[${code}m${text}\x1b[0m` : text);

/** Terminal colour of each state. */
const STATE_COLOURS: Record<CircuitState, number> = {
  closed: 32,
  open: 31,
  half_open: 33,
  forced_open: 35,
  forced_closed: 34,
  disabled: 90,
};

/** A state name, padded to `width` and coloured. */
export function paintState(state: CircuitState, width = 13): string {
  return paint(STATE_COLOURS[state], state.toUpperCase().padEnd(width));
}

/** Bold text (when colours are on). */
export const bold = (text: string) => paint(1, text);
/** Dim text (when colours are on). */
export const dim = (text: string) => paint(2, text);

/** One line for a state change, coloured by the new state; `note` says which process decided or followed it. */
export function transitionLine(event: Pick<StateChangeEvent, 'name' | 'from' | 'to' | 'reason'>, note?: string): string {
  const time = new Date().toISOString().slice(11, 19);
  const line = `${dim(time)} ${bold(event.name.padEnd(26))} ${paint(STATE_COLOURS[event.from], event.from)} -> ${paint(STATE_COLOURS[event.to], event.to)} ${dim(`(${event.reason})`)}`;
  return note === undefined ? line : `${line} ${note}`;
}

/** Calls a breaker has seen: successes, failures, rejections and ignored. */
export function callCount(stats: BreakerStats): number {
  return stats.totals.successes + stats.totals.failures + stats.totals.rejections + stats.totals.ignored;
}

/** Per-second rates from growing counters, one per key, since the previous reading of that key. */
export class RateMeter {
  private readonly last = new Map<string, { count: number; at: number }>();

  /** The rate of `key` between its previous reading and this one (`count` at `at`); 0 on the first reading. */
  perSecond(key: string, count: number, at: number): number {
    const last = this.last.get(key);
    this.last.set(key, { count, at });
    return last === undefined || at <= last.at || count < last.count ? 0 : ((count - last.count) * 1000) / (at - last.at);
  }
}

/** What one status line shows. */
export interface StatusValues {
  readonly name: string;
  readonly state: CircuitState;
  readonly failureRate: number;
  readonly slowCallRate: number;
  readonly perSecond: number;
  readonly fallbacks: number;
  readonly timeInStateMs: number;
  /** OPEN only: when a trial call is allowed. */
  readonly nextAttemptAt: number | undefined;
}

/** One compact status line: state, window rates, calls per second, fallbacks, time in state. */
export function statusLine(values: StatusValues, now = Date.now()): string {
  const retry = values.nextAttemptAt === undefined ? '' : ` retry in ${(Math.max(0, values.nextAttemptAt - now) / 1000).toFixed(1)}s`;
  return [
    bold(values.name.padEnd(26)),
    paintState(values.state),
    `fail ${pct(values.failureRate)}`,
    `slow ${pct(values.slowCallRate)}`,
    `${values.perSecond.toFixed(1).padStart(5)} calls/s`,
    `fallbacks ${String(values.fallbacks).padStart(5)}`,
    dim(`in state ${(values.timeInStateMs / 1000).toFixed(0)}s${retry}`),
  ].join('  ');
}

/** The endpoint of a breaker named `upstream:<endpoint>`. */
export const endpointOf = (name: string): string => name.slice(name.indexOf(':') + 1);

/** Compact live lines, one per breaker of this process: state, window rates, calls per second since the last report, time in state. */
export class StatusLines {
  private readonly meter = new RateMeter();

  lines(breakers: readonly BreakerStats[], fallbacks: ReadonlyMap<string, number>): string[] {
    const now = Date.now();
    return breakers.map((stats) =>
      statusLine(
        {
          name: stats.name,
          state: stats.state,
          failureRate: stats.window.failureRate,
          slowCallRate: stats.window.slowCallRate,
          perSecond: this.meter.perSecond(stats.name, callCount(stats), now),
          fallbacks: fallbacks.get(endpointOf(stats.name)) ?? 0,
          timeInStateMs: stats.timeInStateMs,
          nextAttemptAt: stats.nextAttemptAt,
        },
        now,
      ),
    );
  }
}

/** A ratio as a padded percentage. */
export function pct(ratio: number): string {
  return `${Math.round(ratio * 100)}%`.padStart(4);
}
