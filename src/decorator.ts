import type { CircuitBreaker } from './core/breaker.js';
import type { CircuitBreakerConfig } from './core/config.js';
import { describeValue } from './core/describe-value.js';
import { type CircuitBreakerRegistry, defaultRegistry } from './core/registry.js';
import { expectObject } from './core/validate.js';

/** Options of {@link circuitBreaker}: a breaker config plus its name (and, optionally, the registry to use). */
export interface CircuitBreakerOptions extends CircuitBreakerConfig {
  /** Name of the shared breaker, created on first use. */
  readonly name: string;
  /** Registry holding the breaker. Default: the default registry. */
  readonly registry?: CircuitBreakerRegistry;
}

// biome-ignore lint/suspicious/noExplicitAny: decorated functions may take and return anything
type AnyFunction = (...args: any[]) => any;

/** What {@link circuitBreaker} returns: a function wrapper that is also a TypeScript 5 method decorator. */
export interface BreakerDecorator {
  /** Wraps a function: `circuitBreaker({ name: 'db' })(fn)`. */
  <F extends AnyFunction>(fn: F): F;
  /** Decorates a class method: `@circuitBreaker({ name: 'db' })`. */
  <This, A extends unknown[], R>(
    method: (this: This, ...args: A) => R,
    context: ClassMethodDecoratorContext<This, (this: This, ...args: A) => R>,
  ): (this: This, ...args: A) => R;
  /** Decorates a class method under `experimentalDecorators` (legacy TypeScript decorators, as NestJS and Angular use). */
  (target: object, propertyKey: string | symbol, descriptor: PropertyDescriptor): PropertyDescriptor;
  /** The breaker this decorator guards with. */
  readonly breaker: CircuitBreaker;
}

/**
 * The seed's decorator factory: guards functions or class methods with the
 * breaker called `options.name`, created on first use through `getOrCreate`.
 * Every function and every instance decorated with the same name shares it.
 *
 * @example
 * ```ts
 * import { circuitBreaker } from 'tripswitch';
 * class UserClient {
 *   @circuitBreaker({ name: 'users-api', failureThreshold: 3 })
 *   async get(id: string) { return { id }; }
 * }
 * const load = circuitBreaker({ name: 'users-api' })(async (id: string) => ({ id }));
 * ```
 */
export function circuitBreaker(options: CircuitBreakerOptions): BreakerDecorator {
  const { name, registry = defaultRegistry, ...config } = expectObject(options, 'options') as unknown as CircuitBreakerOptions;
  const hasConfig = Object.keys(config).length > 0;
  const breaker = registry.getOrCreate(name, hasConfig ? config : undefined);
  const decorate = (fn: AnyFunction, context?: unknown, descriptor?: PropertyDescriptor): AnyFunction | PropertyDescriptor => {
    // Legacy decorators call (prototype, key, descriptor): guard the method the descriptor holds.
    if (typeof descriptor === 'object' && descriptor !== null && (typeof context === 'string' || typeof context === 'symbol')) {
      if (typeof descriptor.value !== 'function') {
        throw new TypeError(`circuitBreaker({ name: ${describeValue(name)} }) decorates methods only; ${String(context)} is not a method`);
      }
      return { ...descriptor, value: breaker.wrap(descriptor.value) };
    }
    if (typeof fn !== 'function')
      throw new TypeError(`circuitBreaker({ name: ${describeValue(name)} }): expected a function, got ${describeValue(fn)}`);
    if (context !== undefined) {
      const kind = (context as { kind?: unknown }).kind;
      if (kind !== 'method')
        throw new TypeError(`circuitBreaker({ name: ${describeValue(name)} }) decorates methods only, not a ${describeValue(kind)}`);
    }
    return breaker.wrap(fn);
  };
  return Object.assign(decorate, { breaker }) as unknown as BreakerDecorator;
}
