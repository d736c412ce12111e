/**
 * A short, safe description of any value for error messages: strings are
 * quoted and cut, numbers keep NaN/Infinity, objects show their kind.
 */
export function describeValue(value: unknown): string {
  switch (typeof value) {
    case 'string': {
      const shown = value.length > 60 ? `${value.slice(0, 60)}…(${value.length} chars)` : value;
      return JSON.stringify(shown);
    }
    case 'number':
    case 'boolean':
    case 'undefined':
      return String(value);
    case 'bigint':
      return `${value}n`;
    case 'symbol':
      return value.toString();
    case 'function':
      return `function ${value.name || '(anonymous)'}`;
    default:
      if (value === null) return 'null';
      if (Array.isArray(value)) return `array(${value.length})`;
      return `object ${Object.prototype.toString.call(value).slice(8, -1)}`;
  }
}
