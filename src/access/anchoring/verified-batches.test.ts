import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hasLeaf, leafSet, VerifiedBatches } from './verified-batches.js';

const h = (s: string) => createHash('sha256').update(s).digest();
const set = (...leaves: string[]) => leafSet(leaves.map(h));

describe('verified batches', () => {
  it('finds exactly the leaves of a set', () => {
    const leaves = Array.from({ length: 37 }, (_, i) => `leaf-${i}`);
    const s = set(...leaves);
    for (const leaf of leaves) expect(hasLeaf(s, h(leaf))).toBe(true);
    expect(hasLeaf(s, h('leaf-37'))).toBe(false);
    expect(hasLeaf(set(), h('leaf-0'))).toBe(false);
  });

  it('keeps at most maxLeaves leaves, dropping the least recently used batch first', () => {
    const memo = new VerifiedBatches(5);
    memo.add('b1', set('1', '2'));
    memo.add('b2', set('3', '4'));
    expect(memo.get('b1')).toBeDefined(); // b2 is now the least recently used
    memo.add('b3', set('5', '6'));
    expect(memo.get('b2')).toBeUndefined();
    expect(memo.get('b1')).toBeDefined();
    expect(memo.get('b3')).toBeDefined();
    memo.add('big', set('a', 'b', 'c', 'd', 'e', 'f'));
    expect(memo.size).toBe(1);
    expect(memo.get('big')).toBeDefined();
  });
});
