import type { CircuitBreaker, CircuitState, StateChangeEvent } from '../../src/index.js';

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

/** A state name, padded and coloured. */
export function paintState(state: CircuitState): string {
  return paint(STATE_COLOURS[state], state.toUpperCase().padEnd(13));
}

/** Bold text (when colours are on). */
export const bold = (text: string) => paint(1, text);
/** Dim text (when colours are on). */
export const dim = (text: string) => paint(2, text);

/** One line for a state change, coloured by the new state. */
export function transitionLine(event: StateChangeEvent): string {
  const time = new Date().toISOString().slice(11, 19);
  return `${dim(time)} ${bold(event.name.padEnd(26))} ${paint(STATE_COLOURS[event.from], event.from)} -> ${paint(STATE_COLOURS[event.to], event.to)} ${dim(`(${event.reason})`)}`;
}

/** Compact live lines, one per breaker: state, window rates, calls per second since the last report, time in state. */
export class StatusLines {
  private readonly lastCalls = new Map<string, { calls: number; at: number }>();

  lines(breakers: readonly CircuitBreaker[], fallbacks: ReadonlyMap<string, number>): string[] {
    const now = Date.now();
    return breakers.map((breaker) => {
      const stats = breaker.stats();
      const calls = stats.totals.successes + stats.totals.failures + stats.totals.rejections + stats.totals.ignored;
      const last = this.lastCalls.get(breaker.name);
      this.lastCalls.set(breaker.name, { calls, at: now });
      const perSecond = last === undefined || now <= last.at ? 0 : ((calls - last.calls) * 1000) / (now - last.at);
      const key = breaker.name.slice(breaker.name.indexOf(':') + 1);
      const retry = stats.nextAttemptAt === undefined ? '' : ` retry in ${(Math.max(0, stats.nextAttemptAt - now) / 1000).toFixed(1)}s`;
      return [
        bold(breaker.name.padEnd(26)),
        paintState(stats.state),
        `fail ${pct(stats.window.failureRate)}`,
        `slow ${pct(stats.window.slowCallRate)}`,
        `${perSecond.toFixed(1).padStart(5)} calls/s`,
        `fallbacks ${String(fallbacks.get(key) ?? 0).padStart(5)}`,
        dim(`in state ${(stats.timeInStateMs / 1000).toFixed(0)}s${retry}`),
      ].join('  ');
    });
  }
}

function pct(ratio: number): string {
  return `${Math.round(ratio * 100)}%`.padStart(4);
}
