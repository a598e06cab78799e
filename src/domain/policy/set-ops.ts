/** Entries of `a` that `b` also has, in `a`'s order. */
export function intersect<T>(a: readonly T[], b: readonly T[]): T[] {
  return a.filter((x) => b.includes(x));
}

/** `a`, then the entries of `b` it lacks. */
export function union<T>(a: readonly T[], b: readonly T[]): T[] {
  return [...a, ...b.filter((x) => !a.includes(x))];
}

/** A record with one entry per key. */
export function recordOf<K extends string, V>(keys: readonly K[], value: (key: K) => V): Record<K, V> {
  return Object.fromEntries(keys.map((k) => [k, value(k)])) as Record<K, V>;
}
