import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MeridianError } from '../errors.js';
import { parsePolicyDocument, policyDocumentHash, type PolicyDocument } from './policy-document.js';

const SHIPPED = ['eu', 'uk', 'us', 'de'] as const;

function shippedJson(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`../../../policies/${name}.json`, import.meta.url), 'utf8')) as Record<
    string,
    unknown
  >;
}

/** The errors a document is refused with, or [] when it parses. */
function errorsOf(json: unknown): string[] {
  try {
    parsePolicyDocument(json);
    return [];
  } catch (e) {
    expect(e).toBeInstanceOf(MeridianError);
    expect((e as MeridianError).code).toBe('BAD_USER_INPUT');
    return (e as MeridianError).details.errors as string[];
  }
}

/** A copy of the shipped EU policy with values set at dotted paths; undefined removes a field. */
function euWith(...changes: readonly (readonly [path: string, value: unknown])[]): unknown {
  const doc = structuredClone(shippedJson('eu'));
  for (const [path, value] of changes) {
    const keys = path.split('.');
    const last = keys.pop()!;
    const node = keys.reduce((n, k) => n[k] as Record<string, unknown>, doc);
    node[last] = value;
  }
  return doc;
}

describe('shipped policies', () => {
  it.each(SHIPPED)('%s.json parses and is versioned', (name) => {
    const doc: PolicyDocument = parsePolicyDocument(shippedJson(name));
    expect(doc.version).toMatch(/^\d{4}\.\d+$/);
    expect(doc.title).toMatch(/not legal advice/);
  });

  it('de.json is an overlay on eu.json; the others are regional', () => {
    expect(parsePolicyDocument(shippedJson('de')).extends).toBe('EU');
    for (const name of ['eu', 'uk', 'us']) expect(parsePolicyDocument(shippedJson(name)).extends).toBeUndefined();
  });

  it('hashes a document by content, not by key order', () => {
    const eu = parsePolicyDocument(shippedJson('eu'));
    const reordered = parsePolicyDocument(Object.fromEntries(Object.entries(shippedJson('eu')).reverse()));
    expect(policyDocumentHash(reordered)).toBe(policyDocumentHash(eu));
    expect(policyDocumentHash(parsePolicyDocument(euWith(['version', '2025.4'])))).not.toBe(policyDocumentHash(eu));
  });
});

describe('parsePolicyDocument errors name the path', () => {
  it.each([
    [
      'an unknown legal basis',
      euWith(['rules.purposes.TREAT.legalBasis', 'because']),
      /^rules\.purposes\.TREAT\.legalBasis: Invalid option: expected one of "consent"/,
    ],
    [
      'a regional policy without a purpose',
      euWith(['rules.purposes.HPAYMT', undefined]),
      /^rules\.purposes\.HPAYMT: required$/,
    ],
    ['an unknown purpose', euWith(['rules.purposes.TRAET', { allowed: false }]), /^rules\.purposes: .*"TRAET"/],
    [
      'a misspelt field',
      euWith(['rules.crossBorder.adequat', []]),
      /^rules\.crossBorder: Unrecognized key: "adequat"$/,
    ],
    [
      'a within-family rule other than allow or explicit_consent',
      euWith(['rules.crossBorder.withinFamily', 'deny']),
      /^rules\.crossBorder\.withinFamily: Invalid option/,
    ],
    ['a missing label', euWith(['rules.sensitive.GDIS', undefined]), /^rules\.sensitive\.GDIS: required$/],
    [
      'an unknown sensitive requirement',
      euWith(['rules.sensitive.HIV.requires', ['ask_nicely']]),
      /^rules\.sensitive\.HIV\.requires\.0: /,
    ],
    [
      'a repeated category',
      euWith(['rules.breakGlass.categories', ['patient', 'patient']]),
      /^rules\.breakGlass\.categories: must not repeat an entry$/,
    ],
    [
      'an empty allowed purpose',
      euWith(['rules.purposes.PUBHLTH.categories', []]),
      /^rules\.purposes\.PUBHLTH\.categories: an allowed purpose needs at least one category/,
    ],
    ['a bad jurisdiction code', euWith(['covers', ['de']]), /^covers\.0: must be a jurisdiction code/],
    [
      'a bad adequacy entry',
      euWith(['rules.crossBorder.adequate', ['United States']]),
      /^rules\.crossBorder\.adequate\.0: must be a jurisdiction code/,
    ],
    [
      'a zero break-glass window',
      euWith(['rules.breakGlass.maxDurationMinutes', 0]),
      /^rules\.breakGlass\.maxDurationMinutes: /,
    ],
    ['an unknown format', euWith(['format', 'meridian-policy/0']), /^format: /],
    ['a bad version label', euWith(['version', 'v 1']), /^version: must be 1-32 letters/],
    ['a missing consent default', euWith(['rules.consentDefault', undefined]), /^rules\.consentDefault: required$/],
  ])('%s', (_name, json, expected) => {
    const errors = errorsOf(json);
    expect(
      errors.some((e) => expected.test(e)),
      errors.join('\n'),
    ).toBe(true);
  });

  it('lists every problem at once', () => {
    const errors = errorsOf(
      euWith(['rules.purposes.TREAT.legalBasis', 'x'], ['version', ''], ['rules.breakGlass', undefined]),
    );
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^rules\.purposes\.TREAT\.legalBasis: /),
        expect.stringMatching(/^version: /),
        'rules.breakGlass: required',
      ]),
    );
  });

  it('refuses what is not a document at all', () => {
    expect(errorsOf(null)).toEqual(['(document): Invalid input: expected object, received null']);
    expect(errorsOf('EU')).toHaveLength(1);
  });

  it('an overlay may leave sections out but not misspell them or extend itself', () => {
    const overlay = { ...shippedJson('de') };
    expect(errorsOf({ ...overlay, rules: {} })).toEqual([]);
    expect(errorsOf({ ...overlay, rules: { sensitiv: {} } })).toEqual(['rules: Unrecognized key: "sensitiv"']);
    expect(errorsOf({ ...overlay, extends: 'DE' })).toEqual(['extends: a policy cannot extend itself']);
    expect(errorsOf({ ...overlay, rules: { sensitive: { GDIS: { requires: [] } } } })).toEqual(
      expect.arrayContaining(['rules.sensitive.GDIS.whenWithheld: required']),
    );
  });

  it('a refused purpose needs nothing but allowed: false', () => {
    expect(errorsOf(euWith(['rules.purposes.HPAYMT', { allowed: false, note: 'not here' }]))).toEqual([]);
    expect(errorsOf(euWith(['rules.purposes.HPAYMT', { allowed: false, legalBasis: 'consent' }]))).toEqual([
      'rules.purposes.HPAYMT: Unrecognized key: "legalBasis"',
    ]);
  });

  it('puts the errors in the message too', () => {
    expect(() => parsePolicyDocument(euWith(['jurisdiction', 'Europe']))).toThrow(
      /invalid policy document: jurisdiction: must be a jurisdiction code/,
    );
  });
});
