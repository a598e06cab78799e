const HASH_BYTES = 32;

/** The leaf hashes of one verified batch, sorted, back to back: 32 bytes a leaf. */
export type LeafSet = Buffer;

/** The leaf set of a batch whose leaves hash to `hashes`. */
export function leafSet(hashes: readonly Buffer[]): LeafSet {
  return Buffer.concat([...hashes].sort((a, b) => Buffer.compare(a, b)));
}

/** Whether `hash` is one of the set's leaves (binary search). */
export function hasLeaf(set: LeafSet, hash: Buffer): boolean {
  let lo = 0;
  let hi = set.length / HASH_BYTES - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const c = Buffer.compare(set.subarray(mid * HASH_BYTES, (mid + 1) * HASH_BYTES), hash);
    if (c === 0) return true;
    if (c < 0) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/**
 * Batches already verified against the ledger, with their leaves, least recently used
 * first out once more than `maxLeaves` leaves are held. A batch on the ledger never
 * changes, so a verified leaf set stays true; remembering the leaves (not just the batch
 * id) keeps a later edit of an anchor row from passing unnoticed.
 */
export class VerifiedBatches {
  readonly #maxLeaves: number;
  readonly #sets = new Map<string, LeafSet>();
  #leaves = 0;

  constructor(maxLeaves: number) {
    this.#maxLeaves = maxLeaves;
  }

  get(id: string): LeafSet | undefined {
    const set = this.#sets.get(id);
    if (set !== undefined) {
      this.#sets.delete(id);
      this.#sets.set(id, set);
    }
    return set;
  }

  add(id: string, set: LeafSet): void {
    const old = this.#sets.get(id);
    if (old !== undefined) {
      this.#sets.delete(id);
      this.#leaves -= old.length / HASH_BYTES;
    }
    this.#sets.set(id, set);
    this.#leaves += set.length / HASH_BYTES;
    for (const [oldest, s] of this.#sets) {
      if (this.#leaves <= this.#maxLeaves || oldest === id) break;
      this.#sets.delete(oldest);
      this.#leaves -= s.length / HASH_BYTES;
    }
  }

  /** Batches held now. */
  get size(): number {
    return this.#sets.size;
  }
}
