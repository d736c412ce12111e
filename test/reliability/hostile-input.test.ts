import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CONFIG_KEYS } from '../../src/core/config.js';
import { CircuitBreaker, type CircuitBreakerConfig, CircuitBreakerRegistry } from '../../src/index.js';

const hostileValues = [
  undefined,
  null,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  -1,
  0,
  0.5,
  1e308,
  2 ** 53,
  '',
  '5',
  true,
  [],
  {},
  () => {},
  Symbol('s'),
  10n,
  Object.create(null),
  JSON.parse('{"__proto__": {"polluted": true}}'),
  { constructor: { prototype: { polluted: true } } },
  Object.freeze({ type: 'count' }),
];

function outcome(config: unknown): 'accepted' | 'rejected' {
  try {
    const breaker = new CircuitBreaker('hostile', config as CircuitBreakerConfig);
    // Whatever was accepted must work: a call in each direction, stats, a snapshot.
    breaker.execute(() => 1);
    try {
      breaker.execute(() => {
        throw new Error('x');
      });
    } catch {}
    breaker.stats();
    JSON.stringify(breaker);
    return 'accepted';
  } catch (error) {
    expect(error instanceof TypeError || error instanceof RangeError).toBe(true);
    expect((error as Error).message.length).toBeGreaterThan(10);
    return 'rejected';
  }
}

describe('hostile configuration', () => {
  it.each(CONFIG_KEYS.filter((k) => k !== 'initialState'))('every hostile value of "%s" gets a clear error or works', (key) => {
    for (const value of hostileValues) {
      const result = outcome({ [key]: value });
      if (result === 'rejected') {
        let message = '';
        try {
          new CircuitBreaker('hostile', { [key]: value } as CircuitBreakerConfig);
        } catch (error) {
          message = (error as Error).message;
        }
        expect(message).toContain(key);
      }
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('window objects with hostile fields get a clear error or work', () => {
    for (const type of ['consecutive', 'count', 'time', 'other', undefined]) {
      for (const key of ['size', 'minimumCalls', 'failureRateThreshold', 'durationMs', 'buckets', '__proto__', 'constructor']) {
        for (const value of hostileValues) outcome({ window: { type, [key]: value } });
      }
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('fuzz: any config object is either rejected with a TypeError/RangeError or yields a working breaker', () => {
    const configArb = fc.dictionary(
      fc.constantFrom(...CONFIG_KEYS, 'extra', '__proto__'),
      fc.anything({ withNullPrototype: true, withObjectString: true }),
      { maxKeys: 4 },
    );
    fc.assert(
      fc.property(configArb, (config) => {
        outcome(config);
      }),
      { numRuns: 3000 },
    );
    fc.assert(
      fc.property(
        fc.record(
          {
            type: fc.constantFrom('consecutive', 'count', 'time'),
            size: fc.anything(),
            minimumCalls: fc.anything(),
            failureRateThreshold: fc.anything(),
          },
          { requiredKeys: ['type'] },
        ),
        (window) => {
          outcome({ window });
        },
      ),
      { numRuns: 2000 },
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('a frozen config is read, never written', () => {
    const config = Object.freeze({
      failureThreshold: 2,
      window: Object.freeze({ type: 'consecutive' as const }),
      backoff: Object.freeze({ multiplier: 3 }),
    });
    expect(new CircuitBreaker('frozen', config).config.backoff?.multiplier).toBe(3);
  });
});

describe('hostile names', () => {
  it.each([
    ['a 1 MB name', 'x'.repeat(1024 * 1024), 'rejected'],
    ['an empty name', '', 'rejected'],
    ['control characters', 'a\u0000b', 'rejected'],
    ['an ANSI escape', '\u001b[31mred', 'rejected'],
    ['unicode', 'café ☕ 数据库 🚦', 'accepted'],
    ['__proto__', '__proto__', 'accepted'],
    ['constructor', 'constructor', 'accepted'],
    ['HTML', '<img src=x onerror=alert(1)>', 'accepted'],
  ])('%s is %s', (_label, name, expected) => {
    let result = 'accepted';
    try {
      const registry = new CircuitBreakerRegistry();
      const breaker = registry.getOrCreate(name);
      expect(registry.get(name)).toBe(breaker);
      expect(Object.keys(registry.getAllStates())).toEqual([name]);
    } catch (error) {
      expect(error instanceof TypeError || error instanceof RangeError).toBe(true);
      result = 'rejected';
    }
    expect(result).toBe(expected);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('hostile snapshots', () => {
  it('fuzz: a malformed initialState is rejected whole with a TypeError, never half-restored', () => {
    const windowArb = fc.oneof(
      fc.record({
        type: fc.constant('consecutive'),
        calls: fc.constant(3),
        failures: fc.constant(1),
        slowCalls: fc.constant(0),
        consecutiveFailures: fc.constant(1),
      }),
      fc.record({ type: fc.constant('count'), size: fc.nat(200), outcomes: fc.array(fc.constantFrom(0, 1, 2), { maxLength: 5 }) }),
      fc.record({ type: fc.constant('time'), durationMs: fc.constant(10_000), buckets: fc.constant(10), slots: fc.constant([]) }),
    );
    const validArb = fc.oneof(
      fc.record({
        version: fc.constant(1),
        name: fc.constant('snap'),
        state: fc.constantFrom('closed', 'forced_closed', 'disabled'),
        since: fc.integer(),
        window: windowArb,
      }),
      fc.record({
        version: fc.constant(1),
        name: fc.constant('snap'),
        state: fc.constant('open'),
        since: fc.constant(0),
        retryAt: fc.nat(),
        reopenCount: fc.nat(),
        window: windowArb,
      }),
      fc.record({
        version: fc.constant(1),
        name: fc.constant('snap'),
        state: fc.constant('half_open'),
        since: fc.integer(),
        reopenCount: fc.nat(),
        window: windowArb,
      }),
      fc.record({
        version: fc.constant(1),
        name: fc.constant('snap'),
        state: fc.constant('forced_open'),
        since: fc.integer(),
        isolations: fc.nat(),
        window: windowArb,
      }),
    );
    // Half of the cases break one field (or add one) of an otherwise valid snapshot.
    const snapshotArb = fc.oneof(
      validArb,
      fc
        .tuple(
          validArb,
          fc.constantFrom('version', 'name', 'state', 'since', 'retryAt', 'reopenCount', 'isolations', 'generation', 'window', 'extra'),
          fc.anything(),
        )
        .map(([valid, key, value]) => ({ ...valid, [key]: value })),
    );
    let restored = 0;
    fc.assert(
      fc.property(snapshotArb, (snapshot) => {
        let breaker: CircuitBreaker;
        try {
          breaker = new CircuitBreaker('snap', { initialState: snapshot as never });
        } catch (error) {
          expect(error).toBeInstanceOf(TypeError);
          expect((error as Error).message).toMatch(/initialState/);
          return;
        }
        restored++;
        expect(breaker.state).toBe((snapshot as { state: unknown }).state);
        const again = new CircuitBreaker('snap', { initialState: breaker.toJSON() });
        expect(again.toJSON()).toEqual(breaker.toJSON());
      }),
      { numRuns: 5000 },
    );
    expect(restored).toBeGreaterThan(0);
  });
});
