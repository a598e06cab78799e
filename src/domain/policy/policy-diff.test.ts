import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { policyDiff } from './policy-diff.js';

const EU = JSON.parse(readFileSync(new URL('../../../policies/eu.json', import.meta.url), 'utf8')) as {
  version: string;
  rules: { crossBorder: Record<string, unknown>; purposes: Record<string, Record<string, unknown>> };
};

describe('policyDiff', () => {
  it('finds nothing between equal documents, whatever their key order', () => {
    expect(policyDiff(EU, structuredClone(EU))).toEqual([]);
    expect(policyDiff({ a: 1, b: { c: 2, d: [1] } }, { b: { d: [1], c: 2 }, a: 1 })).toEqual([]);
  });

  it('lists each changed value by its path, with canonical JSON before and after, in path order', () => {
    const tightened = structuredClone(EU);
    tightened.version = '2025.4';
    tightened.rules.crossBorder.otherwise = 'deny';
    tightened.rules.purposes.PUBHLTH!.categories = ['patient', 'immunizations'];
    expect(policyDiff(EU, tightened)).toEqual([
      { path: 'rules.crossBorder.otherwise', before: '"explicit_consent"', after: '"deny"' },
      {
        path: 'rules.purposes.PUBHLTH.categories',
        before: '["patient","problems","immunizations","results"]',
        after: '["patient","immunizations"]',
      },
      { path: 'version', before: '"2025.3"', after: '"2025.4"' },
    ]);
  });

  it('marks added and removed paths with null, leaf by leaf inside a new or removed object', () => {
    expect(policyDiff({ a: { x: 1 }, gone: true }, { a: { x: 1, y: [2] }, fresh: { p: { q: 'r' } } })).toEqual([
      { path: 'a.y', before: null, after: '[2]' },
      { path: 'fresh.p.q', before: null, after: '"r"' },
      { path: 'gone', before: 'true', after: null },
    ]);
  });

  it('compares arrays as values: a reordered list changes the hash, so it is a change', () => {
    expect(policyDiff({ l: [1, 2] }, { l: [2, 1] })).toEqual([{ path: 'l', before: '[1,2]', after: '[2,1]' }]);
  });

  it('keeps a JSON null apart from a missing value, and a type change is one change', () => {
    expect(policyDiff({ n: null, t: { a: 1 } }, { t: 'flat' })).toEqual([
      { path: 'n', before: 'null', after: null },
      { path: 't', before: '{"a":1}', after: '"flat"' },
    ]);
  });

  it('against nothing, lists every value of the document as new', () => {
    const changes = policyDiff(undefined, EU);
    expect(changes).toContainEqual({ path: 'version', before: null, after: '"2025.3"' });
    expect(changes).toContainEqual({
      path: 'rules.crossBorder.withinFamily',
      before: null,
      after: '"explicit_consent"',
    });
    expect(changes.every((c) => c.before === null && c.after !== null)).toBe(true);
  });

  it('names the whole document when it is not an object', () => {
    expect(policyDiff({ a: 1 }, 'x')).toEqual([{ path: '(document)', before: '{"a":1}', after: '"x"' }]);
  });
});
