import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, contentHash, contentHashMatches, matchingScheme } from './canonical-json.js';

describe('canonical JSON (RFC 8785)', () => {
  it('orders array-index-like keys as RFC 8785 does, where the older form put them first numerically', () => {
    expect(canonicalJson({ b: 1, '10': 2, '9': 3 })).toBe('{"10":2,"9":3,"b":1}');
    expect(canonicalJson({ b: 1, '10': 2, '9': 3 }, 'sorted-keys-v0')).toBe('{"9":3,"10":2,"b":1}');
  });

  it('serialises numbers and strings as ECMAScript does (RFC 8785 section 3.2.2)', () => {
    expect(canonicalJson({ n: [1e21, 1e-7, -0, 4.5], s: '\u2028\n"' })).toBe(
      '{"n":[1e+21,1e-7,0,4.5],"s":"\u2028\\n\\""}',
    );
    expect(canonicalJson({ at: new Date('2026-12-01T10:00:00Z'), gone: undefined })).toBe(
      '{"at":"2026-12-01T10:00:00.000Z"}',
    );
    expect(() => canonicalJson({ n: Number.NaN })).toThrow(/NaN/);
  });

  it('is the older form for every value without array-index-like keys, so those hashes need no migration', () => {
    const key = fc.string().filter((k) => !/^(0|[1-9]\d*)$/.test(k));
    const json = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        fc.string(),
        fc.integer(),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.boolean(),
        fc.constant(null),
        fc.array(tie('value'), { maxLength: 4 }),
        fc.dictionary(key, tie('value'), { maxKeys: 5 }),
      ),
    })).value;
    fc.assert(
      fc.property(json, (value) => canonicalJson(value) === canonicalJson(value, 'sorted-keys-v0')),
      { numRuns: 300 },
    );
  });

  it('keeps a "__proto__" key (as JSON.parse makes it) in both forms', () => {
    const value: unknown = JSON.parse('{"b":1,"__proto__":{"a":2}}');
    expect(canonicalJson(value)).toBe('{"__proto__":{"a":2},"b":1}');
    expect(canonicalJson(value, 'sorted-keys-v0')).toBe('{"__proto__":{"a":2},"b":1}');
  });

  it('verifies a hash made under either scheme, and nothing else', () => {
    const value = { b: 1, '10': 2, '9': 3 };
    const old = contentHash(value, 'sorted-keys-v0');
    expect(matchingScheme((scheme) => contentHash(value, scheme), contentHash(value))).toBe('jcs');
    expect(matchingScheme((scheme) => contentHash(value, scheme), old)).toBe('sorted-keys-v0');
    expect(contentHashMatches({ ...value, '9': 4 }, old)).toBe(false);
    expect(contentHashMatches(value, contentHash({ b: 1 }))).toBe(false);
  });
});
