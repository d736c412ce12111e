import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type BreakerSnapshot, CircuitBreaker } from '../../src/index.js';
import { boom, ManualClock } from '../support/clock.js';

describe('snapshot and restore', () => {
  it('toJSON is plain JSON that initialState restores: an open circuit stays open across a restart', () => {
    const clock = new ManualClock(0);
    const breaker = new CircuitBreaker('db', { clock, failureThreshold: 1, resetTimeoutMs: 1000, backoff: { multiplier: 2 } });
    expect(() => breaker.execute(() => boom())).toThrow();
    const saved = JSON.parse(JSON.stringify(breaker)) as BreakerSnapshot;
    expect(saved).toMatchObject({ version: 1, name: 'db', state: 'open', since: 0, retryAt: 1000, reopenCount: 0 });
    clock.advance(500);
    const restarted = new CircuitBreaker('db', { clock, failureThreshold: 1, resetTimeoutMs: 1000, initialState: saved });
    expect(restarted.state).toBe('open');
    expect(() => restarted.execute(() => 1)).toThrow(/open/);
    clock.advance(500);
    expect(restarted.execute(() => 1)).toBe(1);
    expect(restarted.state).toBe('closed');
  });

  it('round-trips every window type and manual states', () => {
    for (const window of [
      { type: 'consecutive' },
      { type: 'count', size: 5, minimumCalls: 5 },
      { type: 'time', minimumCalls: 50 },
    ] as const) {
      const clock = new ManualClock(0);
      const breaker = new CircuitBreaker('w', { clock, window });
      for (let i = 0; i < 3; i++) breaker.execute(() => 1);
      expect(() => breaker.execute(() => boom())).toThrow();
      breaker.disable();
      const copy = new CircuitBreaker('w', { clock, window, initialState: breaker.toJSON() });
      expect(copy.toJSON()).toEqual(breaker.toJSON());
      expect(copy.stats().window).toEqual(breaker.stats().window);
      expect(copy.state).toBe('disabled');
    }
  });

  it('a snapshot of another window shape restores the state with an empty window', () => {
    const source = new CircuitBreaker('db', { window: { type: 'count', size: 5 } });
    source.execute(() => 1);
    const restored = new CircuitBreaker('db', { initialState: source.toJSON() });
    expect(restored.state).toBe('closed');
    expect(restored.stats().window.calls).toBe(0);
  });

  it.each([
    ['not an object', 'open', /option "initialState" must be an object/],
    ['wrong version', { version: 2 }, /"version" must be 1/],
    [
      'another breaker',
      {
        version: 1,
        name: 'other',
        state: 'closed',
        since: 0,
        window: { type: 'consecutive', calls: 0, failures: 0, slowCalls: 0, consecutiveFailures: 0 },
      },
      /belongs to breaker "other"/,
    ],
    ['unknown state', { version: 1, name: 'db', state: 'ajar', since: 0 }, /"state"/],
    [
      'open without retryAt',
      {
        version: 1,
        name: 'db',
        state: 'open',
        since: 0,
        reopenCount: 0,
        window: { type: 'consecutive', calls: 0, failures: 0, slowCalls: 0, consecutiveFailures: 0 },
      },
      /"retryAt"/,
    ],
    ['unknown field', { version: 1, name: 'db', state: 'closed', since: 0, extra: 1 }, /unknown field "extra"/],
    [
      'negative counts',
      {
        version: 1,
        name: 'db',
        state: 'closed',
        since: 0,
        window: { type: 'consecutive', calls: -1, failures: 0, slowCalls: 0, consecutiveFailures: 0 },
      },
      /window.calls/,
    ],
    [
      'bad outcome',
      { version: 1, name: 'db', state: 'closed', since: 0, window: { type: 'count', size: 2, outcomes: [7] } },
      /unknown outcome 7/,
    ],
  ])('rejects a malformed snapshot (%s) with a clear error', (_label, snapshot, message) => {
    expect(() => new CircuitBreaker('db', { initialState: snapshot as never })).toThrow(message);
  });

  it('never half-restores: any snapshot is either restored exactly or rejected (fuzz)', () => {
    const valid = new CircuitBreaker('db').toJSON();
    fc.assert(
      fc.property(
        fc.anything(),
        fc.constantFrom('version', 'name', 'state', 'since', 'retryAt', 'reopenCount', 'window', 'isolations'),
        (value, key) => {
          const mutated = { ...valid, [key]: value };
          let breaker: CircuitBreaker | undefined;
          try {
            breaker = new CircuitBreaker('db', { initialState: mutated as never });
          } catch (error) {
            expect(error).toBeInstanceOf(TypeError);
            return;
          }
          expect(breaker.toJSON().state).toBe(mutated.state);
        },
      ),
      { numRuns: 500 },
    );
  });
});
