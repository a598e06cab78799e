import type { DisclosureReceipt } from '../domain/audit-event.js';
import { MeridianError, badInput } from '../domain/errors.js';
import { contentHash } from '../domain/canonical-json.js';
import { CATEGORIES, type Category, type IpsResourceType } from '../domain/fhir.js';
import { hasRole, type Principal } from '../domain/principal.js';
import type { PurposeOfUse } from '../domain/purpose.js';
import { recordKey, type RecordQuery, type StoredRecord } from '../domain/record.js';
import type { ControlPlane, PatientLocation } from '../stores/control-plane.js';
import type { RecordStore } from '../stores/record-store.js';
import type { AuditService } from './audit-service.js';
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
  /** The audited decision this page was disclosed under. */
  readonly receipt: DisclosureReceipt;
}

export interface SummaryResult {
  readonly patientId: string;
  readonly records: readonly StoredRecord[];
  readonly regions: readonly string[];
  readonly failures: readonly PartialFailure[];
  /** The audited decision this summary was disclosed under. */
  readonly receipt: DisclosureReceipt;
}

export interface RecordServiceOptions {
  readonly control: ControlPlane;
  readonly stores: ReadonlyMap<string, RecordStore>;
  readonly regionTimeoutMs: number;
  readonly maxPageSize: number;
  /** Every decision is audited before anything is disclosed. */
  readonly audit: AuditService;
  /** Most records a summary reads from one region. */
  readonly summaryLimit?: number;
  readonly onRegionError?: (region: string, error: unknown) => void;
}

/** Who asked for whose records, why, and through which operation: what an audit event is about. */
interface AccessRequest {
  readonly principal: Principal;
  readonly patientId: string;
  readonly purpose: PurposeOfUse;
  readonly operation: 'patientSummary' | 'records';
}

interface RegionReads {
  readonly records: StoredRecord[];
  readonly regions: string[];
  readonly failures: PartialFailure[];
}

/**
 * Reads a patient's records from every region that holds them, concurrently and each
 * within its deadline: a failing region costs its own records, never the answer.
 * Every decision, denials included, is in the audit log before the caller sees it.
 */
export class RecordService {
  readonly #o: Readonly<RecordServiceOptions>;

  constructor(options: Readonly<RecordServiceOptions>) {
    this.#o = options;
  }

  async summary(principal: Principal, patientId: string, purpose: PurposeOfUse): Promise<SummaryResult> {
    const access: AccessRequest = { principal, patientId, purpose, operation: 'patientSummary' };
    const locations = await this.#authorise(access);
    const limit = this.#o.summaryLimit ?? 2000;
    const reads = await this.#readRegions(locations, () => ({ limit }));
    const records = reads.records.sort(byPosition);
    const receipt = await this.#auditDisclosure(access, locations, reads, records, CATEGORIES);
    return { patientId, records, regions: reads.regions, failures: reads.failures, receipt };
  }

  async records(principal: Principal, request: RecordPageRequest): Promise<RecordPage> {
    if (!Number.isInteger(request.first) || request.first < 1 || request.first > this.#o.maxPageSize) {
      throw badInput(`\`first\` must be between 1 and ${this.#o.maxPageSize}.`, { field: 'first' });
    }
    const cursor = request.after !== undefined ? decodeCursor(request.after) : undefined;
    const access: AccessRequest = {
      principal,
      patientId: request.patientId,
      purpose: request.purpose,
      operation: 'records',
    };
    const locations = await this.#authorise(access);
    const reads = await this.#readRegions(locations, (region) => ({
      ...request.filter,
      limit: request.first + 1,
      ...(cursor ? { after: afterIn(region, cursor) } : {}),
    }));
    const merged = reads.records.sort(byPosition);
    const page = merged.slice(0, request.first);
    const receipt = await this.#auditDisclosure(
      access,
      locations,
      reads,
      page,
      request.filter?.categories ?? CATEGORIES,
    );
    const edges = page.map((record) => ({ cursor: encodeCursor(positionOf(record)), record }));
    return {
      edges,
      hasNextPage: merged.length > request.first,
      endCursor: edges.at(-1)?.cursor ?? null,
      regions: reads.regions,
      failures: reads.failures,
      receipt,
    };
  }

  /** The regions to read, or FORBIDDEN / NOT_FOUND once the denial is in the audit log. */
  async #authorise(access: AccessRequest): Promise<PatientLocation[]> {
    try {
      return await this.#locate(access);
    } catch (err) {
      if (err instanceof MeridianError && (err.code === 'FORBIDDEN' || err.code === 'NOT_FOUND')) {
        // A denial that cannot be audited fails the request as any other audit failure does.
        await this.#o.audit.record({ ...access, outcome: 'deny', reasons: [{ code: err.code }] });
      }
      throw err;
    }
  }

  /** Appends the disclosure to the audit log; nothing is returned to the caller unless this succeeds. */
  #auditDisclosure(
    access: AccessRequest,
    locations: readonly PatientLocation[],
    reads: RegionReads,
    disclosed: readonly StoredRecord[],
    requestedCategories: readonly Category[],
  ): Promise<DisclosureReceipt> {
    const reasons = new Map(reads.failures.map((f) => [`${f.code}@${f.region}`, { code: f.code, region: f.region }]));
    return this.#o.audit.record({
      ...access,
      outcome: reads.failures.length > 0 ? 'partial' : 'permit',
      regions: {
        requested: locations.map((l) => l.region),
        answered: reads.regions,
        unavailable: reads.failures.filter((f) => f.code === 'REGION_UNAVAILABLE').map((f) => f.region),
      },
      categories: {
        requested: [...requestedCategories],
        disclosed: [...new Set(disclosed.map((r) => r.category))].sort(),
      },
      recordCount: disclosed.length,
      reasons: [...reasons.values()],
    });
  }

  /** Until consent and policy enforcement: clinicians read any patient, patients their own. */
  async #locate({ principal, patientId, purpose }: AccessRequest): Promise<PatientLocation[]> {
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
  ): Promise<RegionReads> {
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
