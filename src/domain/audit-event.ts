import { contentHash } from './canonical-json.js';

/** What was decided: everything asked for, some of it, or nothing. */
export type AuditOutcome = 'permit' | 'partial' | 'deny';

export const AUDIT_OUTCOMES: readonly AuditOutcome[] = ['permit', 'partial', 'deny'];

/** A machine-readable reason for a decision, e.g. FORBIDDEN or REGION_UNAVAILABLE for one region. */
export interface AuditReason {
  readonly code: string;
  readonly region?: string;
}

/** The decision's detail: codes, region ids and category names only; never clinical content or a name. */
export interface AuditBody {
  readonly requesterRoles: readonly string[];
  readonly regions: {
    readonly requested: readonly string[];
    readonly answered: readonly string[];
    readonly unavailable: readonly string[];
  };
  readonly categories: { readonly requested: readonly string[]; readonly disclosed: readonly string[] };
  /** Records disclosed by this decision. */
  readonly recordCount: number;
  readonly reasons: readonly AuditReason[];
  /** Policy versions the decision applied, as `jurisdiction@version`. */
  readonly policies: readonly string[];
  /** Consent ids and versions the decision relied on, as `id@version`. */
  readonly consents: readonly string[];
}

/** An access decision, as the audit service hands it to the log. */
export interface NewAuditEvent {
  /** The decision id a disclosure receipt names. */
  readonly id: string;
  readonly at: Date;
  /** Global (pseudonymous) patient id, as asked for. */
  readonly patientId: string;
  readonly requesterOrg: string;
  readonly requesterSubject: string;
  readonly requesterJurisdiction: string;
  readonly purpose: string;
  /** The API operation that asked, e.g. patientSummary. */
  readonly operation: string;
  readonly outcome: AuditOutcome;
  readonly breakGlass: boolean;
  readonly body: AuditBody;
}

/** An event as the log holds it: in the chain, and once anchored, in a ledger batch. */
export interface AuditEvent extends NewAuditEvent {
  readonly seq: bigint;
  readonly prevHash: string;
  readonly hash: string;
  readonly batchId: string | null;
}

/** The `prevHash` of the first event of a chain. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * The hash that chains an event to its predecessor: sha256 of the canonical JSON of every
 * field the decision fixed, and the previous hash. Sequence number, ledger batch and review
 * fields are left out: they are assigned or change after the decision.
 */
export function auditEventHash(event: NewAuditEvent & { readonly prevHash: string }): string {
  return contentHash({
    id: event.id,
    at: event.at.toISOString(),
    patientId: event.patientId,
    requesterOrg: event.requesterOrg,
    requesterSubject: event.requesterSubject,
    requesterJurisdiction: event.requesterJurisdiction,
    purpose: event.purpose,
    operation: event.operation,
    outcome: event.outcome,
    breakGlass: event.breakGlass,
    body: event.body,
    prevHash: event.prevHash,
  });
}

/** `altered`: the content no longer matches its hash; `broken-link`: it does not follow its predecessor. */
export type ChainProblem = 'altered' | 'broken-link';

/** What is wrong with `event` as the successor of the event whose hash is `prevHash`, if anything. */
export function chainProblem(event: AuditEvent, prevHash: string): ChainProblem | null {
  if (auditEventHash(event) !== event.hash) return 'altered';
  if (event.prevHash !== prevHash) return 'broken-link';
  return null;
}

/** What an answer carries so that its decision can be found in the audit log and checked later. */
export interface DisclosureReceipt {
  readonly decisionId: string;
  readonly at: Date;
  /** The audit event's hash: the leaf of the ledger batch that anchors it. */
  readonly auditHash: string;
}
