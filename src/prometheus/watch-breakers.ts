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

/**
 * The breakers an integration follows through any number of `attach()`es:
 * each breaker is followed once however many attached sources include it
 * (`start` runs when the first includes it, its returned stop when the last
 * lets go), and `close()` undoes every attachment.
 */
export class BreakerFollower {
  private readonly followed = new Map<CircuitBreaker, { refs: number; stop: () => void }>();
  private readonly detachers = new Set<() => void>();
  private closed = false;

  /**
   * @param owner - Names the integration in error messages.
   * @param start - Starts following one breaker; returns the function that stops.
   */
  constructor(
    private readonly owner: string,
    private readonly start: BreakerHook,
  ) {}

  /** Follows `source` (a registry, with its future breakers, or one breaker); returns the function that stops following it. */
  attach(source: BreakerSource): () => void {
    if (this.closed) throw new Error(`${this.owner}: attach() after close()`);
    const stop = watchBreakers(source, (breaker) => this.follow(breaker), `${this.owner}.attach(source)`);
    const detach = (): void => {
      if (this.detachers.delete(detach)) stop();
    };
    this.detachers.add(detach);
    return detach;
  }

  /** The breakers followed now. */
  breakers(): IterableIterator<CircuitBreaker> {
    return this.followed.keys();
  }

  /** Detaches everything; returns false when it was already closed. */
  close(): boolean {
    if (this.closed) return false;
    this.closed = true;
    for (const detach of [...this.detachers]) detach();
    return true;
  }

  private follow(breaker: CircuitBreaker): () => void {
    const entry = this.followed.get(breaker);
    if (entry !== undefined) entry.refs++;
    else this.followed.set(breaker, { refs: 1, stop: this.start(breaker) });
    return () => {
      const current = this.followed.get(breaker);
      if (current === undefined || --current.refs > 0) return;
      this.followed.delete(breaker);
      current.stop();
    };
  }
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
