import type { BatchAnchor } from 'meridian-chaincode';
import { HASH_SCHEMES, contentHash, type HashScheme } from '../../domain/canonical-json.js';
import { MeridianError } from '../../domain/errors.js';
import { anchorLeafHash, batchLeafHashes, type BatchLeaf } from '../../domain/record-anchor.js';
import { merkleRootOfLeafHashes } from '../../domain/merkle.js';
import { recordKey, type StoredRecord } from '../../domain/record.js';
import type { LedgerActor } from '../../ledger/ledger.js';
import type { LedgerClient } from '../../ledger/ledger-client.js';
import { LedgerError } from '../../ledger/ledger-error.js';
import type { LatestAnchor, RecordAnchorStore } from '../../stores/record-anchor-store.js';
import { sourceDigestOf } from '../../stores/region-reader.js';
import { rememberRecent } from '../remember-recent.js';
import { RECORD_ANCHOR_ACTOR } from '../anchoring/record-anchoring.js';
import { columnMismatch, resourceFacts, type ResourceFacts } from './record-columns.js';
import { hasLeaf, leafSet, VerifiedBatches, type LeafSet } from '../anchoring/verified-batches.js';

/** A record withheld, and why: ids only, never content. */
export interface RecordViolation {
  readonly record: StoredRecord;
  readonly message: string;
}

export interface RecordVerification {
  readonly verified: StoredRecord[];
  readonly violations: RecordViolation[];
}

export interface RecordVerifierOptions {
  /** Record anchors per region id. */
  readonly stores: ReadonlyMap<string, RecordAnchorStore>;
  readonly ledger: LedgerClient;
  readonly actor?: LedgerActor;
  /**
   * Most leaves of verified batches kept in memory (default 2,000,000: 64 MB). Below the number
   * of anchored records a read rotation touches, reads refetch and rehash whole batches.
   */
  readonly maxRememberedLeaves?: number;
  /** Most content hashes of stored texts kept (default 100,000: about 35 MB). */
  readonly maxRememberedHashes?: number;
}

/** A record's content hash under one scheme, and the anchor leaf hash of its key and that hash. */
interface Hashed {
  readonly contentHash: string;
  readonly leaf: Buffer;
  readonly facts: ResourceFacts;
}

/** Why a batch failed its check; for messages, with no content. */
type BatchCheck = { readonly ok: true; readonly leaves: LeafSet } | { readonly ok: false };

/**
 * Checks records read from a region against their ledger anchors. A record passes when its
 * content's leaf (key, hash of the resource as read) is in the batch that holds its newest
 * anchor, that batch's rows rebuild the Merkle root the ledger holds for it, and its indexed
 * columns agree with the resource. Verified batches are remembered with their leaves, so a
 * hot read costs one indexed query per region.
 */
export class RecordVerifier {
  readonly #o: Readonly<RecordVerifierOptions>;
  readonly #verified: VerifiedBatches;
  readonly #inFlight = new Map<string, Promise<BatchCheck>>();
  /** Content and leaf hashes by scheme, record key and the digest of the stored text they were computed from. */
  readonly #hashes = new Map<string, Hashed>();
  readonly #maxHashes: number;

  constructor(options: Readonly<RecordVerifierOptions>) {
    this.#o = options;
    this.#verified = new VerifiedBatches(options.maxRememberedLeaves ?? 2_000_000);
    this.#maxHashes = options.maxRememberedHashes ?? 100_000;
  }

  /**
   * Splits `records` (all read from `region`) into verified ones and violations, in input
   * order. Throws `LEDGER_UNAVAILABLE` when a batch must be checked and the ledger cannot
   * be reached: the caller must not disclose records it could not verify. `latest`: the
   * records' newest anchors when they were read with the records (else they are read here).
   */
  async verify(
    region: string,
    records: readonly StoredRecord[],
    latest?: ReadonlyMap<string, LatestAnchor>,
  ): Promise<RecordVerification> {
    const out: RecordVerification = { verified: [], violations: [] };
    if (records.length === 0) return out;
    const store = this.#o.stores.get(region);
    if (store === undefined) throw new Error(`no record anchor store for region ${region}`);
    latest ??= await store.latest(records.map(recordKey));
    const batchIds = [...new Set([...latest.values()].map((a) => a.batchId))];
    const checks = new Map(
      await Promise.all(batchIds.map(async (id) => [id, await this.#checkBatch(store, id)] as const)),
    );
    for (const record of records) {
      const key = recordKey(record);
      const anchor = latest.get(key);
      const check = anchor === undefined ? undefined : checks.get(anchor.batchId);
      // Anchored under RFC 8785, or under the canonical form before it (see HashScheme); each hashed once.
      const hashes = new Map<HashScheme, Hashed>();
      const hashOf = (scheme: HashScheme): Hashed => {
        let hashed = hashes.get(scheme);
        if (hashed === undefined) hashes.set(scheme, (hashed = this.#hashed(record, key, scheme)));
        return hashed;
      };
      const anchored = (scheme: HashScheme): boolean =>
        check?.ok === true && hasLeaf(check.leaves, hashOf(scheme).leaf);
      const scheme = HASH_SCHEMES.find(anchored);
      const { contentHash: hash, facts } = hashOf(scheme ?? 'jcs');
      let problem: string | null = null;
      if (anchor === undefined || check === undefined) problem = 'has no ledger anchor';
      else if (!check.ok) problem = `is anchored in batch ${anchor.batchId}, which does not verify against the ledger`;
      else if (scheme === undefined) problem = 'does not match its anchored content hash';
      else {
        const column = columnMismatch(record, hash, facts);
        if (column !== null) problem = `has a ${column} column that disagrees with its anchored content`;
      }
      if (problem === null) out.verified.push(record);
      else out.violations.push({ record, message: `Record ${key} in region ${region} ${problem}.` });
    }
    return out;
  }

  /**
   * The record's content hash under `scheme`, its anchor leaf hash and what its columns must
   * agree with: parsing and canonicalising a resource costs far more than hashing its stored
   * text, so all three are remembered by the digest of that text (the same text is the same
   * value) and the record's key, and computed only for text not met before.
   */
  #hashed(record: StoredRecord, key: string, scheme: HashScheme): Hashed {
    const compute = (): Hashed => {
      const hash = contentHash(record.resource, scheme);
      return { contentHash: hash, leaf: anchorLeafHash({ key, contentHash: hash }), facts: resourceFacts(record) };
    };
    const digest = sourceDigestOf(record);
    if (digest === undefined) return compute();
    const memoKey = `${scheme}\u0000${key}\u0000${digest}`;
    let hashed = this.#hashes.get(memoKey);
    if (hashed === undefined) rememberRecent(this.#hashes, memoKey, (hashed = compute()), this.#maxHashes);
    return hashed;
  }

  async #checkBatch(store: RecordAnchorStore, batchId: string): Promise<BatchCheck> {
    const memoKey = `${store.region}\u0000${batchId}`;
    const leaves = this.#verified.get(memoKey);
    if (leaves !== undefined) return { ok: true, leaves };
    let running = this.#inFlight.get(memoKey);
    if (running === undefined) {
      running = this.#loadBatch(store, batchId).finally(() => this.#inFlight.delete(memoKey));
      this.#inFlight.set(memoKey, running);
    }
    const check = await running;
    if (check.ok) this.#verified.add(memoKey, check.leaves);
    return check;
  }

  async #loadBatch(store: RecordAnchorStore, batchId: string): Promise<BatchCheck> {
    const [entries, anchor] = await Promise.all([
      store.batchEntries(batchId),
      this.#ledgerBatch(store.region, batchId),
    ]);
    const hashes = anchor === null ? null : leavesOf(anchor, store.region, entries);
    return hashes === null ? { ok: false } : { ok: true, leaves: leafSet(hashes) };
  }

  /** The ledger's record of a batch; null when the ledger has none. */
  async #ledgerBatch(region: string, batchId: string): Promise<BatchAnchor | null> {
    try {
      return await this.#o.ledger.getBatch(this.#o.actor ?? RECORD_ANCHOR_ACTOR, batchId);
    } catch (err) {
      if (err instanceof LedgerError && err.failure === 'rejected' && err.chaincodeCode === 'NOT_FOUND') return null;
      if (err instanceof MeridianError && err.code === 'LEDGER_UNAVAILABLE') {
        const unavailable = new MeridianError(
          'LEDGER_UNAVAILABLE',
          `The ledger cannot be reached to verify the records of region ${region}.`,
          { region },
        );
        unavailable.cause = err;
        throw unavailable;
      }
      throw err;
    }
  }
}

/**
 * The leaf hashes of a batch's stored leaves when they rebuild the root the ledger anchored
 * (erased records' leaves by their kept hash); null when they do not.
 */
function leavesOf(anchor: BatchAnchor, region: string, entries: readonly BatchLeaf[]): Buffer[] | null {
  if (anchor.kind !== 'records' || anchor.region !== region || anchor.count !== entries.length) return null;
  const hashes = batchLeafHashes(entries);
  return hashes !== null && merkleRootOfLeafHashes(hashes) === anchor.merkleRoot ? hashes : null;
}
