import { describe, expect, it } from 'vitest';
import { CircuitBreakerRegistry, CircuitOpenError, circuitBreaker } from '../../src/index.js';

describe('circuitBreaker() decorator factory', () => {
  it('wraps a plain function with the named breaker, created through getOrCreate', () => {
    const registry = new CircuitBreakerRegistry();
    const guard = circuitBreaker({ name: 'db', failureThreshold: 1, registry });
    const query = guard((sql: string) => {
      if (sql === 'bad') throw new Error('syntax');
      return [sql];
    });
    expect(query('select 1')).toEqual(['select 1']);
    expect(() => query('bad')).toThrow('syntax');
    expect(registry.get('db')?.state).toBe('open');
    expect(() => query('select 1')).toThrow(CircuitOpenError);
    expect(guard.breaker).toBe(registry.get('db'));
  });

  it('decorates class methods (TypeScript 5 standard decorators); every instance shares the breaker', async () => {
    const registry = new CircuitBreakerRegistry();
    class UserClient {
      constructor(private readonly healthy: boolean) {}
      @circuitBreaker({ name: 'users', failureThreshold: 2, registry })
      async get(id: string): Promise<string> {
        if (!this.healthy) throw new Error('down');
        return `user ${id}`;
      }
    }
    const good = new UserClient(true);
    const bad = new UserClient(false);
    await expect(good.get('1')).resolves.toBe('user 1');
    await expect(bad.get('1')).rejects.toThrow('down');
    await expect(bad.get('1')).rejects.toThrow('down');
    await expect(good.get('1')).rejects.toBeInstanceOf(CircuitOpenError);
    expect(registry.getAllStates()).toEqual({ users: 'open' });
  });

  it('uses the fallback from its options', () => {
    const registry = new CircuitBreakerRegistry();
    const guarded = circuitBreaker({ name: 'cache', registry, fallback: (_e: unknown, key: string) => `default ${key}` })((key: string) => {
      throw new Error(key);
    });
    expect(guarded('k')).toBe('default k');
  });

  it('two decorators with the same name and no config share one breaker', () => {
    const registry = new CircuitBreakerRegistry();
    const a = circuitBreaker({ name: 'shared', failureThreshold: 1, registry });
    const b = circuitBreaker({ name: 'shared', registry });
    expect(a.breaker).toBe(b.breaker);
  });

  it('refuses to decorate a non-function or a non-method', () => {
    const registry = new CircuitBreakerRegistry();
    expect(() => circuitBreaker({ name: 'x', registry })(42 as never)).toThrow(/expected a function, got 42/);
    expect(() => circuitBreaker({ name: 'x', registry })((() => 1) as never, { kind: 'getter' } as never)).toThrow(/methods only/);
    expect(() => circuitBreaker({ name: '', registry })).toThrow(/"name"/);
  });
});

describe('circuitBreaker() as a legacy (experimentalDecorators) method decorator', () => {
  it('guards the method held by the descriptor, sharing the named breaker', async () => {
    const registry = new CircuitBreakerRegistry();
    class Legacy {
      async load(fail: boolean) {
        if (fail) throw new Error('down');
        return 'loaded';
      }
    }
    // What TypeScript emits for `@circuitBreaker(...)` under experimentalDecorators.
    const descriptor = Object.getOwnPropertyDescriptor(Legacy.prototype, 'load') as PropertyDescriptor;
    const decorate = circuitBreaker({ name: 'legacy', failureThreshold: 1, registry });
    Object.defineProperty(Legacy.prototype, 'load', decorate(Legacy.prototype, 'load', descriptor));
    const instance = new Legacy();
    await expect(instance.load(false)).resolves.toBe('loaded');
    await expect(instance.load(true)).rejects.toThrow('down');
    await expect(instance.load(false)).rejects.toBeInstanceOf(CircuitOpenError);
    expect(() => decorate(Legacy.prototype, 'field', { value: 42 })).toThrow(/decorates methods only/);
  });
});
