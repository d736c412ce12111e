/**
 * Paths where two option objects differ: plain objects and arrays are compared
 * field by field, functions and other objects by identity, numbers with
 * `Object.is` (so NaN equals NaN). Used to refuse a silent config mismatch.
 */
export function configDifferences(a: unknown, b: unknown, path = ''): string[] {
  if (Object.is(a, b)) return [];
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].flatMap((key) => configDifferences(a[key], b[key], path === '' ? key : `${path}.${key}`));
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    return a.flatMap((item, index) => configDifferences(item, b[index], `${path}[${index}]`));
  }
  return [path === '' ? '(config)' : path];
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
