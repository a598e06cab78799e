import { hash } from 'node:crypto';
import canonicalize from 'canonicalize';

/**
 * How a value was serialised before it was hashed.
 * - `jcs`: RFC 8785 JSON Canonicalization Scheme, what every new hash uses; any JCS
 *   library (e.g. `canonicalize` on npm, `rfc8785` on PyPI) reproduces it.
 * - `sorted-keys-v0`: Meridian's form before JCS (keys sorted, then `JSON.stringify`). It
 *   differs from JCS only for objects with array-index-like keys (`"9"`, `"10"`), which
 *   JavaScript always lists first in numeric order; hashes anchored under it stay verifiable.
 */
export type HashScheme = 'jcs' | 'sorted-keys-v0';

/** Verification tries the current scheme first; a match under an older one is still a match. */
export const HASH_SCHEMES: readonly HashScheme[] = ['jcs', 'sorted-keys-v0'];

/**
 * RFC 8785 canonical JSON: keys sorted by UTF-16 code units at every depth, ECMAScript
 * number and string serialisation, no insignificant white space; `undefined` members are
 * dropped and dates serialise through `toJSON`, as in `JSON.stringify`.
 * @throws Error for what JSON cannot hold (NaN, Infinity, a lone surrogate, a cycle).
 */
export function canonicalJson(value: unknown, scheme: HashScheme = 'jcs'): string {
  if (scheme === 'sorted-keys-v0') return JSON.stringify(sortKeys(value));
  const text = canonicalize(value);
  if (text === undefined) throw new Error('a value JSON cannot represent has no canonical form');
  return text;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    // No prototype: a key such as `__proto__` (JSON.parse makes it an own key) stays a key.
    const out = Object.create(null) as Record<string, unknown>;
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v);
    }
    return out;
  }
  return value;
}

/** sha256 of the canonical JSON (RFC 8785 unless a legacy scheme is asked for), hex-encoded. */
export function contentHash(value: unknown, scheme: HashScheme = 'jcs'): string {
  return hash('sha256', canonicalJson(value, scheme));
}

/**
 * The scheme under which `hashOf` reproduces `expected`, or null when none does: how a hash
 * anchored before the move to RFC 8785 is still verified. The older scheme is tried only
 * when the current one does not match. Accepting either is sound: both are one-to-one
 * serialisations of the same value, so neither matches a value that differs.
 */
export function matchingScheme(hashOf: (scheme: HashScheme) => string, expected: string): HashScheme | null {
  for (const scheme of HASH_SCHEMES) if (hashOf(scheme) === expected) return scheme;
  return null;
}

/** Whether `value` hashes to `expected` under any scheme Meridian has anchored with. */
export function contentHashMatches(value: unknown, expected: string): boolean {
  return matchingScheme((scheme) => contentHash(value, scheme), expected) !== null;
}
