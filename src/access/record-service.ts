import { MeridianError, badInput } from '../domain/errors.js';
import { contentHash } from '../domain/canonical-json.js';
import type { Category, IpsResourceType } from '../domain/fhir.js';
import { hasRole, type Principal } from '../domain/principal.js';
import type { PurposeOfUse } from '../domain/purpose.js';
import { recordKey, type RecordQuery, type StoredRecord } from '../domain/record.js';
import type { ControlPlane, PatientLocation } from '../stores/control-plane.js';
import type { RecordStore } from '../stores/record-store.js';
import { compareRecords, decodeCursor, encodeCursor, type RecordCursor } from './cursor.js';
import { withDeadline } from './deadline.js';

/** Why some of the answer is missing: a region that failed, or records that failed their check. */
export interface PartialFailure {
  readonly code: 'REGION_UNAVAILABLE' | 'INTEGRITY_VIOLATION';
  readonly region: string;
  readonly message: string;
}

export interface RecordFilter {
  readonly resourceTypes?: readonly IpsResourceType[];
  readonly categories?: readonly Category[];
  readonly since?: Date;
}

export interface RecordPageRequest {
  readonly patientId: string;
  readonly purpose: PurposeOfUse;
  readonly filter?: RecordFilter;
  readonly first: number;
  readonly after?: string;
}

export interface RecordPage {
  readonly edges: readonly { readonly cursor: string; readonly record: StoredRecord }[];
  readonly hasNextPage: boolean;
  readonly endCursor: string | null;
  readonly regions: readonly string[];
  readonly failures: readonly PartialFailure[];
}

export interface SummaryResult {
  readonly patientId: string;
  readonly records: readonly StoredRecord[];
  readonly regions: readonly string[];
  readonly failures: readonly PartialFailure[];
}

export interface RecordServiceOptions {
  readonly control: ControlPlane;
  readonly stores: ReadonlyMap<string, RecordStore>;
  readonly regionTimeoutMs: number;
  readonly maxPageSize: number;
  /** Most records a summary reads from one region. */
  readonly summaryLimit?: number;
  readonly onRegionError?: (region: string, error: unknown) => void;
}

/**
 * Reads a patient's records from every region that holds them, concurrently and each
 * within its deadline: a failing region costs its own records, never the answer.
 */
export class RecordService {
  readonly #o: Readonly<RecordServiceOptions>;

  constructor(options: Readonly<RecordServiceOptions>) {
    this.#o = options;
  }

  async summary(principal: Principal, patientId: string, purpose: PurposeOfUse): Promise<SummaryResult> {
    const locations = await this.#authorise(principal, patientId, purpose);
    const limit = this.#o.summaryLimit ?? 2000;
    const reads = await this.#readRegions(locations, () => ({ limit }));
    return { patientId, records: reads.records.sort(byPosition), regions: reads.regions, failures: reads.failures };
  }

  async records(principal: Principal, request: RecordPageRequest): Promise<RecordPage> {
    if (!Number.isInteger(request.first) || request.first < 1 || request.first > this.#o.maxPageSize) {
      throw badInput(`\`first\` must be between 1 and ${this.#o.maxPageSize}.`, { field: 'first' });
    }
    const cursor = request.after !== undefined ? decodeCursor(request.after) : undefined;
    const locations = await this.#authorise(principal, request.patientId, request.purpose);
    const reads = await this.#readRegions(locations, (region) => ({
      ...request.filter,
      limit: request.first + 1,
      ...(cursor ? { after: afterIn(region, cursor) } : {}),
    }));
    const merged = reads.records.sort(byPosition);
    const page = merged.slice(0, request.first);
    const edges = page.map((record) => ({ cursor: encodeCursor(positionOf(record)), record }));
    return {
      edges,
      hasNextPage: merged.length > request.first,
      endCursor: edges.at(-1)?.cursor ?? null,
      regions: reads.regions,
      failures: reads.failures,
    };
  }

  /** Until consent and policy enforcement: clinicians read any patient, patients their own. */
  async #authorise(principal: Principal, patientId: string, purpose: PurposeOfUse): Promise<PatientLocation[]> {
    const ownRecords = hasRole(principal, 'patient') && principal.patientId === patientId;
    if (!hasRole(principal, 'clinician') && !ownRecords) {
      throw new MeridianError('FORBIDDEN', 'Only clinicians, or the patient themself, may read patient records.');
    }
    if (ownRecords && !hasRole(principal, 'clinician') && purpose !== 'PATRQT') {
      throw new MeridianError('FORBIDDEN', 'A patient reads their own records with purpose PATRQT.');
    }
    const locations = (await this.#o.control.locatePatient(patientId)).filter((l) => this.#o.stores.has(l.region));
    if (locations.length === 0) {
      throw new MeridianError('NOT_FOUND', `No records are known for patient ${patientId}.`, { patientId });
    }
    return locations;
  }

  async #readRegions(
    locations: readonly PatientLocation[],
    queryFor: (region: string) => Omit<RecordQuery, 'patientIds'>,
  ): Promise<{ records: StoredRecord[]; regions: string[]; failures: PartialFailure[] }> {
    const outcomes = await Promise.allSettled(
      locations.map(async (location) => {
        const store = this.#o.stores.get(location.region);
        if (store === undefined) throw new Error(`region ${location.region} is not configured`);
        const query = { ...queryFor(location.region), patientIds: [location.localId] };
        return withDeadline(`region ${location.region}`, this.#o.regionTimeoutMs, store.find(query));
      }),
    );
    const records: StoredRecord[] = [];
    const regions: string[] = [];
    const failures: PartialFailure[] = [];
    outcomes.forEach((outcome, i) => {
      const region = locations[i]?.region ?? '';
      if (outcome.status === 'rejected') {
        this.#o.onRegionError?.(region, outcome.reason);
        failures.push({
          code: 'REGION_UNAVAILABLE',
          region,
          message: `Region ${region} is unavailable; its records are missing from this answer.`,
        });
        return;
      }
      regions.push(region);
      for (const record of outcome.value) {
        if (contentHash(record.resource) === record.contentHash) records.push(record);
        else
          failures.push({
            code: 'INTEGRITY_VIOLATION',
            region,
            message: `A record in region ${region} no longer matches its content hash and was withheld.`,
          });
      }
    });
    return { records, regions, failures };
  }
}

function positionOf(record: StoredRecord): RecordCursor {
  return { lastUpdated: record.lastUpdated, region: record.region, key: recordKey(record) };
}

/** Where a region's next page starts, given the merged cursor. */
function afterIn(region: string, cursor: RecordCursor): NonNullable<RecordQuery['after']> {
  if (region === cursor.region) return { lastUpdated: cursor.lastUpdated, onTie: { keyAfter: cursor.key } };
  return { lastUpdated: cursor.lastUpdated, onTie: region > cursor.region ? 'all' : 'none' };
}

function byPosition(a: StoredRecord, b: StoredRecord): number {
  return compareRecords(positionOf(a), positionOf(b));
}
