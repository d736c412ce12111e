import type { CircuitBreaker, CircuitBreakerRegistry } from '../index.js';

/** What the metrics and the dashboard can follow: a whole registry or one breaker. */
export type BreakerSource = CircuitBreakerRegistry | CircuitBreaker;

/** Sets up per-breaker work; returns the function that undoes it. */
export type BreakerHook = (breaker: CircuitBreaker) => () => void;

const isRegistry = (value: object): value is CircuitBreakerRegistry =>
  typeof (value as CircuitBreakerRegistry).breakers === 'function' && typeof (value as CircuitBreakerRegistry).getOrCreate === 'function';

const isBreaker = (value: object): value is CircuitBreaker =>
  typeof (value as CircuitBreaker).stats === 'function' && typeof (value as CircuitBreaker).on === 'function';

/**
 * Runs `hook` for every breaker of `source`: each present one now and, for a
 * registry, each one added later; undoes it for each one removed. Returns the
 * function that undoes everything and stops following the registry.
 * Duck-typed rather than `instanceof`, so an ESM and a CJS copy of the core both work.
 */
export function watchBreakers(source: BreakerSource, hook: BreakerHook, where: string): () => void {
  if (typeof source !== 'object' || source === null || !(isRegistry(source) || isBreaker(source))) {
    throw new TypeError(`${where}: expected a CircuitBreakerRegistry or a CircuitBreaker, got ${describe(source)}`);
  }
  const undo = new Map<CircuitBreaker, () => void>();
  const add = (breaker: CircuitBreaker): void => {
    if (!undo.has(breaker)) undo.set(breaker, hook(breaker));
  };
  const remove = (breaker: CircuitBreaker): void => {
    const off = undo.get(breaker);
    undo.delete(breaker);
    off?.();
  };
  const unsubscribe: (() => void)[] = [];
  if (isRegistry(source)) {
    unsubscribe.push(source.on('add', add), source.on('remove', remove));
    for (const breaker of source.breakers()) add(breaker);
  } else {
    add(source);
  }
  let active = true;
  return () => {
    if (!active) return;
    active = false;
    for (const off of unsubscribe) off();
    for (const breaker of [...undo.keys()]) remove(breaker);
  };
}

/** A short description of a bad argument for error messages. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (typeof value === 'object')
    return Array.isArray(value) ? `array(${value.length})` : `object ${Object.prototype.toString.call(value).slice(8, -1)}`;
  if (typeof value === 'function') return `function ${value.name || '(anonymous)'}`;
  return String(value);
}
