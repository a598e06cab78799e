import { randomUUID } from 'node:crypto';
import { contentHashMatches } from '../../domain/canonical-json.js';
import { anchorTree, RECORD_BATCH_PREFIX, type AnchorEntry } from '../../domain/record-anchor.js';
import type { LedgerActor } from '../../ledger/ledger.js';
import type { LedgerClient } from '../../ledger/ledger-client.js';
import type { Stores } from '../../stores/open-stores.js';
import type { RecordAnchorStore } from '../../stores/record-anchor-store.js';
import {
  PatientIndexAnchorer,
  type PatientIndexAnchorerOptions,
  type VacatedRegion,
} from './patient-index-anchoring.js';

/** Who record batches are anchored as. */
export const RECORD_ANCHOR_ACTOR: LedgerActor = { user: 'meridian-gateway', role: 'gateway' };

/** Most leaves in one ledger batch. */
export const DEFAULT_RECORD_BATCH_SIZE = 5000;

/** A batch of record hashes committed on the ledger and recorded in the region. */
export interface AnchoredRecordBatch {
  readonly batchId: string;
  readonly merkleRoot: string;
  readonly count: number;
  readonly txId: string;
}

export interface RecordAnchoringResult {
  /** Entries put in new batches. */
  readonly anchored: number;
  /** Entries whose newest anchor already had the same hash: nothing to do. */
  readonly alreadyAnchored: number;
  readonly batches: readonly AnchoredRecordBatch[];
}

export interface UnanchoredAnchoringResult {
  readonly anchored: number;
  /** Keys of rows left alone because their resource no longer matches their own `content_hash`. */
  readonly mismatched: readonly string[];
  readonly batches: readonly AnchoredRecordBatch[];
}

/** What write paths (seed, import) hand the records they wrote to. */
export interface RecordAnchoring {
  /**
   * Anchors the content hashes of records just written, in batches on the ledger. An entry
   * whose newest anchor already has its hash is skipped, so repeating a write (or a write
   * that failed after storing) anchors exactly what is missing.
   */
  anchorRecords(region: string, entries: readonly AnchorEntry[]): Promise<RecordAnchoringResult>;
  /**
   * Anchors the patient-index entries of these patients as stored now (after their records
   * and links are written); resolves to the number of entries anchored.
   */
  anchorPatients(globalIds: Iterable<string>, vacated?: readonly VacatedRegion[]): Promise<number>;
}

export interface RecordAnchorerOptions {
  /** Record anchors per region id. */
  readonly stores: ReadonlyMap<string, RecordAnchorStore>;
  readonly ledger: LedgerClient;
  readonly actor?: LedgerActor;
  /** Most leaves per ledger batch (default 5000). */
  readonly batchSize?: number;
  /** The patient index and the regions' records, whose entries `anchorPatients` anchors. */
  readonly patients: Pick<PatientIndexAnchorerOptions, 'control' | 'stores'>;
  readonly clock?: () => Date;
}

/**
 * Anchors record content hashes on the ledger as Merkle batches: the ledger first, then
 * the batch and its leaves in the region's database in one transaction. A batch on the
 * ledger whose rows could not be stored is harmless: nothing points at it.
 */
export class RecordAnchorer implements RecordAnchoring {
  readonly #o: Readonly<RecordAnchorerOptions>;
  readonly #batchSize: number;
  readonly #index: PatientIndexAnchorer;

  constructor(options: Readonly<RecordAnchorerOptions>) {
    this.#o = options;
    this.#index = new PatientIndexAnchorer({ ...options.patients, ledger: options.ledger, actor: options.actor });
    this.#batchSize = options.batchSize ?? DEFAULT_RECORD_BATCH_SIZE;
    if (!Number.isInteger(this.#batchSize) || this.#batchSize < 1) throw new RangeError('batchSize must be 1 or more');
  }

  anchorPatients(globalIds: Iterable<string>, vacated?: readonly VacatedRegion[]): Promise<number> {
    return this.#index.anchorPatients(globalIds, vacated);
  }

  async anchorRecords(region: string, entries: readonly AnchorEntry[]): Promise<RecordAnchoringResult> {
    const store = this.#store(region);
    const wanted = new Map<string, string>();
    for (const e of entries) wanted.set(e.key, e.contentHash);
    const keys = [...wanted.keys()];
    const batches: AnchoredRecordBatch[] = [];
    let pending: AnchorEntry[] = [];
    let alreadyAnchored = 0;
    for (let i = 0; i < keys.length; i += this.#batchSize) {
      const chunk = keys.slice(i, i + this.#batchSize);
      const latest = await store.latest(chunk);
      for (const key of chunk) {
        const hash = wanted.get(key) ?? '';
        if (latest.get(key)?.contentHash === hash) alreadyAnchored++;
        else pending.push({ key, contentHash: hash });
      }
      if (pending.length >= this.#batchSize) {
        batches.push(await this.#anchor(store, pending.slice(0, this.#batchSize)));
        pending = pending.slice(this.#batchSize);
      }
    }
    if (pending.length > 0) batches.push(await this.#anchor(store, pending));
    return { anchored: keys.length - alreadyAnchored, alreadyAnchored, batches };
  }

  /**
   * Anchors every record of the region that has no anchor at all, with the content the
   * database holds now: whatever was altered before this runs is anchored as it is. Rows
   * whose resource does not match their own `content_hash` are left out and listed.
   */
  async anchorUnanchored(region: string, onProgress?: (anchored: number) => void): Promise<UnanchoredAnchoringResult> {
    const store = this.#store(region);
    const batches: AnchoredRecordBatch[] = [];
    const mismatched: string[] = [];
    let anchored = 0;
    let after = '';
    for (;;) {
      const rows = await store.unanchored(this.#batchSize, after);
      const last = rows.at(-1);
      if (last === undefined) break;
      after = last.key;
      const entries: AnchorEntry[] = [];
      for (const row of rows) {
        if (contentHashMatches(row.resource, row.contentHash))
          entries.push({ key: row.key, contentHash: row.contentHash });
        else mismatched.push(row.key);
      }
      if (entries.length > 0) batches.push(await this.#anchor(store, entries));
      anchored += entries.length;
      onProgress?.(anchored);
    }
    return { anchored, mismatched, batches };
  }

  #store(region: string): RecordAnchorStore {
    const store = this.#o.stores.get(region);
    if (store === undefined) throw new Error(`no record anchor store for region ${region}`);
    return store;
  }

  async #anchor(store: RecordAnchorStore, entries: readonly AnchorEntry[]): Promise<AnchoredRecordBatch> {
    const tree = anchorTree(entries);
    const batchId = `${RECORD_BATCH_PREFIX}:${store.region}:${randomUUID()}`;
    const now = (this.#o.clock?.() ?? new Date()).toISOString();
    const anchored = await this.#o.ledger.anchorBatch(this.#o.actor ?? RECORD_ANCHOR_ACTOR, {
      batchId,
      kind: 'records',
      region: store.region,
      merkleRoot: tree.merkleRoot,
      count: tree.entries.length,
      fromTime: now,
      toTime: now,
    });
    await store.saveBatch({ id: batchId, merkleRoot: tree.merkleRoot, txId: anchored.txId, entries: tree.entries });
    return { batchId, merkleRoot: tree.merkleRoot, count: tree.entries.length, txId: anchored.txId };
  }
}

/** The anchorer of a gateway's or a command's stores: record batches and the patient index they feed. */
export function anchorerOf(
  stores: Pick<Stores, 'anchors' | 'control' | 'stores'>,
  ledger: LedgerClient,
): RecordAnchorer {
  return new RecordAnchorer({
    stores: stores.anchors,
    ledger,
    patients: { control: stores.control, stores: stores.stores },
  });
}
