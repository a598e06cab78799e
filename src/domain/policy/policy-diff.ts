import { canonicalJson } from '../canonical-json.js';

/** One difference between two policy documents. */
export interface PolicyChange {
  /** Dotted path of the value, e.g. `rules.crossBorder.withinFamily`; `(document)` for the whole. */
  readonly path: string;
  /** Canonical JSON of the value before; null where the path did not exist. */
  readonly before: string | null;
  /** Canonical JSON of the value after; null where the path no longer exists. */
  readonly after: string | null;
}

type JsonObject = Readonly<Record<string, unknown>>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): string | null {
  return value === undefined ? null : canonicalJson(value);
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

function changesAt(path: string, before: unknown, after: unknown): PolicyChange[] {
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((key) => changesAt(join(path, key), before[key], after[key]));
  }
  // An object on one side only is listed leaf by leaf, so a new purpose shows each of its rules.
  if (isObject(before) && after === undefined) return changesAt(path, before, {});
  if (isObject(after) && before === undefined) return changesAt(path, {}, after);
  const b = text(before);
  const a = text(after);
  return b === a ? [] : [{ path: path === '' ? '(document)' : path, before: b, after: a }];
}

/**
 * What changed from one policy document to another, path by path in key order. Objects
 * are compared key by key; arrays are values (a reordered list is a change, since it
 * changes the document's hash). `before` undefined: everything in `after` is new.
 */
export function policyDiff(before: unknown, after: unknown): PolicyChange[] {
  return changesAt('', before ?? {}, after);
}
