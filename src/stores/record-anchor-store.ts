import type pg from 'pg';
import type { PrismaClient } from '../generated/records/client.js';
import type { AnchorEntry, BatchLeaf } from '../domain/record-anchor.js';

/** A record's newest anchor: the batch that holds it and the hash the row says was anchored. */
export interface LatestAnchor extends AnchorEntry {
  readonly batchId: string;
}

/** A batch the ledger has committed, to be recorded with its leaves. */
export interface AnchorBatchRow {
  readonly id: string;
  readonly merkleRoot: string;
  readonly txId: string;
  /** The leaves in tree order: `leafIndex` is the position here. */
  readonly entries: readonly AnchorEntry[];
}

/** A stored record with no anchor at all, as the database holds it now. */
export interface UnanchoredRecord {
  readonly key: string;
  /** The row's own `content_hash` column. */
  readonly contentHash: string;
  readonly resource: unknown;
}

/**
 * A region's record anchors: which ledger batch anchored which content hash for each
 * record key. Lives in the region's database beside its records.
 */
export interface RecordAnchorStore {
  readonly region: string;
  /** The newest anchor (highest batch seq) of each key that has one. */
  latest(keys: readonly string[]): Promise<Map<string, LatestAnchor>>;
  /** Every leaf the database holds for a batch, in no particular order; empty for an unknown batch. */
  batchEntries(batchId: string): Promise<BatchLeaf[]>;
  /** Records a committed batch and its leaves in one transaction. */
  saveBatch(batch: AnchorBatchRow): Promise<void>;
  /** Up to `limit` records without any anchor whose keys sort after `afterKey`, in key order. */
  unanchored(limit: number, afterKey?: string): Promise<UnanchoredRecord[]>;
}

const INSERT_CHUNK = 10_000;
/** PGlite is slow and serves one connection: a batch may wait for a write of the region's records. */
const TRANSACTION = { timeout: 120_000, maxWait: 30_000 };

/** `RecordAnchorStore` on the region's own Prisma client: PGlite serves one connection, so it is shared. */
/** Each key's newest anchor ($1: the keys); the statement every verification of a region's read starts with. */
const LATEST_ANCHORS_SQL = `SELECT DISTINCT ON (a.key) a.key, a.content_hash AS "contentHash", a.batch_id AS "batchId"
  FROM record_anchors a JOIN record_anchor_batches b ON b.id = a.batch_id
  WHERE a.key = ANY($1::text[])
  ORDER BY a.key, b.seq DESC`;

/**
 * The newest anchor of the record `f.key` (a lateral subquery beside a region's read), as
 * `anchor_hash` and `anchor_batch`: what LATEST_ANCHORS_SQL answers for one key. The key's few
 * anchors are found by its index, each batch's seq by the batch's primary key: as a join (or
 * without OFFSET 0, which keeps the subquery apart) the planner may walk every batch by seq and
 * probe each for the key, 70 probes a key at ~1M records.
 */
export const LATEST_ANCHOR_OF_ROW = `SELECT x.anchor_hash, x.anchor_batch FROM (
    SELECT a.content_hash AS anchor_hash, a.batch_id AS anchor_batch,
      (SELECT b.seq FROM record_anchor_batches b WHERE b.id = a.batch_id) AS seq
    FROM record_anchors a WHERE a.key = f.key OFFSET 0
  ) x ORDER BY x.seq DESC LIMIT 1`;

export class PrismaRecordAnchorStore implements RecordAnchorStore {
  readonly region: string;
  readonly #prisma: PrismaClient;
  /** The pool under `prisma`: `latest`, asked on every uncached read, goes to it as a named statement. */
  readonly #pool: pg.Pool;

  constructor(region: string, prisma: PrismaClient, pool: pg.Pool) {
    this.region = region;
    this.#prisma = prisma;
    this.#pool = pool;
  }

  async latest(keys: readonly string[]): Promise<Map<string, LatestAnchor>> {
    const out = new Map<string, LatestAnchor>();
    if (keys.length === 0) return out;
    const { rows } = await this.#pool.query<LatestAnchor>({
      name: 'latest-anchors',
      text: LATEST_ANCHORS_SQL,
      values: [[...new Set(keys)]],
    });
    for (const row of rows) out.set(row.key, row);
    return out;
  }

  batchEntries(batchId: string): Promise<BatchLeaf[]> {
    return this.#prisma.recordAnchor.findMany({
      where: { batchId },
      select: { key: true, contentHash: true, leafIndex: true, leafHash: true },
    });
  }

  async saveBatch(batch: AnchorBatchRow): Promise<void> {
    const keys = batch.entries.map((e) => e.key);
    const hashes = batch.entries.map((e) => e.contentHash);
    await this.#prisma.$transaction(async (tx) => {
      await tx.recordAnchorBatch.create({
        data: { id: batch.id, merkleRoot: batch.merkleRoot, count: keys.length, txId: batch.txId },
      });
      // One statement over two arrays: a createMany of thousands of rows costs ten times as much.
      for (let i = 0; i < keys.length; i += INSERT_CHUNK) {
        await tx.$executeRaw`
          INSERT INTO record_anchors (batch_id, key, content_hash, leaf_index)
          SELECT ${batch.id}, t.key, t.hash, (t.ord - 1 + ${i})::int
          FROM unnest(${keys.slice(i, i + INSERT_CHUNK)}::text[], ${hashes.slice(i, i + INSERT_CHUNK)}::text[])
            WITH ORDINALITY AS t(key, hash, ord)`;
      }
    }, TRANSACTION);
  }

  unanchored(limit: number, afterKey = ''): Promise<UnanchoredRecord[]> {
    return this.#prisma.$queryRaw<UnanchoredRecord[]>`
      SELECT r.key, r.content_hash AS "contentHash", r.resource
      FROM records r
      WHERE r.key > ${afterKey} AND NOT EXISTS (SELECT 1 FROM record_anchors a WHERE a.key = r.key)
      ORDER BY r.key
      LIMIT ${limit}`;
  }
}
