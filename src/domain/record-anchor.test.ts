import { describe, expect, it } from 'vitest';
import { merkleRoot } from './merkle.js';
import { anchorLeaf, anchorTree } from './record-anchor.js';

const a = { key: 'Observation/o-1', contentHash: 'a'.repeat(64) };
const b = { key: 'Condition/c-1', contentHash: 'b'.repeat(64) };
const c = { key: 'condition/c-2', contentHash: 'c'.repeat(64) };

describe('record anchor trees', () => {
  it('sorts leaves by key in code-unit order, whatever order they come in', () => {
    const tree = anchorTree([c, a, b]);
    expect(tree.entries.map((e) => e.key)).toEqual(['Condition/c-1', 'Observation/o-1', 'condition/c-2']);
    expect(tree.merkleRoot).toBe(merkleRoot([b, a, c].map(anchorLeaf)));
    expect(anchorTree([a, b, c]).merkleRoot).toBe(tree.merkleRoot);
  });

  it('a leaf is the canonical JSON of key and hash, and a changed hash changes the root', () => {
    expect(anchorLeaf(a)).toBe(`{"contentHash":"${'a'.repeat(64)}","key":"Observation/o-1"}`);
    expect(anchorTree([a, { ...b, contentHash: 'd'.repeat(64) }]).merkleRoot).not.toBe(anchorTree([a, b]).merkleRoot);
  });

  it('refuses a key twice in one batch', () => {
    expect(() => anchorTree([a, b, { ...a, contentHash: 'e'.repeat(64) }])).toThrow(
      'record Observation/o-1 appears twice in a batch',
    );
  });
});
