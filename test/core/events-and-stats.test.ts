import { describe, expect, it, vi } from 'vitest';
import { CircuitBreaker, type StateChangeEvent } from '../../src/index.js';
import { boom, ManualClock } from '../support/clock.js';

describe('events', () => {
  it('emit typed payloads for each outcome, frozen', async () => {
    const clock = new ManualClock(0);
    const breaker = new CircuitBreaker('api', { clock, failureThreshold: 1, ignoreErrors: [RangeError] });
    const log: string[] = [];
    breaker.on('success', (e) => log.push(`success ${e.durationMs}`));
    breaker.on('failure', (e) => log.push(`failure ${e.reason} ${(e.error as Error).message}`));
    breaker.on('ignored', (e) => log.push(`ignored ${(e.error as Error).message}`));
    breaker.on('rejected', (e) => log.push(`rejected ${e.error.breakerName}`));
    let change: StateChangeEvent | undefined;
    breaker.on('stateChange', (e) => {
      change = e;
    });
    breaker.execute(() => {
      clock.advance(7);
      return 1;
    });
    expect(() =>
      breaker.execute(() => {
        throw new RangeError('not counted');
      }),
    ).toThrow();
    expect(() => breaker.execute(() => boom('down'))).toThrow();
    expect(() => breaker.execute(() => 1)).toThrow();
    expect(log).toEqual(['success 7', 'ignored not counted', 'failure error down', 'rejected api']);
    expect(change).toEqual({ name: 'api', from: 'closed', to: 'open', reason: 'tripped', at: 7 });
    expect(Object.isFrozen(change)).toBe(true);
  });

  it('on() returns an unsubscribe function', () => {
    const breaker = new CircuitBreaker('api');
    const listener = vi.fn();
    const off = breaker.on('success', listener);
    breaker.execute(() => 1);
    off();
    off();
    breaker.execute(() => 1);
    expect(listener).toHaveBeenCalledTimes(1);
  });

  it('a throwing listener never breaks a call and is logged; the other listeners still run', () => {
    const logger = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };
    const breaker = new CircuitBreaker('api', { failureThreshold: 1, logger });
    const after = vi.fn();
    breaker.on('failure', () => {
      throw new Error('listener bug');
    });
    breaker.on('stateChange', () => {
      throw new Error('listener bug');
    });
    breaker.on('failure', after);
    expect(() => breaker.execute(() => boom('real'))).toThrow('real');
    expect(breaker.state).toBe('open');
    expect(after).toHaveBeenCalledTimes(1);
    expect(logger.error).toHaveBeenCalledTimes(2);
  });

  it('a listener that changes the state during a transition leaves the breaker consistent', () => {
    const clock = new ManualClock(0);
    const breaker = new CircuitBreaker('api', { clock, failureThreshold: 1, resetTimeoutMs: 10 });
    breaker.on('stateChange', ({ to }) => {
      if (to === 'half_open') breaker.forceOpen();
    });
    expect(() => breaker.execute(() => boom())).toThrow();
    clock.advance(10);
    expect(() => breaker.execute(() => 1)).toThrow(/forced_open/);
    expect(breaker.state).toBe('forced_open');
    expect(breaker.stats().halfOpenInFlight).toBe(0);
  });

  it('logs transitions through the configured logger', () => {
    const logger = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };
    const breaker = new CircuitBreaker('api', { failureThreshold: 1, logger });
    expect(() => breaker.execute(() => boom())).toThrow();
    expect(logger.info).toHaveBeenCalledWith(
      'tripswitch: circuit "api" closed -> open (tripped)',
      expect.objectContaining({ breaker: 'api', to: 'open' }),
    );
  });
});

describe('stats()', () => {
  it('reports state, window counts and rates, totals, time in state and next attempt', () => {
    const clock = new ManualClock(0);
    const breaker = new CircuitBreaker('api', { clock, resetTimeoutMs: 1000, window: { type: 'count', size: 10, minimumCalls: 4 } });
    breaker.execute(() => 1);
    breaker.execute(() => 1);
    expect(() => breaker.execute(() => boom())).toThrow();
    expect(breaker.stats()).toMatchObject({
      name: 'api',
      state: 'closed',
      window: { type: 'count', calls: 3, failures: 1, failureRate: 1 / 3 },
      totals: { successes: 2, failures: 1, rejections: 0 },
      nextAttemptAt: undefined,
    });
    expect(() => breaker.execute(() => boom())).toThrow();
    clock.advance(250);
    expect(() => breaker.execute(() => 1)).toThrow();
    expect(breaker.stats()).toMatchObject({
      state: 'open',
      stateSince: 0,
      timeInStateMs: 250,
      nextAttemptAt: 1000,
      totals: { rejections: 1 },
    });
  });
});

describe('durations', () => {
  it('a call that started before anyone listened reports a duration of 0, not the clock time', async () => {
    const clock = new ManualClock(5_000_000);
    const breaker = new CircuitBreaker('api', { clock });
    let release!: () => void;
    const pending = breaker.execute(() => new Promise<void>((resolve) => (release = resolve)));
    const durations: number[] = [];
    breaker.on('success', (e) => durations.push(e.durationMs));
    clock.advance(30);
    release();
    await pending;
    expect(durations).toEqual([0]);
  });
});
