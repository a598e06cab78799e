import { randomUUID } from 'node:crypto';
import type {
  AuditBody,
  AuditEvent,
  AuditOutcome,
  AuditReason,
  BreakGlassRecord,
  ConsentReceipt,
  DisclosureReceipt,
  PolicyReceipt,
} from '../../domain/audit-event.js';
import { MeridianError, badInput } from '../../domain/errors.js';
import { hasRole, type Principal } from '../../domain/principal.js';
import type { AuditLog, AuditPage, AuditPageRequest } from '../../stores/audit-log.js';
import type { PageIntegrity } from './audit-chain-verifier.js';
import { traced } from '../../tracing/traced.js';

/** One access decision, as the read path saw it. */
export interface AccessDecision {
  readonly principal: Principal;
  readonly patientId: string;
  readonly purpose: string;
  /** The API operation that asked, e.g. patientSummary. */
  readonly operation: string;
  readonly outcome: AuditOutcome;
  readonly regions?: Partial<AuditBody['regions']>;
  readonly categories?: Partial<AuditBody['categories']>;
  readonly recordCount?: number;
  readonly reasons?: readonly AuditReason[];
  /** The policy and consent versions the decision used. */
  readonly policies?: readonly PolicyReceipt[];
  readonly consents?: readonly ConsentReceipt[];
  /** Set when emergency access was claimed. */
  readonly breakGlass?: BreakGlassRecord;
}

/** Officers and auditors narrow the jurisdiction's log by these; each given one must hold. */
export type AccessLogFilter = Pick<AuditPageRequest, 'since' | 'patientId' | 'outcome' | 'purpose' | 'breakGlass'>;

export interface AccessLogRequest extends AccessLogFilter {
  readonly first: number;
  readonly after?: string;
}

export interface AccessLogPage {
  readonly edges: readonly { readonly cursor: string; readonly event: AuditEvent }[];
  readonly hasNextPage: boolean;
  readonly endCursor: string | null;
  /** Each entry's evidence and the chain's end, checked; null when no checker is configured. */
  readonly integrity: PageIntegrity | null;
}

export interface AuditServiceOptions {
  readonly log: AuditLog;
  readonly maxPageSize: number;
  readonly now?: () => Date;
  readonly newId?: () => string;
  /** Told of every decision once it is durably audited (metrics). */
  readonly onDecision?: (outcome: AuditOutcome, breakGlass: boolean) => void;
  /** Checks each page shown against the chain, its checkpoint and the ledger. */
  readonly integrity?: { page(events: readonly AuditEvent[]): Promise<PageIntegrity> };
  /** The patient's audit commitment (their own key's), chained in place of the id; none for an id that names no patient. */
  readonly commitment?: (patientId: string) => Promise<string | null>;
}

/**
 * Turns access decisions into audit events, and shows the log to those it concerns: a
 * patient their own events, a compliance officer or auditor their jurisdiction's requesters.
 */
export class AuditService {
  readonly #o: Readonly<AuditServiceOptions>;

  constructor(options: Readonly<AuditServiceOptions>) {
    this.#o = options;
  }

  /**
   * Appends the decision to the audit log and resolves once it is durable. A failure
   * rejects: the caller must then disclose nothing.
   */
  async record(decision: AccessDecision): Promise<DisclosureReceipt> {
    const { principal } = decision;
    const append = { 'meridian.audit.outcome': decision.outcome, 'meridian.operation': decision.operation };
    const patientCommitment = (await this.#o.commitment?.(decision.patientId)) ?? null;
    const event = await traced('audit append', append, () =>
      this.#o.log.append({
        id: this.#o.newId?.() ?? randomUUID(),
        at: this.#o.now?.() ?? new Date(),
        patientId: decision.patientId,
        patientCommitment,
        requesterOrg: principal.organisationId,
        requesterSubject: principal.subject,
        requesterJurisdiction: principal.jurisdiction,
        purpose: decision.purpose,
        operation: decision.operation,
        outcome: decision.outcome,
        breakGlass: decision.breakGlass?.granted === true,
        body: bodyOf(decision),
      }),
    );
    this.#o.onDecision?.(event.outcome, event.breakGlass);
    return {
      decisionId: event.id,
      at: event.at,
      outcome: event.outcome,
      breakGlass: event.breakGlass,
      auditHash: event.hash,
      policies: [...(decision.policies ?? [])],
      consents: [...(decision.consents ?? [])],
    };
  }

  /** Who accessed the calling patient's data, newest first. */
  async myAccessLog(principal: Principal, request: AccessLogRequest): Promise<AccessLogPage> {
    const patientId = principal.patientId;
    if (!hasRole(principal, 'patient') || patientId === undefined) {
      throw new MeridianError('FORBIDDEN', 'Only a patient reads their own access log.');
    }
    const page = await this.#o.log.forPatient(
      patientId,
      // Their own log, by time only: the other filters are the officer's.
      this.#pageRequest({
        first: request.first,
        ...(request.after !== undefined ? { after: request.after } : {}),
        ...(request.since !== undefined ? { since: request.since } : {}),
      }),
    );
    return this.#toAccessLogPage(page);
  }

  /** Decisions on requests from the caller's jurisdiction, newest first: for compliance officers and auditors. */
  async accessLog(principal: Principal, request: AccessLogRequest): Promise<AccessLogPage> {
    if (!hasRole(principal, 'compliance_officer', 'auditor')) {
      throw new MeridianError('FORBIDDEN', 'Only compliance officers and auditors read the access log.');
    }
    const page = await this.#o.log.forJurisdiction(principal.jurisdiction, this.#pageRequest(request));
    return this.#toAccessLogPage(page);
  }

  /** Break-glass accesses by requesters of the officer's jurisdiction still awaiting review, newest first. */
  async reviewQueue(principal: Principal, request: AccessLogRequest): Promise<AccessLogPage> {
    requireOfficer(principal);
    const page = await this.#o.log.unreviewedBreakGlass(principal.jurisdiction, this.#pageRequest(request));
    return this.#toAccessLogPage(page);
  }

  /**
   * Marks a break-glass access of the officer's jurisdiction reviewed, and returns it.
   * @throws NOT_FOUND when there is no such break-glass access in the officer's jurisdiction;
   * BAD_USER_INPUT when it was reviewed already.
   */
  async review(principal: Principal, decisionId: string): Promise<AuditEvent> {
    requireOfficer(principal);
    const event = await this.#o.log.event(decisionId);
    if (event === null || !event.breakGlass || event.requesterJurisdiction !== principal.jurisdiction) {
      throw new MeridianError(
        'NOT_FOUND',
        `No break-glass access ${decisionId} awaits review in ${principal.jurisdiction}.`,
      );
    }
    const at = this.#o.now?.() ?? new Date();
    if (!(await this.#o.log.markReviewed(decisionId, principal.subject, at))) {
      throw badInput(`Break-glass access ${decisionId} was reviewed already.`, { field: 'decisionId' });
    }
    return { ...event, reviewedAt: at, reviewedBy: principal.subject };
  }

  async #toAccessLogPage(page: AuditPage): Promise<AccessLogPage> {
    return toAccessLogPage(page, (await this.#o.integrity?.page(page.events)) ?? null);
  }

  #pageRequest(request: AccessLogRequest): AuditPageRequest {
    if (!Number.isInteger(request.first) || request.first < 1 || request.first > this.#o.maxPageSize) {
      throw badInput(`\`first\` must be between 1 and ${this.#o.maxPageSize}.`, { field: 'first' });
    }
    const { after, ...rest } = request;
    return { ...rest, ...(after !== undefined ? { after: decodeAuditCursor(after) } : {}) };
  }
}

function requireOfficer(principal: Principal): void {
  if (!hasRole(principal, 'compliance_officer')) {
    throw new MeridianError('FORBIDDEN', 'Only compliance officers review break-glass accesses.');
  }
}

function bodyOf(decision: AccessDecision): AuditBody {
  const { regions = {}, categories = {} } = decision;
  return {
    requesterRoles: [...decision.principal.roles],
    regions: {
      requested: [...(regions.requested ?? [])],
      answered: [...(regions.answered ?? [])],
      unavailable: [...(regions.unavailable ?? [])],
    },
    categories: { requested: [...(categories.requested ?? [])], disclosed: [...(categories.disclosed ?? [])] },
    recordCount: decision.recordCount ?? 0,
    reasons: (decision.reasons ?? []).map((r) => ({ ...r })),
    policies: (decision.policies ?? []).map(({ jurisdiction, version, hash }) => ({ jurisdiction, version, hash })),
    consents: (decision.consents ?? []).map(({ id, version, hash }) => ({ id, version, hash })),
    ...(decision.breakGlass ? { breakGlass: { ...decision.breakGlass } } : {}),
  };
}

function toAccessLogPage(page: AuditPage, integrity: PageIntegrity | null): AccessLogPage {
  const edges = page.events.map((event) => ({ cursor: encodeAuditCursor(event.seq), event }));
  return { edges, hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null, integrity };
}

/** Opaque to clients: base64url of the event's place in the chain. */
function encodeAuditCursor(seq: bigint): string {
  return Buffer.from(`audit:${seq}`).toString('base64url');
}

function decodeAuditCursor(text: string): bigint {
  const m = /^audit:([1-9][0-9]{0,18})$/.exec(Buffer.from(text, 'base64url').toString('utf8'));
  if (m?.[1] === undefined) throw badInput('The `after` cursor is not one this API returned.', { field: 'after' });
  return BigInt(m[1]);
}
