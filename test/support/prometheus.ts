/** One sample of a Prometheus text exposition: `name{labels} value`. */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface Exposition {
  readonly samples: readonly Sample[];
  /** `# TYPE` of each metric family. */
  readonly types: ReadonlyMap<string, string>;
  /** The samples named `name` whose labels include all of `labels`. */
  find(name: string, labels?: Readonly<Record<string, string>>): Sample[];
  /** The sum of those samples' values (0 when there are none). */
  sum(name: string, labels?: Readonly<Record<string, string>>): number;
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const SAMPLE = new RegExp(`^(${NAME})(?:\\{(.*)\\})? (\\S+)(?: (-?\\d+))?$`);
const LABEL = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\[\\"n])*)"\s*(?:,|$)/;
const COMMENT = new RegExp(`^# (HELP|TYPE) (${NAME})(?: (.*))?$`);
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

/** Parses the text format (version 0.0.4) strictly: any line it does not understand throws. */
export function parsePrometheusText(text: string): Exposition {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const [i, line] of text.split('\n').entries()) {
    if (line === '') continue;
    const fail = (why: string): never => {
      throw new Error(`line ${i + 1}: ${why}: ${JSON.stringify(line)}`);
    };
    if (line.startsWith('#')) {
      const c = COMMENT.exec(line) ?? fail('not a HELP or TYPE comment');
      if (c[1] === 'TYPE') types.set(c[2]!, TYPES.has(c[3] ?? '') ? c[3]! : fail('unknown metric type'));
      continue;
    }
    const m = SAMPLE.exec(line) ?? fail('not a sample');
    const labels = parseLabels(m[2] ?? '') ?? fail('bad label');
    const value = parseValue(m[3]!) ?? fail('bad value');
    samples.push({ name: m[1]!, labels, value });
  }
  const find = (name: string, want: Readonly<Record<string, string>> = {}): Sample[] =>
    samples.filter((s) => s.name === name && Object.entries(want).every(([k, v]) => s.labels[k] === v));
  return {
    samples,
    types,
    find,
    sum: (name, want) => find(name, want).reduce((total, s) => total + s.value, 0),
  };
}

function parseLabels(text: string): Record<string, string> | undefined {
  const labels: Record<string, string> = {};
  let rest = text;
  while (rest.trim() !== '') {
    const l = LABEL.exec(rest);
    if (l === null) return undefined;
    labels[l[1]!] = l[2]!.replace(/\\(["\\n])/g, (_, c: string) => (c === 'n' ? '\n' : c));
    rest = rest.slice(l[0].length);
  }
  return labels;
}

/** Prometheus reads special values case-insensitively (prom-client writes `Nan`). */
const SPECIAL = new Map([
  ['+inf', Infinity],
  ['inf', Infinity],
  ['-inf', -Infinity],
  ['nan', NaN],
]);

function parseValue(raw: string): number | undefined {
  const special = SPECIAL.get(raw.toLowerCase());
  if (special !== undefined) return special;
  const value = Number(raw);
  return raw.trim() === '' || Number.isNaN(value) ? undefined : value;
}
