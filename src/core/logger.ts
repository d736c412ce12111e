/**
 * Where a breaker writes its log lines: the shape of `console` and of pino,
 * so either can be passed as is.
 *
 * @example
 * ```ts
 * import { CircuitBreaker } from 'tripswitch';
 * const breaker = new CircuitBreaker('db', { logger: console });
 * ```
 */
export interface Logger {
  debug(message: string, context?: Record<string, unknown>): void;
  info(message: string, context?: Record<string, unknown>): void;
  warn(message: string, context?: Record<string, unknown>): void;
  error(message: string, context?: Record<string, unknown>): void;
}

const ignore = (): void => {};

/**
 * A logger that writes nothing: the default, so a library never prints
 * unless its user asks.
 *
 * @example
 * ```ts
 * import { CircuitBreaker, silentLogger } from 'tripswitch';
 * const quiet = new CircuitBreaker('db', { logger: silentLogger });
 * ```
 */
export const silentLogger: Logger = Object.freeze({ debug: ignore, info: ignore, warn: ignore, error: ignore });

let defaultLogger: Logger = silentLogger;

/**
 * The one switch for logging: sets the logger used by every breaker that was
 * not given its own `logger`, including breakers created earlier.
 * `setDefaultLogger(console)` turns console output on; `setDefaultLogger()`
 * turns it off again.
 *
 * @example
 * ```ts
 * import { setDefaultLogger } from 'tripswitch';
 * setDefaultLogger(console); // state transitions now print
 * ```
 */
export function setDefaultLogger(logger: Logger = silentLogger): void {
  for (const method of ['debug', 'info', 'warn', 'error'] as const) {
    if (typeof (logger as unknown as Record<string, unknown>)?.[method] !== 'function') {
      throw new TypeError(
        `setDefaultLogger: logger.${method} must be a function, got ${typeof (logger as unknown as Record<string, unknown>)?.[method]}`,
      );
    }
  }
  defaultLogger = logger;
}

/** The logger used by breakers that were not given one. */
export function getDefaultLogger(): Logger {
  return defaultLogger;
}
