import { PrismaClient, type Prisma } from '../generated/records/client.js';
import {
  FHIR_CATEGORY_SHAPE,
  type Category,
  type FhirResource,
  type FhirToken,
  type IpsResourceType,
  type SensitivityLabel,
} from '../domain/fhir.js';
import type { CensusRow } from '../domain/patient-index.js';
import { recordKey, type RecordQuery, type StoredRecord } from '../domain/record.js';
import type { Database } from './database.js';
import { PrismaRecordAnchorStore } from './record-anchor-store.js';

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
  find(query: RecordQuery): Promise<StoredRecord[]>;
  /** The sensitivity labels a patient's records carry: whether a withheld label is there to report. */
  sensitivityLabels(patientIds: readonly string[]): Promise<SensitivityLabel[]>;
  /** The region-local patient a resource belongs to, if the region holds it. */
  patientOf(resourceType: IpsResourceType, resourceId: string): Promise<string | null>;
  /** Every record the region holds for a patient (under any of its local ids), by the columns that decide a disclosure. */
  census(patientIds: readonly string[]): Promise<CensusRow[]>;
  /** Writes all records in one transaction: all or nothing. Same key and hash is a no-op. */
  upsertMany(records: readonly Omit<StoredRecord, 'region'>[], options?: UpsertOptions): Promise<UpsertResult>;
  count(): Promise<number>;
  /** Throws when the database cannot answer. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

type Row = Prisma.RecordGetPayload<object>;

/** `RecordStore` on Prisma 7 over `@prisma/adapter-pg`. */
export class PrismaRecordStore implements RecordStore {
  readonly region: string;
  /** The region's record anchors, on this store's client (PGlite serves one connection). */
  readonly anchors: PrismaRecordAnchorStore;
  readonly #prisma: PrismaClient;

  constructor(region: string, db: Database) {
    this.region = region;
    this.#prisma = new PrismaClient({ adapter: db.adapter() });
    this.anchors = new PrismaRecordAnchorStore(region, this.#prisma);
  }

  async find(query: RecordQuery): Promise<StoredRecord[]> {
    const rows = await this.#prisma.record.findMany({
      where: {
        patientId: { in: [...query.patientIds] },
        ...(query.resourceTypes ? { resourceType: { in: [...query.resourceTypes] } } : {}),
        ...(query.categories ? { category: { in: [...query.categories] } } : {}),
        ...(query.resourceIds ? { resourceId: { in: [...query.resourceIds] } } : {}),
        // A record carrying any withheld label is withheld, however many others it carries.
        ...(query.excludeSensitivity?.length
          ? { NOT: { sensitivity: { hasSome: [...query.excludeSensitivity] } } }
          : {}),
        AND: [
          ...(query.since ? [{ lastUpdated: { gte: query.since } }] : []),
          ...(query.after ? [afterClause(query.after)] : []),
          ...(query.fhirCategories ? [categoryClause(query.resourceTypes ?? [], query.fhirCategories)] : []),
        ],
      },
      orderBy: [{ lastUpdated: 'desc' }, { key: 'asc' }],
      take: query.limit,
    });
    return rows.map((row) => this.#toRecord(row));
  }

  async patientOf(resourceType: IpsResourceType, resourceId: string): Promise<string | null> {
    const row = await this.#prisma.record.findUnique({
      where: { key: recordKey({ resourceType, resourceId }) },
      select: { patientId: true },
    });
    return row?.patientId ?? null;
  }

  async census(patientIds: readonly string[]): Promise<CensusRow[]> {
    return this.#prisma.record.findMany({
      where: { patientId: { in: [...patientIds] } },
      select: { key: true, category: true, sensitivity: true, contentHash: true },
    });
  }

  async sensitivityLabels(patientIds: readonly string[]): Promise<SensitivityLabel[]> {
    const rows = await this.#prisma.$queryRaw<{ label: string }[]>`
      SELECT DISTINCT unnest(sensitivity) AS label FROM records WHERE patient_id = ANY(${[...patientIds]}::text[])`;
    return rows.map((r) => r.label as SensitivityLabel).sort();
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

  count(): Promise<number> {
    return this.#prisma.record.count();
  }

  async ping(): Promise<void> {
    await this.#prisma.$queryRaw`SELECT 1`;
  }

  close(): Promise<void> {
    return this.#prisma.$disconnect();
  }

  #toRecord(row: Row): StoredRecord {
    return {
      region: this.region,
      resourceType: row.resourceType as IpsResourceType,
      resourceId: row.resourceId,
      patientId: row.patientId,
      category: row.category as Category,
      sensitivity: row.sensitivity as SensitivityLabel[],
      sourceOrg: row.sourceOrg,
      sourceOrgName: row.sourceOrgName,
      lastUpdated: row.lastUpdated,
      contentHash: row.contentHash,
      resource: row.resource as unknown as FhirResource,
    };
  }
}

function afterClause(after: NonNullable<RecordQuery['after']>): Prisma.RecordWhereInput {
  const older: Prisma.RecordWhereInput = { lastUpdated: { lt: after.lastUpdated } };
  if (after.onTie === 'none') return older;
  if (after.onTie === 'all') return { lastUpdated: { lte: after.lastUpdated } };
  return { OR: [older, { lastUpdated: after.lastUpdated, key: { gt: after.onTie.keyAfter } }] };
}

/**
 * Records of these types whose `category` carries any of the tokens (JSONB containment on the
 * element, shaped as each type carries it); a type without `category` matches nothing.
 */
function categoryClause(types: readonly IpsResourceType[], tokens: readonly FhirToken[]): Prisma.RecordWhereInput {
  const coding = (t: FhirToken): Record<string, string> => ({
    code: t.code,
    ...(t.system ? { system: t.system } : {}),
  });
  const clauses = types.flatMap((type): Prisma.RecordWhereInput[] => {
    const shape = FHIR_CATEGORY_SHAPE[type];
    if (shape === undefined) return [];
    return tokens.map((t) => ({
      resourceType: type,
      resource:
        shape === 'codes'
          ? { path: ['category'], array_contains: [t.code] }
          : shape === 'concept'
            ? { path: ['category', 'coding'], array_contains: [coding(t)] }
            : { path: ['category'], array_contains: [{ coding: [coding(t)] }] },
    }));
  });
  return clauses.length > 0 ? { OR: clauses } : { resourceId: { in: [] } };
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
