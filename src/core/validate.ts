import { describeValue } from './describe-value.js';

/**
 * Throws when `input` has an own key that is not in `allowed`, naming it, and
 * pointing to the right option when the key is a known name from elsewhere.
 */
export function rejectUnknownKeys(
  input: object,
  allowed: readonly string[],
  where: string,
  hints: Readonly<Record<string, string>> = {},
): void {
  for (const key of Reflect.ownKeys(input)) {
    if (typeof key !== 'string' || !allowed.includes(key)) {
      const hint = typeof key === 'string' && Object.hasOwn(hints, key) ? ` (did you mean ${hints[key]}?)` : '';
      throw new TypeError(`${where}: unknown option ${describeValue(key)}${hint} (allowed: ${allowed.join(', ')})`);
    }
  }
}

/** Throws unless `value` is a plain object (or undefined when optional). */
export function expectObject(value: unknown, option: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError(`option "${option}" must be an object, got ${describeValue(value)}`);
  }
  return value as Record<string, unknown>;
}

/** Reads an own property only, so inherited or polluted prototype keys are never taken as options. */
export function own(input: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(input, key) ? input[key] : undefined;
}

/**
 * Reads an own option, falling back to `fallback` only when it is `undefined`:
 * `null` is a bad value to report, not a request for the default.
 */
export function ownOr(input: Record<string, unknown>, key: string, fallback: unknown): unknown {
  const value = own(input, key);
  return value === undefined ? fallback : value;
}

interface NumberRule {
  readonly integer?: boolean;
  readonly min?: number;
  readonly max?: number;
  /** Whether `Infinity` is accepted (meaning "never"). */
  readonly allowInfinity?: boolean;
}

/** Validates a number option, with a message that names it and the bad value. */
export function expectNumber(value: unknown, option: string, rule: NumberRule): number {
  const kind = rule.integer ? 'an integer' : 'a number';
  const range =
    rule.min !== undefined && rule.max !== undefined
      ? ` between ${rule.min} and ${rule.max}`
      : rule.min !== undefined
        ? ` >= ${rule.min}`
        : '';
  const fail = (): never => {
    const ErrorType = typeof value === 'number' ? RangeError : TypeError;
    throw new ErrorType(
      `option "${option}" must be ${kind}${range}${rule.allowInfinity ? ' (or Infinity)' : ''}, got ${describeValue(value)}`,
    );
  };
  if (typeof value !== 'number' || Number.isNaN(value)) return fail();
  if (value === Number.POSITIVE_INFINITY && rule.allowInfinity) return value;
  if (!Number.isFinite(value)) return fail();
  if (rule.integer && !Number.isInteger(value)) return fail();
  if (rule.min !== undefined && value < rule.min) return fail();
  if (rule.max !== undefined && value > rule.max) return fail();
  return value;
}

/** Validates an optional number option: `undefined` stays `undefined`. */
export function optionalNumber(value: unknown, option: string, rule: NumberRule): number | undefined {
  return value === undefined ? undefined : expectNumber(value, option, rule);
}

/** Validates a function option. */
export function expectFunction<F>(value: unknown, option: string): F {
  if (typeof value !== 'function') throw new TypeError(`option "${option}" must be a function, got ${describeValue(value)}`);
  return value as F;
}

/** Validates a boolean option. */
export function expectBoolean(value: unknown, option: string): boolean {
  if (typeof value !== 'boolean') throw new TypeError(`option "${option}" must be a boolean, got ${describeValue(value)}`);
  return value;
}

/** Longest accepted breaker name, in UTF-16 code units. */
export const MAX_NAME_LENGTH = 1024;

// Control characters would let a name forge log lines or break metric labels.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

/**
 * Validates a breaker name: a non-empty string of at most 1024 characters
 * with no control characters. Any other Unicode is accepted.
 */
export function expectName(value: unknown, option = 'name'): string {
  if (typeof value !== 'string') throw new TypeError(`option "${option}" must be a string, got ${describeValue(value)}`);
  if (value.length === 0) throw new RangeError(`option "${option}" must not be empty`);
  if (value.length > MAX_NAME_LENGTH) {
    throw new RangeError(`option "${option}" must be at most ${MAX_NAME_LENGTH} characters, got ${value.length}`);
  }
  if (CONTROL_CHARACTERS.test(value)) {
    throw new RangeError(`option "${option}" must not contain control characters, got ${describeValue(value)}`);
  }
  return value;
}
