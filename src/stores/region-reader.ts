import { hash } from 'node:crypto';
import type pg from 'pg';
import {
  FHIR_CATEGORY_SHAPE,
  type Category,
  type FhirResource,
  type FhirToken,
  type IpsResourceType,
  type SensitivityLabel,
} from '../domain/fhir.js';
import type { CensusRow } from '../domain/patient-index.js';
import type { RecordQuery, StoredRecord } from '../domain/record.js';
import { LATEST_ANCHOR_OF_ROW, type LatestAnchor } from './record-anchor-store.js';
import { statementName } from './statement-name.js';

/** What a disclosure reads of one region, in one statement (one snapshot): see `RegionReads.forDisclosure`. */
export interface DisclosureRead {
  /** Each query's records, in the order of the queries. */
  readonly found: StoredRecord[][];
  /** Every record the region holds for the patient, withheld ones included. */
  readonly census: CensusRow[];
  /** The newest anchor of each found record that has one. */
  readonly anchors: Map<string, LatestAnchor>;
}

/** Reads of one region on one connection: what a lookup asks of a region within its deadline. */
export interface RegionReads {
  find(query: RecordQuery): Promise<StoredRecord[]>;
  /** Every record the region holds for a patient (under any of its local ids), by the columns that decide a disclosure. */
  census(patientIds: readonly string[]): Promise<CensusRow[]>;
  /**
   * The queries' records with their newest anchors, and the patient's census, in one round
   * trip: the census and the records come from the same snapshot, so no row can be deleted
   * or relabelled between the two.
   */
  forDisclosure(queries: readonly RecordQuery[], patientIds: readonly string[]): Promise<DisclosureRead>;
}

interface RecordRow {
  resource_type: string;
  resource_id: string;
  patient_id: string;
  category: string;
  sensitivity: string[];
  source_org: string;
  source_org_name: string | null;
  last_updated: Date;
  content_hash: string;
  /** The resource as jsonb's text, parsed here: its digest lets the verifier reuse an earlier hash. */
  resource: string;
}

interface CensusRowSql {
  key: string;
  category: string;
  sensitivity: string[];
  content_hash: string;
}

/** A row of the disclosure statement: a census row (part -1), or a record of query `part` with its newest anchor. */
type DisclosureRowSql = CensusRowSql &
  RecordRow & { part: number; anchor_hash: string | null; anchor_batch: string | null };

const RECORD_COLUMNS =
  'resource_type, resource_id, patient_id, category, sensitivity, source_org, source_org_name, last_updated, content_hash, resource::text AS resource';

/** The sha256 (base64url) of the JSON text each record read here holds its resource as. */
const sourceDigests = new WeakMap<StoredRecord, string>();

/**
 * The sha256 of the exact JSON text `record` was read from a region as, when this module read
 * it; undefined for a record from anywhere else (a copy included). Equal texts parse to equal
 * values, so anything computed from the value of one text holds for every read of the same text.
 */
export function sourceDigestOf(record: StoredRecord): string | undefined {
  return sourceDigests.get(record);
}

/**
 * A lookup's reads of one region on one pooled connection, as named (prepared) statements:
 * each shape of query is planned once per connection, not on every read. Remembers what it
 * has issued, so the connection goes back to the pool only once all of it has finished.
 */
export class RegionReader implements RegionReads {
  readonly #region: string;
  readonly #client: pg.PoolClient;
  readonly #issued: Promise<unknown>[] = [];
  #broken: Error | undefined;

  /** A checked-out client has no listener of the pool's: an error it emits (the server gone) would be unhandled. */
  readonly #onError = (err: Error): void => {
    this.#broken = err;
  };

  constructor(region: string, client: pg.PoolClient) {
    this.#region = region;
    this.#client = client;
    client.on('error', this.#onError);
  }

  async find(query: RecordQuery): Promise<StoredRecord[]> {
    const { text, values } = findStatement(query);
    const rows = await this.#query<RecordRow>(text, values);
    return rows.map((row) => this.#toRecord(row));
  }

  async census(patientIds: readonly string[]): Promise<CensusRow[]> {
    const { values, param } = parameters();
    const rows = await this.#query<CensusRowSql>(
      `SELECT key, category, sensitivity, content_hash FROM records WHERE ${patientCondition(patientIds, param)}`,
      values,
    );
    return rows.map((r) => ({
      key: r.key,
      category: r.category,
      sensitivity: r.sensitivity,
      contentHash: r.content_hash,
    }));
  }

  async forDisclosure(queries: readonly RecordQuery[], patientIds: readonly string[]): Promise<DisclosureRead> {
    const { text, values } = disclosureStatement(queries, patientIds);
    const read: DisclosureRead = { found: queries.map(() => []), census: [], anchors: new Map() };
    for (const row of await this.#query<DisclosureRowSql>(text, values)) {
      if (row.part < 0) {
        read.census.push({
          key: row.key,
          category: row.category,
          sensitivity: row.sensitivity,
          contentHash: row.content_hash,
        });
        continue;
      }
      read.found[row.part]?.push(this.#toRecord(row));
      if (row.anchor_hash !== null && row.anchor_batch !== null) {
        read.anchors.set(row.key, { key: row.key, contentHash: row.anchor_hash, batchId: row.anchor_batch });
      }
    }
    return read;
  }

  /**
   * Hands the connection back once every query issued on it has finished. One that failed
   * below SQL (socket, protocol) or that the server dropped meanwhile is discarded, not pooled again.
   */
  async release(): Promise<void> {
    await Promise.allSettled(this.#issued);
    this.#client.removeListener('error', this.#onError);
    this.#client.release(this.#broken);
  }

  async #query<R extends pg.QueryResultRow>(text: string, values: unknown[]): Promise<R[]> {
    const name = statementName(text);
    const result = this.#client.query<R>({ name, text, values });
    this.#issued.push(result);
    try {
      return (await result).rows;
    } catch (err) {
      if (!isSqlError(err)) this.#broken = err instanceof Error ? err : new Error(String(err));
      throw err;
    }
  }

  /**
   * The resource is parsed when first read, not before: what is remembered by the text's digest
   * (its hashes, its summary) needs no parse, and a request that wants neither parses nothing.
   */
  #toRecord(row: RecordRow): StoredRecord {
    const text = row.resource;
    let resource: FhirResource | undefined;
    const record: StoredRecord = {
      region: this.#region,
      resourceType: row.resource_type as IpsResourceType,
      resourceId: row.resource_id,
      patientId: row.patient_id,
      category: row.category as Category,
      sensitivity: row.sensitivity as SensitivityLabel[],
      sourceOrg: row.source_org,
      sourceOrgName: row.source_org_name,
      lastUpdated: row.last_updated,
      contentHash: row.content_hash,
      get resource(): FhirResource {
        return (resource ??= JSON.parse(text) as FhirResource);
      },
    };
    sourceDigests.set(record, hash('sha256', text, 'base64url'));
    return record;
  }
}

/** PostgreSQL refused or failed the statement (it carries a SQLSTATE): the connection itself is fine. */
function isSqlError(err: unknown): boolean {
  return (
    typeof err === 'object' &&
    err !== null &&
    typeof (err as { code?: unknown }).code === 'string' &&
    /^[0-9A-Z]{5}$/.test((err as { code: string }).code)
  );
}

/**
 * Records of these types whose `category` carries any of the tokens: JSONB containment on the
 * element, shaped as each type carries it (a list of CodeableConcepts, one CodeableConcept, or
 * a list of codes). A type without `category` matches nothing.
 */
function categoryCondition(
  types: readonly IpsResourceType[],
  tokens: readonly FhirToken[],
  param: (value: unknown) => string,
): string {
  const coding = (t: FhirToken): Record<string, string> => ({
    code: t.code,
    ...(t.system ? { system: t.system } : {}),
  });
  const clauses = types.flatMap((type) => {
    const shape = FHIR_CATEGORY_SHAPE[type];
    if (shape === undefined) return [];
    const contained = tokens.map((t) =>
      shape === 'codes' ? [t.code] : shape === 'concept' ? { coding: [coding(t)] } : [{ coding: [coding(t)] }],
    );
    return [
      `(resource_type = ${param(type)}::text AND resource->'category' @> ANY(${param(contained.map((c) => JSON.stringify(c)))}::jsonb[]))`,
    ];
  });
  return clauses.length > 0 ? `(${clauses.join(' OR ')})` : 'false';
}

/**
 * The records a query selects, newest first (ties by key), at most `limit`. The statement's
 * text depends only on which filters are present, never on their values: a handful of shapes.
 */
function findStatement(query: RecordQuery): { text: string; values: unknown[] } {
  const { values, param } = parameters();
  return { text: findQuery(query, RECORD_COLUMNS, param), values };
}

/**
 * One statement for a disclosure: the census of the patient's rows (part -1), then each
 * query's records (part i) with the newest anchor of each, side by side in one snapshot.
 */
export function disclosureStatement(
  queries: readonly RecordQuery[],
  patientIds: readonly string[],
): { text: string; values: unknown[] } {
  const { values, param } = parameters();
  const census = `SELECT -1 AS part, key, category, sensitivity, content_hash, NULL::text AS resource_type,
      NULL::text AS resource_id, NULL::text AS patient_id, NULL::text AS source_org, NULL::text AS source_org_name,
      NULL::timestamptz AS last_updated, NULL::text AS resource, NULL::text AS anchor_hash, NULL::text AS anchor_batch
    FROM records WHERE ${patientCondition(patientIds, param)}`;
  const reads = queries.map(
    (query, i) => `SELECT ${String(i)} AS part, f.key, f.category, f.sensitivity, f.content_hash, f.resource_type,
      f.resource_id, f.patient_id, f.source_org, f.source_org_name, f.last_updated, f.resource, la.anchor_hash, la.anchor_batch
    FROM (${findQuery(query, `key, ${RECORD_COLUMNS}`, param)}) f LEFT JOIN LATERAL (${LATEST_ANCHOR_OF_ROW}) la ON true`,
  );
  return { text: [census, ...reads].map((part) => `(${part})`).join('\nUNION ALL\n'), values };
}

/**
 * The rows of these local patient ids. One id (nearly every patient has one per region) is
 * compared as one value, not as an array: PostgreSQL estimates `= $1` from the column's
 * statistics but `= ANY($1)` as some ten values, so a named statement of the array form looks
 * costlier planned once than planned afresh, and is planned again at every execution (0.2 ms,
 * about what the read itself takes).
 */
function patientCondition(patientIds: readonly string[], param: (value: unknown) => string): string {
  return patientIds.length === 1
    ? `patient_id = ${param(patientIds[0])}::text`
    : `patient_id = ANY(${param([...patientIds])}::text[])`;
}

function parameters(): { values: unknown[]; param: (value: unknown) => string } {
  const values: unknown[] = [];
  return {
    values,
    param: (value) => {
      values.push(value);
      return `$${String(values.length)}`;
    },
  };
}

/** A query's SELECT of `columns`, newest first (ties by key), at most `limit`. */
function findQuery(query: RecordQuery, columns: string, param: (value: unknown) => string): string {
  const where = [patientCondition(query.patientIds, param)];
  if (query.resourceTypes) where.push(`resource_type = ANY(${param([...query.resourceTypes])}::text[])`);
  if (query.categories) where.push(`category = ANY(${param([...query.categories])}::text[])`);
  if (query.resourceIds) where.push(`resource_id = ANY(${param([...query.resourceIds])}::text[])`);
  if (query.fhirCategories) where.push(categoryCondition(query.resourceTypes ?? [], query.fhirCategories, param));
  // A record carrying any withheld label is withheld, however many others it carries.
  if (query.excludeSensitivity?.length) {
    where.push(`NOT (sensitivity && ${param([...query.excludeSensitivity])}::text[])`);
  }
  if (query.since) where.push(`last_updated >= ${param(query.since)}::timestamptz`);
  const after = query.after;
  if (after) {
    const at = param(after.lastUpdated);
    if (after.onTie === 'none') where.push(`last_updated < ${at}::timestamptz`);
    else if (after.onTie === 'all') where.push(`last_updated <= ${at}::timestamptz`);
    else {
      where.push(
        `(last_updated < ${at}::timestamptz OR (last_updated = ${at}::timestamptz AND key > ${param(after.onTie.keyAfter)}::text))`,
      );
    }
  }
  return `SELECT ${columns} FROM records WHERE ${where.join(' AND ')} ORDER BY last_updated DESC, key ASC LIMIT ${param(query.limit)}::int`;
}
