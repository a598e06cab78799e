import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { inclusionProof, inclusionProofInSlices, merkleRoot, merkleRootInSlices, verifyInclusion } from './merkle.js';

const batch = fc.array(fc.string({ maxLength: 20 }), { minLength: 1, maxLength: 70 });
const batchWithIndex = batch.chain((leaves) => fc.tuple(fc.constant(leaves), fc.nat({ max: leaves.length - 1 })));

describe('Merkle anchoring', () => {
  it('matches the RFC 6962 shape on a known batch', () => {
    // Root of ["a"] is SHA-256(0x00 || "a").
    expect(merkleRoot(['a'])).toBe('022a6979e6dab7aa5ae4c3e5e45f7e977112a7e63593820dbec1ec738a24f93c');
    expect(merkleRoot([])).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(merkleRoot(['a', 'b'])).not.toBe(merkleRoot(['b', 'a']));
  });

  it('every leaf of every batch has a proof that verifies against the root', () => {
    fc.assert(
      fc.property(batchWithIndex, ([leaves, i]) => {
        const proof = inclusionProof(leaves, i);
        expect(proof.path.length).toBeLessThanOrEqual(Math.ceil(Math.log2(leaves.length)));
        return verifyInclusion(leaves[i]!, proof, merkleRoot(leaves));
      }),
    );
  });

  it('a proof fails for another leaf, another position, another root or a tampered path', () => {
    fc.assert(
      fc.property(batchWithIndex, fc.string({ maxLength: 20 }), ([leaves, i], other) => {
        const root = merkleRoot(leaves);
        const proof = inclusionProof(leaves, i);
        if (other !== leaves[i]) expect(verifyInclusion(other, proof, root)).toBe(false);
        const changed = leaves.map((l, j) => (j === i ? `${l}!` : l));
        expect(verifyInclusion(leaves[i]!, proof, merkleRoot(changed))).toBe(false);
        if (leaves.length > 1) {
          const moved = { ...proof, leafIndex: (i + 1) % leaves.length };
          if (leaves[moved.leafIndex] !== leaves[i]) expect(verifyInclusion(leaves[i]!, moved, root)).toBe(false);
          const flipped = proof.path.map((h, j) => (j === 0 ? `${h[0] === '0' ? '1' : '0'}${h.slice(1)}` : h));
          expect(verifyInclusion(leaves[i]!, { ...proof, path: flipped }, root)).toBe(false);
          expect(verifyInclusion(leaves[i]!, { ...proof, path: proof.path.slice(1) }, root)).toBe(false);
        }
      }),
    );
  });

  it('computed in slices, the root is the same for every batch size', async () => {
    for (let n = 0; n <= 70; n++) {
      const leaves = Array.from({ length: n }, (_, i) => `leaf-${i}`);
      expect(await merkleRootInSlices(leaves), `${n} leaves`).toBe(merkleRoot(leaves));
    }
    await fc.assert(
      fc.asyncProperty(batch, async (leaves) => (await merkleRootInSlices(leaves)) === merkleRoot(leaves)),
    );
  });

  it('computed in slices, every proof is the same as at once, and verifies', async () => {
    for (let n = 1; n <= 40; n++) {
      const leaves = Array.from({ length: n }, (_, i) => `leaf-${i}`);
      for (let i = 0; i < n; i++) {
        const { root, proof } = await inclusionProofInSlices(leaves, i);
        expect(proof, `leaf ${i} of ${n}`).toEqual(inclusionProof(leaves, i));
        expect(root).toBe(merkleRoot(leaves));
        expect(verifyInclusion(leaves[i]!, proof, root)).toBe(true);
      }
    }
    await fc.assert(
      fc.asyncProperty(batchWithIndex, async ([leaves, i]) => {
        const { root, proof } = await inclusionProofInSlices(leaves, i);
        return root === merkleRoot(leaves) && JSON.stringify(proof) === JSON.stringify(inclusionProof(leaves, i));
      }),
    );
    await expect(inclusionProofInSlices(['a', 'b'], 2)).rejects.toThrow(RangeError);
  });

  it('a large batch computed in slices lets other work run before its root is ready', async () => {
    const leaves = Array.from({ length: 5000 }, (_, i) => `event-${i}`);
    let turns = 0;
    let root: string | undefined;
    const rooted = merkleRootInSlices(leaves).then((r) => (root = r));
    while (root === undefined) {
      await nextTurn();
      turns++;
    }
    await rooted;
    expect(root).toBe(merkleRoot(leaves));
    expect(turns).toBeGreaterThan(5);
  });

  it('refuses an index outside the batch', () => {
    expect(() => inclusionProof(['a', 'b'], 2)).toThrow(RangeError);
    expect(verifyInclusion('a', { leafIndex: 3, treeSize: 2, path: [] }, merkleRoot(['a', 'b']))).toBe(false);
  });
});
