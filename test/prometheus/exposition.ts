/**
 * A strict parser of the Prometheus text exposition format (0.0.4), for tests:
 * every line must be a HELP, a TYPE or a sample of a declared family, label
 * values must be properly quoted and escaped, names must follow the rules, and
 * histograms must have cumulative buckets ending in +Inf equal to _count.
 * Throws on the first line it cannot account for.
 */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface Family {
  readonly name: string;
  help: string | undefined;
  type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
  readonly samples: Sample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

export function parseExposition(text: string): Map<string, Family> {
  if (text !== '' && !text.endsWith('\n')) throw new Error('exposition must end with a newline');
  const families = new Map<string, Family>();
  const lines = text.split('\n').slice(0, -1);
  for (const [index, line] of lines.entries()) {
    const where = `line ${index + 1} ${JSON.stringify(line)}`;
    if (line.startsWith('#')) {
      parseComment(line, families, where);
      continue;
    }
    if (line === '') continue; // empty lines are allowed between families
    if (line.trim() === '') throw new Error(`${where}: whitespace-only line`);
    const sample = parseSample(line, where);
    const family = familyOf(sample.name, families);
    if (family === undefined) throw new Error(`${where}: sample of an undeclared family`);
    family.samples.push(sample);
  }
  for (const family of families.values()) {
    if (family.type === 'histogram') checkHistogram(family);
    if (family.type === 'counter' && !family.name.endsWith('_total')) throw new Error(`counter ${family.name} must end in _total`);
    for (const sample of family.samples) {
      if (family.type === 'counter' && sample.value < 0) throw new Error(`counter ${sample.name} is negative`);
    }
  }
  return families;
}

function parseComment(line: string, families: Map<string, Family>, where: string): void {
  const match = /^# (HELP|TYPE) ([^ ]+) ?(.*)$/.exec(line);
  if (match === null) return; // a plain comment
  const [, keyword, name = '', rest = ''] = match;
  if (!METRIC_NAME.test(name)) throw new Error(`${where}: bad metric name`);
  let family = families.get(name);
  if (family === undefined) {
    family = { name, help: undefined, type: 'untyped', samples: [] };
    families.set(name, family);
  } else if (family.samples.length > 0) {
    throw new Error(`${where}: ${keyword} after samples`);
  }
  if (keyword === 'HELP') {
    if (family.help !== undefined) throw new Error(`${where}: second HELP`);
    family.help = rest.replace(/\\n/g, '\n').replace(/\\\\/g, '\\');
  } else {
    if (!TYPES.has(rest)) throw new Error(`${where}: unknown type`);
    family.type = rest as Family['type'];
  }
}

function familyOf(sampleName: string, families: Map<string, Family>): Family | undefined {
  const exact = families.get(sampleName);
  if (exact !== undefined) return exact;
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (!sampleName.endsWith(suffix)) continue;
    const family = families.get(sampleName.slice(0, -suffix.length));
    if (family?.type === 'histogram' || (family?.type === 'summary' && suffix !== '_bucket')) return family;
  }
  return undefined;
}

function parseSample(line: string, where: string): Sample {
  let i = 0;
  while (i < line.length && /[a-zA-Z0-9_:]/.test(line.charAt(i))) i++;
  const name = line.slice(0, i);
  if (!METRIC_NAME.test(name)) throw new Error(`${where}: bad sample name`);
  const labels: Record<string, string> = {};
  if (line[i] === '{') {
    i++;
    while (line[i] !== '}') {
      const start = i;
      while (i < line.length && /[a-zA-Z0-9_]/.test(line.charAt(i))) i++;
      const label = line.slice(start, i);
      if (!LABEL_NAME.test(label)) throw new Error(`${where}: bad label name at ${start}`);
      if (label in labels) throw new Error(`${where}: duplicate label ${label}`);
      if (line.slice(i, i + 2) !== '="') throw new Error(`${where}: expected =" at ${i}`);
      i += 2;
      let value = '';
      for (;;) {
        const char = line[i];
        if (char === undefined) throw new Error(`${where}: unterminated label value`);
        if (char === '"') break;
        if (char === '\\') {
          const next = line[i + 1];
          if (next === '\\') value += '\\';
          else if (next === '"') value += '"';
          else if (next === 'n') value += '\n';
          else throw new Error(`${where}: bad escape \\${next}`);
          i += 2;
        } else {
          value += char;
          i++;
        }
      }
      i++;
      labels[label] = value;
      if (line[i] === ',') i++;
      else if (line[i] !== '}') throw new Error(`${where}: expected , or } at ${i}`);
    }
    i++;
  }
  if (line[i] !== ' ') throw new Error(`${where}: expected a space before the value`);
  const parts = line.slice(i + 1).split(' ');
  if (parts.length > 2) throw new Error(`${where}: trailing garbage`);
  const value = parseValue(parts[0] ?? '', where);
  if (parts[1] !== undefined && !/^-?\d+$/.test(parts[1])) throw new Error(`${where}: bad timestamp`);
  return { name, labels, value };
}

function parseValue(text: string, where: string): number {
  if (text === '+Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  if (text === 'NaN') return Number.NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) throw new Error(`${where}: bad value ${JSON.stringify(text)}`);
  return Number(text);
}

function checkHistogram(family: Family): void {
  const groups = new Map<string, { buckets: [number, number][]; count?: number; sum?: number }>();
  for (const sample of family.samples) {
    const { le, ...rest } = sample.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    let group = groups.get(key);
    if (group === undefined) {
      group = { buckets: [] };
      groups.set(key, group);
    }
    if (sample.name === `${family.name}_bucket`) {
      if (le === undefined) throw new Error(`${sample.name} without le`);
      group.buckets.push([parseValue(le, `le of ${sample.name}`), sample.value]);
    } else if (sample.name === `${family.name}_count`) group.count = sample.value;
    else if (sample.name === `${family.name}_sum`) group.sum = sample.value;
    else throw new Error(`histogram ${family.name} has a sample ${sample.name}`);
  }
  for (const [key, group] of groups) {
    const last = group.buckets.at(-1);
    if (last === undefined || last[0] !== Number.POSITIVE_INFINITY) throw new Error(`histogram ${family.name}${key}: no +Inf bucket`);
    if (group.count === undefined || group.sum === undefined) throw new Error(`histogram ${family.name}${key}: no _count or _sum`);
    if (last[1] !== group.count) throw new Error(`histogram ${family.name}${key}: +Inf bucket ${last[1]} != count ${group.count}`);
    group.buckets.forEach(([le, count], index) => {
      const previous = group.buckets[index - 1];
      if (previous !== undefined && (le <= previous[0] || count < previous[1]))
        throw new Error(`histogram ${family.name}${key}: buckets not cumulative`);
    });
  }
}

/** The value of the one sample of `name` whose labels include `labels`; throws unless exactly one matches. */
export function sampleValue(families: Map<string, Family>, name: string, labels: Record<string, string>): number {
  const matches = [...families.values()]
    .flatMap((family) => family.samples)
    .filter((sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value));
  if (matches.length !== 1) throw new Error(`expected one sample ${name}${JSON.stringify(labels)}, found ${matches.length}`);
  return (matches[0] as Sample).value;
}

/** Every sample of `name` (all families searched). */
export function samplesOf(families: Map<string, Family>, name: string): Sample[] {
  return [...families.values()].flatMap((family) => family.samples).filter((sample) => sample.name === name);
}
