import { describe, expect, it } from 'vitest';
import { merkleRoot, merkleRootOfLeafHashes } from './merkle.js';
import { anchorLeaf, anchorLeafHash, anchorTree, batchLeafHashes, type BatchLeaf } from './record-anchor.js';

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

  it("rebuilds a batch's root with an erased leaf kept as its hash, and refuses leaves out of place", () => {
    const tree = anchorTree([a, b, c]);
    const stored: BatchLeaf[] = tree.entries.map((e, leafIndex) => ({ ...e, leafIndex, leafHash: null }));
    const erased = stored.map((l) =>
      l.key === a.key
        ? {
            key: `erased:${l.leafIndex}`,
            contentHash: '',
            leafIndex: l.leafIndex,
            leafHash: anchorLeafHash(l).toString('hex'),
          }
        : l,
    );
    expect(merkleRootOfLeafHashes(batchLeafHashes([...erased].reverse())!)).toBe(tree.merkleRoot);
    // Positions swapped, a position missing, an erased row under another index: no batch's leaves.
    const [first, second, third] = stored;
    expect(batchLeafHashes([{ ...first!, leafIndex: 1 }, { ...second!, leafIndex: 0 }, third!])).toBeNull();
    expect(batchLeafHashes([first!, third!])).toBeNull();
    expect(batchLeafHashes(erased.map((l) => (l.leafHash !== null ? { ...l, key: 'erased:9' } : l)))).toBeNull();
  });
});
