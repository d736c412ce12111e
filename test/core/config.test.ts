import { describe, expect, it } from 'vitest';
import { CircuitBreaker, type CircuitBreakerConfig } from '../../src/index.js';

const make = (config: unknown) => () => new CircuitBreaker('db', config as CircuitBreakerConfig);

describe('bad input gets a clear error naming the option and the value', () => {
  const cases: [string, unknown, ErrorConstructor, RegExp][] = [
    ['negative failureThreshold', { failureThreshold: -1 }, RangeError, /"failureThreshold".*-1/],
    ['NaN failureThreshold', { failureThreshold: Number.NaN }, RangeError, /"failureThreshold".*NaN/],
    ['fractional failureThreshold', { failureThreshold: 2.5 }, RangeError, /"failureThreshold".*integer.*2\.5/],
    ['string failureThreshold', { failureThreshold: '5' }, TypeError, /"failureThreshold".*"5"/],
    ['zero successThreshold', { successThreshold: 0 }, RangeError, /"successThreshold".*0/],
    ['negative resetTimeoutMs', { resetTimeoutMs: -5 }, RangeError, /"resetTimeoutMs".*-5/],
    ['Infinity resetTimeoutMs', { resetTimeoutMs: Number.POSITIVE_INFINITY }, RangeError, /"resetTimeoutMs".*Infinity/],
    ['huge resetTimeoutMs', { resetTimeoutMs: 1e20 }, RangeError, /"resetTimeoutMs"/],
    ['zero halfOpenMaxCalls', { halfOpenMaxCalls: 0 }, RangeError, /"halfOpenMaxCalls"/],
    ['rate above 1', { window: { type: 'count', failureRateThreshold: 1.5 } }, RangeError, /"window.failureRateThreshold".*1\.5/],
    ['negative rate', { window: { type: 'time', failureRateThreshold: -0.1 } }, RangeError, /"window.failureRateThreshold".*-0\.1/],
    ['unknown window type', { window: { type: 'sliding' } }, TypeError, /"window.type".*"sliding"/],
    ['window not an object', { window: 'count' }, TypeError, /"window".*"count"/],
    ['zero window size', { window: { type: 'count', size: 0 } }, RangeError, /"window.size".*0/],
    ['minimumCalls above size', { window: { type: 'count', size: 5, minimumCalls: 6 } }, RangeError, /"window.minimumCalls".*6/],
    ['unknown window key', { window: { type: 'count', sizee: 5 } }, TypeError, /unknown option "sizee"/],
    ['buckets narrower than 1 ms', { window: { type: 'time', durationMs: 5, buckets: 10 } }, RangeError, /"window.buckets"/],
    ['non-function fallback', { fallback: 'cached' }, TypeError, /"fallback".*"cached"/],
    ['unknown option key', { failureTreshold: 3 }, TypeError, /unknown option "failureTreshold"/],
    [
      'failureThreshold with a rate window',
      { failureThreshold: 3, window: { type: 'count' } },
      RangeError,
      /"failureThreshold".*consecutive/,
    ],
    ['slowCallRateThreshold alone', { slowCallRateThreshold: 0.5 }, RangeError, /"slowCallRateThreshold".*slowCallThresholdMs/],
    [
      'slow rate above 1',
      { slowCallThresholdMs: 10, slowCallRateThreshold: 2, window: { type: 'count' } },
      RangeError,
      /"slowCallRateThreshold".*2/,
    ],
    ['recordErrors as a bare class', { recordErrors: TypeError }, TypeError, /"recordErrors".*\[TypeError\]/],
    ['recordErrors entry not a class', { recordErrors: ['Error'] }, TypeError, /"recordErrors\[0\]".*"Error"/],
    ['clock without now', { clock: {} }, TypeError, /"clock.now"/],
    ['logger missing a method', { logger: { info() {} } }, TypeError, /"logger.debug"/],
    ['config not an object', 'fast', TypeError, /"config".*"fast"/],
    ['backoff multiplier below 1', { backoff: { multiplier: 0.5 } }, RangeError, /"backoff.multiplier".*0\.5/],
    [
      'backoff max below reset timeout',
      { resetTimeoutMs: 1000, backoff: { maxResetTimeoutMs: 10 } },
      RangeError,
      /"backoff.maxResetTimeoutMs".*10/,
    ],
    ['bad jitter', { backoff: { jitter: 'some' } }, TypeError, /"backoff.jitter".*"some"/],
    ['callTimeoutMs zero', { callTimeoutMs: 0 }, RangeError, /"callTimeoutMs".*0/],
    ['autoTransition not boolean', { autoTransition: 'yes' }, TypeError, /"autoTransition".*"yes"/],
  ];
  it.each(cases)('%s', (_label, config, errorType, message) => {
    expect(make(config)).toThrow(errorType);
    expect(make(config)).toThrow(message);
  });

  it.each([
    ['empty', '', RangeError],
    ['not a string', 42, TypeError],
    ['too long', 'x'.repeat(1025), RangeError],
    ['control characters', 'db\nINFO forged log line', RangeError],
  ])('rejects a name that is %s', (_label, name, errorType) => {
    expect(() => new CircuitBreaker(name as string)).toThrow(errorType);
  });

  it('accepts unicode names and a name of __proto__', () => {
    expect(new CircuitBreaker('数据库 🚦').name).toBe('数据库 🚦');
    expect(new CircuitBreaker('__proto__').name).toBe('__proto__');
  });

  it('never mutates the caller config and freezes its own copy', () => {
    const window = { type: 'count' as const, size: 10 };
    const config = Object.freeze({ resetTimeoutMs: 100, window: Object.freeze(window) });
    const breaker = new CircuitBreaker('db', config);
    expect(config).toEqual({ resetTimeoutMs: 100, window: { type: 'count', size: 10 } });
    expect(Object.isFrozen(breaker.config)).toBe(true);
    expect(breaker.config.window).toEqual({ type: 'count', size: 10, minimumCalls: 10, failureRateThreshold: 0.5 });
  });

  it('ignores inherited keys: a polluted prototype never becomes an option', () => {
    const config = Object.create({ failureThreshold: -1 }) as CircuitBreakerConfig;
    expect(new CircuitBreaker('db', config).config.failureThreshold).toBe(5);
    const parsed = JSON.parse('{"__proto__": {"failureThreshold": 1}}') as CircuitBreakerConfig;
    expect(make(parsed)).toThrow(/unknown option "__proto__"/);
    expect(({} as Record<string, unknown>).failureThreshold).toBeUndefined();
  });

  it('fills in the documented defaults', () => {
    const { config } = new CircuitBreaker('db');
    expect(config).toMatchObject({
      failureThreshold: 5,
      successThreshold: 1,
      resetTimeoutMs: 30_000,
      halfOpenMaxCalls: 1,
      maxHalfOpenWaitMs: 60_000,
      window: { type: 'consecutive' },
      slowCallThresholdMs: undefined,
      callTimeoutMs: undefined,
      backoff: undefined,
      autoTransition: false,
    });
  });

  it('wrap, execute and on reject non-functions and unknown events', () => {
    const breaker = new CircuitBreaker('db');
    expect(() => breaker.wrap(42 as never)).toThrow(/wrap\(fn\): fn must be a function, got 42/);
    expect(() => breaker.execute(null as never)).toThrow(/execute\(fn\).*null/);
    expect(() => breaker.on('explode' as never, (() => {}) as never)).toThrow(/unknown event "explode"/);
    expect(() => breaker.on('success', 'x' as never)).toThrow(/listener must be a function/);
  });
});

describe('null is a bad value, never a request for the default', () => {
  it.each(['failureThreshold', 'successThreshold', 'resetTimeoutMs', 'halfOpenMaxCalls', 'maxHalfOpenWaitMs'])('%s: null', (key) => {
    expect(() => new CircuitBreaker('db', { [key]: null } as never)).toThrow(new RegExp(`"${key}".*null`));
  });
  it('window and backoff fields: null', () => {
    expect(() => new CircuitBreaker('db', { window: { type: 'count', size: null } } as never)).toThrow(/"window.size".*null/);
    expect(() => new CircuitBreaker('db', { backoff: { multiplier: null } } as never)).toThrow(/"backoff.multiplier".*null/);
  });
});

describe('an option named as in the seed or another library gets a pointer to the right one', () => {
  it.each([
    ['timeout', /did you mean "resetTimeoutMs" .* or "callTimeoutMs"/],
    ['exception_types', /did you mean "recordErrors"/],
    ['errorThresholdPercentage', /did you mean "window.failureRateThreshold"/],
    ['volumeThreshold', /did you mean "window.minimumCalls"/],
  ])('%s', (key, hint) => {
    expect(() => new CircuitBreaker('db', { [key]: 1 } as never)).toThrow(hint);
  });
});
