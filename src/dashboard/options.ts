import { type CircuitBreakerRegistry, defaultRegistry } from '../index.js';
import { describe } from '../prometheus/watch-breakers.js';

/** Options of {@link createDashboardHandler}. */
export interface DashboardOptions {
  /** The breakers to show. Default: the `defaultRegistry` of tripswitch. */
  readonly registry?: CircuitBreakerRegistry;
  /** Secret the POST actions require (`Authorization: Bearer <token>`). Without one the dashboard is read-only. */
  readonly token?: string;
  /** Mount path when the server passes full URLs (plain `http`, Fastify), like `'/tripswitch'`. Express's `app.use(path, …)` strips it itself. */
  readonly basePath?: string;
  /** Milliseconds between two `stats` events. Default 1000. */
  readonly intervalMs?: number;
  /** Rate samples kept per breaker for the sparklines. Default 300 (5 minutes at 1 s). */
  readonly historySize?: number;
}

/** The options after validation, defaults filled in. */
export interface ResolvedDashboardOptions {
  readonly registry: CircuitBreakerRegistry;
  readonly token: string | undefined;
  readonly basePath: string;
  readonly intervalMs: number;
  readonly historySize: number;
}

const KEYS = ['registry', 'token', 'basePath', 'intervalMs', 'historySize'];

/** Validates dashboard options; throws TypeError/RangeError naming the option and the value. `extraKeys` are allowed and left to the caller. */
export function resolveDashboardOptions(options: unknown, where: string, extraKeys: readonly string[] = []): ResolvedDashboardOptions {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError(`${where}: options must be an object, got ${describe(options)}`);
  }
  const raw = options as Record<string, unknown>;
  for (const key of Object.keys(raw)) {
    if (!KEYS.includes(key) && !extraKeys.includes(key)) {
      throw new TypeError(`${where}: unknown option ${JSON.stringify(key)} (allowed: ${[...KEYS, ...extraKeys].join(', ')})`);
    }
  }
  const registry = raw.registry ?? defaultRegistry;
  if (typeof registry !== 'object' || registry === null || typeof (registry as CircuitBreakerRegistry).breakers !== 'function') {
    throw new TypeError(`${where}: option "registry" must be a CircuitBreakerRegistry, got ${describe(registry)}`);
  }
  const token = raw.token;
  if (token !== undefined && (typeof token !== 'string' || token.trim() === '' || /[\s\p{Cc}]/u.test(token))) {
    throw new TypeError(`${where}: option "token" must be a non-empty string without spaces or control characters, got ${describe(token)}`);
  }
  const basePath = raw.basePath ?? '';
  if (
    typeof basePath !== 'string' ||
    (basePath !== '' && (!basePath.startsWith('/') || basePath.endsWith('/') || basePath.includes('?')))
  ) {
    throw new TypeError(
      `${where}: option "basePath" must be '' or a path like '/tripswitch' (no trailing slash), got ${describe(basePath)}`,
    );
  }
  return {
    registry: registry as CircuitBreakerRegistry,
    token: token as string | undefined,
    basePath,
    intervalMs: integer(raw.intervalMs, 'intervalMs', 1000, 50, 60_000, where),
    historySize: integer(raw.historySize, 'historySize', 300, 2, 100_000, where),
  };
}

/** Validates an optional integer option within `[min, max]`. */
export function integer(value: unknown, option: string, fallback: number, min: number, max: number, where: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new TypeError(`${where}: option "${option}" must be an integer, got ${describe(value)}`);
  }
  if (value < min || value > max) throw new RangeError(`${where}: option "${option}" must be between ${min} and ${max}, got ${value}`);
  return value;
}
