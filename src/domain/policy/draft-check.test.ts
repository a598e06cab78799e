import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { draftProblems, withDraft } from './draft-check.js';
import { parsePolicyDocument, type OverlayPolicyDocument, type PolicyDocument } from './policy-document.js';

function shipped(name: string): PolicyDocument {
  return parsePolicyDocument(
    JSON.parse(readFileSync(new URL(`../../../policies/${name}.json`, import.meta.url), 'utf8')),
  );
}

const EU = shipped('eu');
const DE = shipped('de') as OverlayPolicyDocument;
const US = shipped('us');

describe('draftProblems', () => {
  it('finds none for a regional policy, nor for the shipped DE overlay on the active EU policy', () => {
    expect(draftProblems(EU, [])).toEqual([]);
    expect(draftProblems(DE, [EU, US])).toEqual([]);
  });

  it('names every value an overlay would loosen', () => {
    const loose: OverlayPolicyDocument = {
      ...DE,
      version: '2026.1',
      rules: { crossBorder: { ...(EU.rules.crossBorder ?? {}), otherwise: 'allow' } as never },
    };
    expect(draftProblems(loose, [EU, DE])).toEqual([
      expect.stringMatching(/^rules\.crossBorder\.otherwise: allow is ignored/),
    ]);
  });

  it('refuses an overlay whose parent has no active version, or whose chain loops', () => {
    expect(draftProblems(DE, [US])).toEqual(['extends: policy EU has no active version']);
    const a = { ...DE, jurisdiction: 'AA', extends: 'BB' } as OverlayPolicyDocument;
    const b = { ...DE, jurisdiction: 'BB', extends: 'CC' } as OverlayPolicyDocument;
    const c = { ...DE, jurisdiction: 'CC', extends: 'BB' } as OverlayPolicyDocument;
    expect(draftProblems(a, [b, c])).toEqual(['extends: policy BB forms a cycle']);
    // Back to the draft itself: its own id stands for the version it replaces, so no parent.
    expect(draftProblems(a, [{ ...b, extends: 'AA' }])).toEqual(['extends: policy AA has no active version']);
  });

  it("ignores the draft's own active version: the draft replaces it", () => {
    const selfParent = { ...DE, extends: 'DE' } as OverlayPolicyDocument;
    expect(draftProblems(selfParent, [EU, DE])).toEqual(['extends: policy DE has no active version']);
  });
});

describe('withDraft', () => {
  it("puts the draft in place of its jurisdiction's active version, leaving the others", () => {
    const next = { ...EU, version: '2026.1' } as PolicyDocument;
    expect(withDraft([EU, DE, US], next)).toEqual([DE, US, next]);
    expect(withDraft([US], DE)).toEqual([US, DE]);
  });
});
