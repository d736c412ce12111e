import { afterEach, describe, expect, it } from 'vitest';
import { CircuitBreaker, CircuitBreakerRegistry, ErrorCode, isServiceException } from '../../src/index.js';
import { boom, ManualClock } from '../support/clock.js';

describe('registry statics on CircuitBreaker (the seed class methods)', () => {
  afterEach(() => {
    for (const name of ['static-a', 'static-b']) CircuitBreaker.get(name)?.reset();
  });

  it('getOrCreate creates once and get finds it', () => {
    expect(CircuitBreaker.get('static-a')).toBeUndefined();
    const a = CircuitBreaker.getOrCreate('static-a', { failureThreshold: 1 });
    expect(CircuitBreaker.getOrCreate('static-a')).toBe(a);
    expect(CircuitBreaker.get('static-a')).toBe(a);
  });

  it('getAllStates is a plain object name -> state, and resetAll closes every breaker', () => {
    const a = CircuitBreaker.getOrCreate('static-a', { failureThreshold: 1 });
    const b = CircuitBreaker.getOrCreate('static-b');
    expect(() => a.execute(() => boom())).toThrow();
    expect(CircuitBreaker.getAllStates()).toMatchObject({ 'static-a': 'open', 'static-b': 'closed' });
    CircuitBreaker.resetAll();
    expect(a.state).toBe('closed');
    expect(b.state).toBe('closed');
  });

  it('new CircuitBreaker() is standalone: it is not registered', () => {
    new CircuitBreaker('standalone');
    expect(CircuitBreaker.get('standalone')).toBeUndefined();
  });
});

describe('CircuitBreakerRegistry', () => {
  it('holds its own breakers, separate from the default registry', () => {
    const registry = new CircuitBreakerRegistry();
    const db = registry.getOrCreate('db');
    expect(registry.get('db')).toBe(db);
    expect(CircuitBreaker.get('db')).toBeUndefined();
    expect(registry.getAllStates()).toEqual({ db: 'closed' });
    expect(registry.size).toBe(1);
    expect([...registry]).toEqual([db]);
  });

  it('getOrCreate with a different config throws CONFIG_CONFLICT naming the differing options', () => {
    const registry = new CircuitBreakerRegistry();
    registry.getOrCreate('db', { failureThreshold: 3, window: { type: 'consecutive' } });
    expect(registry.getOrCreate('db', { failureThreshold: 3, window: { type: 'consecutive' } })).toBe(registry.get('db'));
    let caught: unknown;
    try {
      registry.getOrCreate('db', { failureThreshold: 4 });
    } catch (error) {
      caught = error;
    }
    expect(isServiceException(caught) && caught.code).toBe(ErrorCode.CONFIG_CONFLICT);
    expect((caught as Error).message).toMatch(/differs in: failureThreshold, window/);
  });

  it('applies registry defaults under each breaker config', () => {
    const registry = new CircuitBreakerRegistry({ defaults: { resetTimeoutMs: 5000, failureThreshold: 2 } });
    expect(registry.getOrCreate('a', { failureThreshold: 9 }).config).toMatchObject({ resetTimeoutMs: 5000, failureThreshold: 9 });
  });

  it('names like __proto__ are ordinary keys', () => {
    const registry = new CircuitBreakerRegistry();
    registry.getOrCreate('__proto__');
    const states = registry.getAllStates();
    expect(Object.keys(states)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(states)).toBe(Object.prototype);
  });

  it('emits add and remove, and register/delete manage standalone breakers', () => {
    const registry = new CircuitBreakerRegistry();
    const seen: string[] = [];
    registry.on('add', (b) => seen.push(`add ${b.name}`));
    registry.on('remove', (b) => seen.push(`remove ${b.name}`));
    const mine = registry.register(new CircuitBreaker('mine'));
    expect(registry.get('mine')).toBe(mine);
    expect(() => registry.register(new CircuitBreaker('mine'))).toThrow(/already registered/);
    expect(registry.delete('mine')).toBe(true);
    expect(registry.delete('mine')).toBe(false);
    expect(seen).toEqual(['add mine', 'remove mine']);
  });

  it('rejects unknown registry options', () => {
    expect(() => new CircuitBreakerRegistry({ default: {} } as never)).toThrow(/unknown option "default"/);
  });
});

describe('breaker families', () => {
  it('creates one breaker per key, named prefix:key, registered in the registry', () => {
    const registry = new CircuitBreakerRegistry();
    const hosts = registry.family('host', { failureThreshold: 1 });
    const a = hosts.get('a.example');
    expect(hosts.get('a.example')).toBe(a);
    expect(a.name).toBe('host:a.example');
    expect(registry.get('host:a.example')).toBe(a);
    expect(() => a.execute(() => boom())).toThrow();
    expect(hosts.get('b.example').state).toBe('closed');
  });

  it('keeps at most maxSize breakers, evicting the least recently used', () => {
    const registry = new CircuitBreakerRegistry();
    const hosts = registry.family('host', undefined, { maxSize: 3 });
    hosts.get('a');
    hosts.get('b');
    hosts.get('c');
    hosts.get('a'); // a is now the most recent
    hosts.get('d'); // evicts b
    expect(hosts.keys()).toEqual(['c', 'a', 'd']);
    expect(registry.has('host:b')).toBe(false);
    expect(registry.size).toBe(3);
  });

  it('stays bounded under 100,000 keys', () => {
    const registry = new CircuitBreakerRegistry();
    const hosts = registry.family('host', undefined, { maxSize: 1000 });
    for (let i = 0; i < 100_000; i++) hosts.get(`h${i}`);
    expect(hosts.size).toBe(1000);
    expect(registry.size).toBe(1000);
    expect(hosts.keys()[0]).toBe('h99000');
  });

  it('evicts breakers idle for idleTtlMs on a later get', () => {
    const clock = new ManualClock(0);
    const registry = new CircuitBreakerRegistry();
    const hosts = registry.family('host', { clock }, { idleTtlMs: 1000 });
    hosts.get('a');
    clock.advance(600);
    hosts.get('b');
    clock.advance(600);
    hosts.get('c'); // a idle 1200 ms: evicted; b idle 600 ms: kept
    expect(hosts.keys()).toEqual(['b', 'c']);
  });

  it('validates its options', () => {
    const registry = new CircuitBreakerRegistry();
    expect(() => registry.family('h', undefined, { maxSize: 0 })).toThrow(/"maxSize".*0/);
    expect(() => registry.family('h', undefined, { maxsize: 1 } as never)).toThrow(/unknown option "maxsize"/);
    expect(() => registry.family('')).toThrow(/"prefix"/);
    expect(() => registry.family('h').get(5 as never)).toThrow(/key must be a string/);
  });
});

describe('shared configs', () => {
  it('breakers created without a config share one validated config object', () => {
    const registry = new CircuitBreakerRegistry({ defaults: { resetTimeoutMs: 1000 } });
    const a = registry.getOrCreate('a');
    const b = registry.getOrCreate('b');
    expect(a.config).toBe(b.config);
    expect(registry.getOrCreate('a', {})).toBe(a);
    expect(new CircuitBreaker('x').config).toBe(new CircuitBreaker('y').config);
  });

  it('family members share the config validated when the family was made; bad options fail there', () => {
    const registry = new CircuitBreakerRegistry();
    const hosts = registry.family('host', { failureThreshold: 2 });
    expect(hosts.get('a').config).toBe(hosts.get('b').config);
    expect(hosts.get('a').config.failureThreshold).toBe(2);
    expect(() => registry.family('bad', { failureThreshold: -1 })).toThrow(/"failureThreshold".*-1/);
  });
});
