import { PrismaClient, type Prisma } from '../generated/records/client.js';
import type { IpsResourceType } from '../domain/fhir.js';
import type { CensusRow } from '../domain/patient-index.js';
import { recordKey, type RecordQuery, type StoredRecord } from '../domain/record.js';
import { anchorLeafHash, ERASED_KEY_PREFIX } from '../domain/record-anchor.js';
import { connection, type Database } from './database.js';
import { PrismaRecordAnchorStore } from './record-anchor-store.js';
import { RegionReader, type RegionReads } from './region-reader.js';

export type { RegionReads } from './region-reader.js';

/** Counts of what a write did. */
export interface UpsertResult {
  readonly inserted: number;
  readonly updated: number;
  readonly unchanged: number;
}

export interface UpsertOptions {
  /** Reports records handled so far of the total, while the one transaction runs. */
  readonly onProgress?: (done: number, total: number) => void;
}

/** A region's record store. */
export interface RecordStore {
  readonly region: string;
  /**
   * Runs `reads` on one connection of the region's, once the pool has one for it: the time
   * `reads` takes is the region's, not the queue's. Waiting longer than the pool's connect
   * timeout fails with `PoolExhausted`. The connection goes back once every query `reads`
   * issued has finished, even when `reads` itself settled sooner (a deadline gave up on it).
   */
  reading<T>(reads: (region: RegionReads) => Promise<T>): Promise<T>;
  find(query: RecordQuery): Promise<StoredRecord[]>;
  /** The region-local patient a resource belongs to, if the region holds it. */
  patientOf(resourceType: IpsResourceType, resourceId: string): Promise<string | null>;
  /** Every record the region holds for a patient (under any of its local ids), by the columns that decide a disclosure. */
  census(patientIds: readonly string[]): Promise<CensusRow[]>;
  /** Writes all records in one transaction: all or nothing. Same key and hash is a no-op. */
  upsertMany(records: readonly Omit<StoredRecord, 'region'>[], options?: UpsertOptions): Promise<UpsertResult>;
  /**
   * Erases a patient's records (under any of its local ids) in one transaction: the rows go, and
   * every anchor of their keys keeps only its leaf hash (key `erased:<leaf index>`), so each
   * batch still rebuilds the root the ledger holds and other records in it still verify.
   * Returns how many records went; idempotent.
   */
  erasePatient(patientIds: readonly string[]): Promise<number>;
  count(): Promise<number>;
  /** Throws when the database cannot answer. */
  ping(): Promise<void>;
  /** Refreshes the planner's statistics of every table (after a bulk write: a plan made without them can scan it all). */
  analyze(): Promise<void>;
  close(): Promise<void>;
}

/**
 * `RecordStore` on Prisma 7 over `@prisma/adapter-pg`; the lookup's reads (`reading`, `find`,
 * `census`) in plain `pg` on the same pool, so a read holds its connection for exactly its queries.
 */
export class PrismaRecordStore implements RecordStore {
  readonly region: string;
  /** The region's record anchors, on this store's client (PGlite serves one connection). */
  readonly anchors: PrismaRecordAnchorStore;
  readonly #prisma: PrismaClient;
  readonly #db: Pick<Database, 'name' | 'pool'>;

  constructor(region: string, db: Database) {
    this.region = region;
    this.#db = db;
    this.#prisma = new PrismaClient({ adapter: db.adapter() });
    this.anchors = new PrismaRecordAnchorStore(region, this.#prisma, db.pool);
  }

  async reading<T>(reads: (region: RegionReads) => Promise<T>): Promise<T> {
    const client = await connection(this.#db);
    const reader = new RegionReader(this.region, client);
    try {
      return await reads(reader);
    } finally {
      // Not awaited: a deadline that gave up on the reads answers the caller now.
      void reader.release();
    }
  }

  find(query: RecordQuery): Promise<StoredRecord[]> {
    return this.reading((region) => region.find(query));
  }

  async patientOf(resourceType: IpsResourceType, resourceId: string): Promise<string | null> {
    const row = await this.#prisma.record.findUnique({
      where: { key: recordKey({ resourceType, resourceId }) },
      select: { patientId: true },
    });
    return row?.patientId ?? null;
  }

  census(patientIds: readonly string[]): Promise<CensusRow[]> {
    return this.reading((region) => region.census(patientIds));
  }

  async upsertMany(
    records: readonly Omit<StoredRecord, 'region'>[],
    options: UpsertOptions = {},
  ): Promise<UpsertResult> {
    const keys = records.map(recordKey);
    return this.#prisma.$transaction(
      async (tx) => {
        const existing = new Map<string, string>();
        for (let i = 0; i < keys.length; i += 5000) {
          const found = await tx.record.findMany({
            where: { key: { in: keys.slice(i, i + 5000) } },
            select: { key: true, contentHash: true },
          });
          for (const row of found) existing.set(row.key, row.contentHash);
        }
        const fresh: Prisma.RecordCreateManyInput[] = [];
        let updated = 0;
        let unchanged = 0;
        for (const record of records) {
          const key = recordKey(record);
          const hash = existing.get(key);
          if (hash === record.contentHash) {
            unchanged++;
          } else if (hash === undefined) {
            fresh.push(toRow(record));
          } else {
            await tx.record.update({ where: { key }, data: { ...toRow(record), importedAt: new Date() } });
            updated++;
          }
        }
        options.onProgress?.(records.length - fresh.length, records.length);
        for (let i = 0; i < fresh.length; i += 1000) {
          await tx.record.createMany({ data: fresh.slice(i, i + 1000) });
          options.onProgress?.(records.length - fresh.length + Math.min(fresh.length, i + 1000), records.length);
        }
        return { inserted: fresh.length, updated, unchanged };
      },
      { timeout: 600_000, maxWait: 30_000 },
    );
  }

  erasePatient(patientIds: readonly string[]): Promise<number> {
    return this.#prisma.$transaction(
      async (tx) => {
        const rows = await tx.record.findMany({ where: { patientId: { in: [...patientIds] } }, select: { key: true } });
        const keys = rows.map((r) => r.key);
        const anchors = await tx.recordAnchor.findMany({ where: { key: { in: keys } } });
        // One statement over arrays, as saveBatch writes them: a record has an anchor per version.
        await tx.$executeRaw`
          UPDATE record_anchors a
          SET key = ${ERASED_KEY_PREFIX}::text || a.leaf_index::text, content_hash = '', leaf_hash = t.leaf_hash
          FROM unnest(
            ${anchors.map((x) => x.batchId)}::text[], ${anchors.map((x) => x.key)}::text[],
            ${anchors.map((x) => anchorLeafHash(x).toString('hex'))}::text[]
          ) AS t(batch_id, key, leaf_hash)
          WHERE a.batch_id = t.batch_id AND a.key = t.key`;
        return (await tx.record.deleteMany({ where: { key: { in: keys } } })).count;
      },
      { timeout: 120_000, maxWait: 30_000 },
    );
  }

  count(): Promise<number> {
    return this.#prisma.record.count();
  }

  async ping(): Promise<void> {
    await this.#prisma.$queryRaw`SELECT 1`;
  }

  async analyze(): Promise<void> {
    await this.#prisma.$executeRaw`ANALYZE`;
  }

  close(): Promise<void> {
    return this.#prisma.$disconnect();
  }
}

function toRow(record: Omit<StoredRecord, 'region'>): Prisma.RecordCreateManyInput {
  return {
    key: recordKey(record),
    resourceType: record.resourceType,
    resourceId: record.resourceId,
    patientId: record.patientId,
    category: record.category,
    sensitivity: [...record.sensitivity],
    sourceOrg: record.sourceOrg,
    sourceOrgName: record.sourceOrgName ?? null,
    lastUpdated: record.lastUpdated,
    contentHash: record.contentHash,
    resource: record.resource as unknown as Prisma.InputJsonValue,
  };
}
