import { own } from '../core/validate.js';

/**
 * Reads an own option, falling back to `fallback` only when it is `undefined`:
 * `null` is a bad value to report, not a request for the default.
 */
export function ownOr(input: Record<string, unknown>, key: string, fallback: unknown): unknown {
  const value = own(input, key);
  return value === undefined ? fallback : value;
}
