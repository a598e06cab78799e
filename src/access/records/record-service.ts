import type { DisclosureReceipt } from '../../domain/audit-event.js';
import { MeridianError, badInput, type ErrorCode } from '../../domain/errors.js';
import { CATEGORIES, type Category, type FhirToken, type IpsResourceType } from '../../domain/fhir.js';
import { hasRole, type Principal } from '../../domain/principal.js';
import type { PurposeOfUse } from '../../domain/purpose.js';
import { recordKey, type RecordQuery, type StoredRecord } from '../../domain/record.js';
import { localIdsOf, type ControlPlane, type PatientLocation, type PatientRows } from '../../stores/control-plane.js';
import { PoolExhausted } from '../../stores/database.js';
import type { RecordStore } from '../../stores/record-store.js';
import type { LatestAnchor } from '../../stores/record-anchor-store.js';
import type { Epochs } from '../../cache/ledger-epochs.js';
import type { VerifiedCache } from '../../cache/verified-cache.js';
import type { AccessDecider, DisclosurePlan, PatientInputRows, RegionPlan } from './access-decider.js';
import { breakGlassOf, decisionReasons, denial, withholdings } from './decision-report.js';
import type { AuditService } from '../audit/audit-service.js';
import { compareRecords, decodeCursor, encodeCursor, type RecordCursor } from './cursor.js';
import { withDeadline } from './deadline.js';
import type { DeidentifiedAnswers, DeidentifiedView } from './deidentified-answer.js';
import type { CheckedIndex, PatientIndexCheck } from './patient-index-check.js';
import { censusDigest } from '../../domain/patient-index.js';
import { breakGlassInputProblem, consentsToTell } from '../../domain/policy/index.js';
import type { PartialFailure } from './partial-failure.js';
import { tracedDecision, tracedRegionRead } from './record-tracing.js';

export interface RecordFilter {
  readonly resourceTypes?: readonly IpsResourceType[];
  readonly categories?: readonly Category[];
  readonly since?: Date;
  /** FHIR search `category` tokens (any of them), for one resource type. */
  readonly fhirCategories?: readonly FhirToken[];
}

/** The API operation a request came through, as the audit log names it. */
export type AccessOperation =
  | 'patientSummary'
  | 'records'
  | 'fhir.read'
  | 'fhir.search'
  | 'fhir.summary'
  /** A patient's copy of their own data ($everything, exportMyData). */
  | 'fhir.export';

/** Emergency access: why the glass is broken. Only ETREAT honours it, and only as the policy allows. */
export interface BreakGlassOption {
  readonly justification?: string;
  /** The study a de-identified answer (research) is pseudonymous for; default none. */
  readonly study?: string;
  /** Default `patientSummary` for a summary, `records` for a page. */
  readonly operation?: AccessOperation;
}

/** One resource by its region and region-local id (a FHIR read). */
export interface RecordReadRequest extends BreakGlassOption {
  readonly region: string;
  readonly resourceType: IpsResourceType;
  readonly resourceId: string;
  readonly purpose: PurposeOfUse;
}

/** A read's answer: the record, or null when it is not there or withheld without a word (a hidden label). */
export interface RecordReadResult {
  readonly patientId: string;
  readonly record: StoredRecord | null;
  readonly failures: readonly PartialFailure[];
  readonly receipt: DisclosureReceipt;
}

export interface RecordPageRequest extends BreakGlassOption {
  readonly patientId: string;
  readonly purpose: PurposeOfUse;
  readonly filter?: RecordFilter;
  readonly first: number;
  readonly after?: string;
}

export interface RecordPage {
  /** The patient id the answer names: the one asked for, or its pseudonym when de-identified. */
  readonly patientId: string;
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

/** Records read from a region, split by their check against the ledger. */
export interface RecordCheck {
  readonly verified: readonly StoredRecord[];
  readonly violations: readonly { readonly record: StoredRecord; readonly message: string }[];
}

/** Checks records read from a region against their ledger anchors. */
export interface RecordIntegrity {
  /**
   * `latest`: the records' newest anchors, read with them.
   * @throws MeridianError LEDGER_UNAVAILABLE when nothing verified is at hand.
   */
  verify(
    region: string,
    records: readonly StoredRecord[],
    latest?: ReadonlyMap<string, LatestAnchor>,
  ): Promise<RecordCheck>;
}

export interface RecordServiceOptions {
  readonly control: ControlPlane;
  readonly stores: ReadonlyMap<string, RecordStore>;
  readonly regionTimeoutMs: number;
  readonly maxPageSize: number;
  /** Pseudonyms and sealed cursors of de-identified answers. */
  readonly deidentified: DeidentifiedAnswers;
  /** Decides every read under the verified policies and consents. */
  readonly decider: AccessDecider;
  /** Every decision is audited before anything is disclosed. */
  readonly audit: AuditService;
  /** Record content checked against its ledger anchor. */
  readonly integrity: RecordIntegrity;
  /** The patient index, and which records each region holds, checked against the ledger. */
  readonly index: Pick<PatientIndexCheck, 'check'>;
  /** Verified region reads, keyed by the decision's epochs. */
  readonly cache?: VerifiedCache;
  /** Most records a summary reads from one region. */
  readonly summaryLimit?: number;
  readonly onRegionError?: (region: string, error: unknown) => void;
  /** A record, or the patient index entry for a region, that failed its check: an alert for operators (ids only). */
  readonly onIntegrityViolation?: (region: string, message: string, of?: 'records' | 'patient index') => void;
}

/** Who asked for whose records, why, and through which operation: what an audit event is about. */
interface AccessRequest {
  readonly principal: Principal;
  readonly patientId: string;
  readonly purpose: PurposeOfUse;
  readonly operation: AccessOperation;
  readonly categories: readonly Category[];
  readonly justification?: string;
}

interface RegionReads {
  readonly records: StoredRecord[];
  readonly regions: string[];
  readonly failures: PartialFailure[];
}

/** The checked index, with the patient's consents and care when they were read beside its rows. */
interface LocatedIndex extends CheckedIndex {
  readonly patient?: PatientInputRows;
}

/** Failures before or instead of a decision that are audited as denials. */
const AUDITED_ERRORS: ReadonlySet<ErrorCode> = new Set([
  'FORBIDDEN',
  'NOT_FOUND',
  'INTEGRITY_VIOLATION',
  'LEDGER_UNAVAILABLE',
]);

/**
 * Reads a patient's records from every region that holds them, as far as the decision
 * over the verified policies and consents permits: concurrently, each region within its
 * deadline, so a failing region costs its own records, never the answer. Every decision,
 * denials included, is in the audit log before the caller sees it.
 */
export class RecordService {
  readonly #o: Readonly<RecordServiceOptions>;

  constructor(options: Readonly<RecordServiceOptions>) {
    this.#o = options;
  }

  async summary(
    principal: Principal,
    patientId: string,
    purpose: PurposeOfUse,
    options: BreakGlassOption = {},
  ): Promise<SummaryResult> {
    const access = accessRequest(principal, patientId, purpose, 'patientSummary', CATEGORIES, options);
    const { plan, index } = await tracedDecision(access.purpose, access.operation, () => this.#decide(access));
    const limit = this.#o.summaryLimit ?? 2000;
    const reads = await this.#readRegions(plan, index, () => ({ limit }));
    const records = reads.records.sort(byPosition);
    const receipt = await this.#auditDisclosure(access, plan, reads, records);
    const view = deidentifiedView(this.#o.deidentified, plan, principal, options);
    return {
      patientId: view ? view.patient(patientId) : patientId,
      records: view ? records.map((r) => view.record(r, patientId)) : records,
      regions: reads.regions,
      failures: reads.failures,
      receipt,
    };
  }

  async records(principal: Principal, request: RecordPageRequest): Promise<RecordPage> {
    return this.#page(principal, request);
  }

  /**
   * One resource, decided and audited as a one-record page of its patient: located by its
   * region's row, then read through the patient index and every check a page has.
   * @throws NOT_FOUND when the region holds no such resource of a known patient.
   */
  async read(principal: Principal, request: RecordReadRequest): Promise<RecordReadResult> {
    const store = this.#o.stores.get(request.region);
    const localId = await store?.patientOf(request.resourceType, request.resourceId);
    const patientId = localId == null ? null : await this.#o.control.globalIdOf({ region: request.region, localId });
    if (patientId === null) {
      throw new MeridianError(
        'NOT_FOUND',
        `No ${request.resourceType} ${request.region}.${request.resourceId} is known.`,
      );
    }
    const page = await this.#page(
      principal,
      {
        ...request,
        patientId,
        first: 1,
        filter: { resourceTypes: [request.resourceType] },
        operation: request.operation ?? 'records',
      },
      { region: request.region, resourceIds: [request.resourceId] },
    );
    return {
      patientId: page.patientId,
      record: page.edges[0]?.record ?? null,
      failures: page.failures,
      receipt: page.receipt,
    };
  }

  async #page(
    principal: Principal,
    request: RecordPageRequest,
    only?: { readonly region: string; readonly resourceIds: readonly string[] },
  ): Promise<RecordPage> {
    if (!Number.isInteger(request.first) || request.first < 1 || request.first > this.#o.maxPageSize) {
      throw badInput(`\`first\` must be between 1 and ${this.#o.maxPageSize}.`, { field: 'first' });
    }
    const categories = request.filter?.categories ?? CATEGORIES;
    const access = accessRequest(principal, request.patientId, request.purpose, 'records', categories, request);
    const { plan, index } = await tracedDecision(access.purpose, access.operation, () => this.#decide(access));
    const view = deidentifiedView(this.#o.deidentified, plan, principal, request);
    const after = request.after;
    const cursor = after === undefined ? undefined : view ? view.openCursor(after) : decodeCursor(after);
    const reads = await this.#readRegions(
      plan,
      index,
      (region) => ({
        ...request.filter,
        ...(only ? { resourceIds: only.resourceIds } : {}),
        limit: request.first + 1,
        ...(cursor ? { after: afterIn(region, cursor) } : {}),
      }),
      only?.region,
    );
    const merged = reads.records.sort(byPosition);
    const page = merged.slice(0, request.first);
    const receipt = await this.#auditDisclosure(access, plan, reads, page);
    const edges = page.map((record) =>
      view
        ? { cursor: view.sealCursor(positionOf(record)), record: view.record(record, request.patientId) }
        : { cursor: encodeCursor(positionOf(record)), record },
    );
    return {
      patientId: view ? view.patient(request.patientId) : request.patientId,
      edges,
      hasNextPage: merged.length > request.first,
      endCursor: edges.at(-1)?.cursor ?? null,
      regions: reads.regions,
      failures: reads.failures,
      receipt,
    };
  }

  /**
   * The decision, with the regions it lets us read. Anything short of a (partial) permit
   * is audited as a denial and thrown: FORBIDDEN, NOT_FOUND, INTEGRITY_VIOLATION,
   * LEDGER_UNAVAILABLE, or the denied regions' CONSENT_REQUIRED / CONSENT_REVOKED / POLICY_DENIED.
   */
  async #decide(access: AccessRequest): Promise<{ plan: DisclosurePlan; index: CheckedIndex }> {
    await this.#refuseBadClaim(access);
    let plan: DisclosurePlan;
    let index: LocatedIndex;
    try {
      index = await this.#checkedIndex(access);
      plan = await this.#o.decider.plan(access, index.locations, index.remembered ? null : index.state, index.patient);
    } catch (err) {
      if (err instanceof MeridianError && AUDITED_ERRORS.has(err.code)) {
        // A denial that cannot be audited fails the request as any other audit failure does.
        await this.#o.audit.record({
          ...access,
          outcome: 'deny',
          categories: { requested: [...access.categories] },
          reasons: [{ code: err.code }],
        });
      }
      throw err;
    }
    if (plan.decision.outcome !== 'deny') return { plan, index };
    const receipt = await this.#o.audit.record({
      ...access,
      outcome: 'deny',
      regions: { requested: plan.decision.regions.map((r) => r.region) },
      categories: { requested: [...access.categories] },
      reasons: decisionReasons(plan.audited),
      policies: plan.policies,
      consents: plan.consents,
      ...breakGlassOf(access, plan.decision),
    });
    throw denial(plan.decision, access.purpose, receipt);
  }

  /** ETREAT without a justification (or a justification out of bounds) is bad input, audited, and nothing is read. */
  async #refuseBadClaim(access: AccessRequest): Promise<void> {
    const bound = access.principal.purposeOfUse;
    if (bound !== undefined && bound !== access.purpose) {
      await this.#auditRefusal(access, 'FORBIDDEN');
      throw new MeridianError(
        'FORBIDDEN',
        `This token is bound to purpose of use ${bound} (IHE IUA purpose_of_use); it cannot be used for ${access.purpose}.`,
      );
    }
    const problem = breakGlassInputProblem(access.purpose, access.justification);
    if (problem === undefined) return;
    await this.#auditRefusal(access, 'BAD_USER_INPUT');
    throw badInput(problem, { field: 'justification' });
  }

  /** A request refused before anything was looked up, in the audit log as a denial. */
  async #auditRefusal(access: AccessRequest, code: ErrorCode): Promise<void> {
    await this.#o.audit.record({
      principal: access.principal,
      patientId: access.patientId,
      purpose: access.purpose,
      operation: access.operation,
      outcome: 'deny',
      categories: { requested: [...access.categories] },
      reasons: [{ code }],
    });
  }

  /**
   * Appends the disclosure to the audit log; nothing is returned to the caller unless this
   * succeeds. The receipt names only the consents the requester may be told of.
   */
  async #auditDisclosure(
    access: AccessRequest,
    plan: DisclosurePlan,
    reads: RegionReads,
    disclosed: readonly StoredRecord[],
  ): Promise<DisclosureReceipt> {
    const receipt = await this.#auditEvent(access, plan, reads, disclosed);
    const told = consentsToTell(plan.decision);
    return { ...receipt, consents: receipt.consents.filter((c) => told.has(c.id)) };
  }

  #auditEvent(
    access: AccessRequest,
    plan: DisclosurePlan,
    reads: RegionReads,
    disclosed: readonly StoredRecord[],
  ): Promise<DisclosureReceipt> {
    const failed = reads.failures.filter((f) => f.code === 'REGION_UNAVAILABLE' || f.code === 'INTEGRITY_VIOLATION');
    const readFailures = new Map(failed.map((f) => [`${f.code}@${f.region}`, { code: f.code, region: f.region }]));
    return this.#o.audit.record({
      ...access,
      outcome: failed.length > 0 || plan.decision.outcome === 'partial' ? 'partial' : 'permit',
      regions: {
        requested: plan.decision.regions.map((r) => r.region),
        answered: reads.regions,
        unavailable: reads.failures.filter((f) => f.code === 'REGION_UNAVAILABLE').map((f) => f.region),
      },
      categories: {
        requested: [...access.categories],
        disclosed: [...new Set(disclosed.map((r) => r.category))].sort(),
      },
      recordCount: disclosed.length,
      reasons: [...decisionReasons(plan.audited), ...readFailures.values()],
      policies: plan.policies,
      consents: plan.consents,
      ...breakGlassOf(access, plan.decision),
    });
  }

  /**
   * Where the patient's records are, each index row checked against the ledger; a region whose
   * row disagrees is reported and not read. Nothing readable at all is INTEGRITY_VIOLATION.
   */
  async #checkedIndex(access: AccessRequest): Promise<LocatedIndex> {
    mayReadRecords(access);
    const index = await this.#index(access.patientId);
    for (const v of index.violations) this.#o.onIntegrityViolation?.(v.region, v.message, 'patient index');
    if (index.locations.length === 0 && index.violations.length > 0) {
      // The regions are in the alert, not in the requester's error: they say where the patient was treated.
      throw new MeridianError(
        'INTEGRITY_VIOLATION',
        'The patient index no longer matches its ledger anchors; nothing is disclosed.',
      );
    }
    return index;
  }

  /**
   * The patient's index rows checked against the ledger. With the cache on, rows that matched
   * the ledger in full are kept in this process and checked again on every use instead of
   * re-read: a copy that no longer matches (the ledger's index moved) is dropped for the rows
   * in the database. A row deleted or altered behind our back while the copy matches is
   * reported once the copy expires (the cache TTL); the anchored location is read meanwhile.
   */
  async #index(patientId: string): Promise<LocatedIndex> {
    const known = this.#o.cache?.local('locations', [patientId]) as PatientLocation[] | undefined;
    if (known !== undefined) {
      const index = await this.#o.index.check(patientId, known);
      if (matchesInFull(index)) return index;
    }
    const { locations, ...patient } = await this.#locate(patientId);
    const index = await this.#o.index.check(patientId, locations);
    if (matchesInFull(index) && !index.remembered) {
      this.#o.cache?.keepLocal('locations', [patientId], locations, patientId);
    }
    return { ...index, patient };
  }

  /** Where the patient's records are, as the control plane's index rows say, read with their consents and care. */
  async #locate(patientId: string): Promise<PatientRows> {
    const rows = await this.#o.control.patientRows(patientId);
    const locations = rows.locations.filter((l) => this.#o.stores.has(l.region));
    if (locations.length === 0) {
      throw new MeridianError('NOT_FOUND', `No records are known for patient ${patientId}.`, { patientId });
    }
    return { ...rows, locations };
  }

  async #readRegions(
    plan: DisclosurePlan,
    index: CheckedIndex,
    queryFor: (region: string) => Omit<RecordQuery, 'patientIds'>,
    onlyRegion?: string,
  ): Promise<RegionReads> {
    const readable = plan.readable.filter((r) => onlyRegion === undefined || r.location.region === onlyRegion);
    const outcomes = await Promise.allSettled(
      readable.map((region) =>
        tracedRegionRead(region.location.region, () =>
          this.#readRegion(
            region,
            queryFor(region.location.region),
            plan.epochs,
            censusOf(index, region),
            index.patientId,
          ),
        ),
      ),
    );
    const reads: RegionReads = {
      records: [],
      regions: [],
      failures: [...index.violations, ...withholdings(plan.decision)],
    };
    outcomes.forEach((outcome, i) => {
      const region = readable[i]?.location.region ?? '';
      if (outcome.status === 'rejected') {
        reads.failures.push(this.#readFailure(region, outcome.reason));
        return;
      }
      const { verified, violations } = outcome.value;
      reads.regions.push(region);
      reads.records.push(...verified);
      for (const violation of violations) this.#o.onIntegrityViolation?.(region, violation.message);
      if (violations.length > 0) {
        reads.failures.push({
          code: 'INTEGRITY_VIOLATION',
          region,
          message: `${violations.length} record(s) in region ${region} no longer match their anchored content hash and were withheld.`,
        });
      }
    });
    return reads;
  }

  /**
   * What may be read of one region, each record checked against its ledger anchor; from the
   * cache when an entry under the same epochs and query is there (only clean reads are kept).
   */
  #readRegion(
    { location, slices }: RegionPlan,
    query: Omit<RecordQuery, 'patientIds'>,
    epochs: Epochs | null,
    census: string | undefined,
    patientId: string,
  ): Promise<RecordCheck> {
    const reads = slices.map(({ categories, withheldLabels }): RecordQuery => {
      const allowed = query.categories ? categories.filter((c) => query.categories?.includes(c)) : categories;
      return { ...query, patientIds: localIdsOf(location), categories: allowed, excludeSensitivity: withheldLabels };
    });
    const load = async (): Promise<RecordCheck> => {
      const store = this.#o.stores.get(location.region);
      if (store === undefined) throw new Error(`region ${location.region} is not configured`);
      // The deadline starts once the region has a connection for this read: it measures the
      // region, not the queue for its pool (bounded by the pool's own connect timeout).
      const read = await store.reading((region) =>
        withDeadline(
          `region ${location.region}`,
          this.#o.regionTimeoutMs,
          region.forDisclosure(reads, localIdsOf(location)),
        ),
      );
      // What the region holds for the patient, withheld rows included: a deleted or relabelled row shows here.
      if (censusDigest(read.census) !== census) throw censusMismatch(location.region);
      return this.#o.integrity.verify(location.region, unionOf(read.found), read.anchors);
    };
    if (this.#o.cache === undefined) return load();
    const key = epochs && [location.region, epochs.consents, epochs.policies, census ?? '', JSON.stringify(reads)];
    return this.#o.cache.through('records', key, load, (checked) => checked.violations.length === 0, patientId);
  }

  #readFailure(region: string, err: unknown): PartialFailure {
    if (err instanceof MeridianError && err.code === 'INTEGRITY_VIOLATION') {
      this.#o.onIntegrityViolation?.(region, err.message);
      return { code: 'INTEGRITY_VIOLATION', region, message: err.message };
    }
    if (err instanceof MeridianError && err.code === 'LEDGER_UNAVAILABLE') {
      return {
        code: 'LEDGER_UNAVAILABLE',
        region,
        message: `The ledger cannot be reached to verify region ${region}'s records; they were withheld.`,
      };
    }
    this.#o.onRegionError?.(region, err);
    return {
      code: 'REGION_UNAVAILABLE',
      region,
      message:
        err instanceof PoolExhausted
          ? `Region ${region} is busy: no connection to it came free in time; its records are missing from this answer.`
          : `Region ${region} is unavailable; its records are missing from this answer.`,
    };
  }
}

/** The records of several reads of one region, each once; one read's records are returned as read. */
function unionOf(found: readonly (readonly StoredRecord[])[]): StoredRecord[] {
  if (found.length === 1) return [...(found[0] ?? [])];
  const byKey = new Map(found.flat().map((record) => [recordKey(record), record]));
  // Each read is limited to the page (plus one); their union, in page order, is cut by the caller.
  return [...byKey.values()].sort(byPosition);
}

/** Who may ask at all (the policy decides the rest). */
function mayReadRecords({ principal, patientId, purpose }: AccessRequest): void {
  const ownRecords = hasRole(principal, 'patient') && principal.patientId === patientId;
  if (!hasRole(principal, 'clinician') && !ownRecords) {
    throw new MeridianError('FORBIDDEN', 'Only clinicians, or the patient themself, may read patient records.');
  }
  if (ownRecords && !hasRole(principal, 'clinician') && purpose !== 'PATRQT') {
    throw new MeridianError('FORBIDDEN', 'A patient reads their own records with purpose PATRQT.');
  }
}

/** Every index row matched its ledger entry and every entry had its row (and the patient is not erased). */
function matchesInFull(index: CheckedIndex): boolean {
  return index.violations.length === 0 && index.locations.length > 0 && index.state.erasure === undefined;
}

/** The ledger's digest of what the region holds for the patient, if it has one. */
function censusOf(index: CheckedIndex, region: RegionPlan): string | undefined {
  return index.state.locations.find((l) => l.region === region.location.region)?.records;
}

function censusMismatch(region: string): MeridianError {
  return new MeridianError(
    'INTEGRITY_VIOLATION',
    `Region ${region} holds records for this patient that differ from what the ledger anchors (a record missing, added or relabelled); its records were withheld.`,
  );
}

/** The de-identified view of the answer, when the decision asks for one. */
function deidentifiedView(
  answers: DeidentifiedAnswers,
  plan: DisclosurePlan,
  principal: Principal,
  options: BreakGlassOption,
): DeidentifiedView | null {
  return plan.decision.deidentify ? answers.for(principal.organisationId, options.study ?? '') : null;
}

function accessRequest(
  principal: Principal,
  patientId: string,
  purpose: PurposeOfUse,
  operation: AccessRequest['operation'],
  categories: readonly Category[],
  options: BreakGlassOption,
): AccessRequest {
  return {
    principal,
    patientId,
    purpose,
    operation: options.operation ?? operation,
    categories,
    ...(options.justification !== undefined ? { justification: options.justification } : {}),
  };
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
