import { canonicalJson } from './canonical-json.js';
import { leafHash, merkleRoot } from './merkle.js';
import { recordKey, type StoredRecord } from './record.js';

/** What a ledger batch of records anchors for one record: its key and the hash of its content. */
export interface AnchorEntry {
  /** `${resourceType}/${resourceId}`, as `recordKey` makes it. */
  readonly key: string;
  /** sha256 of the canonical JSON of the resource (`contentHash`). */
  readonly contentHash: string;
}

/** A batch's leaves in tree order (by key) with their Merkle root. */
export interface AnchorTree {
  readonly entries: readonly AnchorEntry[];
  readonly merkleRoot: string;
}

/** Batch ids on the ledger: `records:<region>:<uuid>` fits the chaincode's id alphabet. */
export const RECORD_BATCH_PREFIX = 'records';

/** The leaf text of one entry: canonical JSON, so every party derives the same bytes. */
export function anchorLeaf(entry: AnchorEntry): string {
  return canonicalJson({ key: entry.key, contentHash: entry.contentHash });
}

/** The RFC 9162 leaf hash of one entry: what a verified batch is remembered by. */
export function anchorLeafHash(entry: AnchorEntry): Buffer {
  return leafHash(anchorLeaf(entry));
}

// Code-unit order, never a locale's: the database's collation must not decide the tree.
function byKey(a: AnchorEntry, b: AnchorEntry): number {
  if (a.key === b.key) return 0;
  return a.key < b.key ? -1 : 1;
}

/**
 * The Merkle tree of a batch: entries sorted by key, one leaf each. Throws on a key that
 * appears twice, since a batch anchors one hash per record.
 */
export function anchorTree(entries: readonly AnchorEntry[]): AnchorTree {
  const sorted = [...entries].sort(byKey);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]?.key === sorted[i - 1]?.key)
      throw new Error(`record ${sorted[i]?.key ?? ''} appears twice in a batch`);
  }
  return { entries: sorted, merkleRoot: merkleRoot(sorted.map(anchorLeaf)) };
}

/** The entry a written record is anchored by: its key and the hash of the content written. */
export function anchorEntryOf(record: Pick<StoredRecord, 'resourceType' | 'resourceId' | 'contentHash'>): AnchorEntry {
  return { key: recordKey(record), contentHash: record.contentHash };
}

/** The key an erased record's anchor row keeps (with its leaf index): it names no record. */
export const ERASED_KEY_PREFIX = 'erased:';

/** One stored leaf of a batch: an entry, or only its leaf hash once its record was erased. */
export interface BatchLeaf extends AnchorEntry {
  readonly leafIndex: number;
  /** Hex; set (and `key` is `erased:<leaf index>`) when the record was erased. */
  readonly leafHash: string | null;
}

/**
 * The leaf hashes of a batch's stored leaves in tree order, or null when they cannot be the
 * leaves of an anchored batch: positions not 0..n-1, or the entries still named not in strictly
 * ascending key order (as `anchorTree` sorts them).
 */
export function batchLeafHashes(leaves: readonly BatchLeaf[]): Buffer[] | null {
  const ordered = [...leaves].sort((a, b) => a.leafIndex - b.leafIndex);
  let previous: string | null = null;
  const hashes: Buffer[] = [];
  for (const [i, leaf] of ordered.entries()) {
    if (leaf.leafIndex !== i) return null;
    if (leaf.leafHash !== null) {
      if (leaf.key !== `${ERASED_KEY_PREFIX}${i}` || !/^[0-9a-f]{64}$/.test(leaf.leafHash)) return null;
      hashes.push(Buffer.from(leaf.leafHash, 'hex'));
      continue;
    }
    if (previous !== null && !(previous < leaf.key)) return null;
    previous = leaf.key;
    hashes.push(anchorLeafHash(leaf));
  }
  return hashes;
}
