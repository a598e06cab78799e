import canonicalize from 'canonicalize';

/**
 * RFC 8785 (JCS) canonical JSON, by the maintained `canonicalize` library: keys sorted by
 * UTF-16 code units at every depth, ECMAScript number and string forms, no white space.
 * Every endorsing peer must produce byte-identical writes and results, or the endorsements
 * do not match and the transaction fails. (The form before JCS differed only for objects
 * with array-index-like keys, which no chaincode record has, so earlier writes re-execute
 * to the same bytes.)
 */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new Error('a value JSON cannot represent has no canonical form');
  return text;
}

/** Canonical JSON as UTF-8 bytes, the form state values and event payloads take. */
export function canonicalBytes(value: unknown): Uint8Array {
  return Buffer.from(canonicalJson(value), 'utf8');
}
