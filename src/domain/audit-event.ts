import { contentHash, matchingScheme, type HashScheme } from './canonical-json.js';

/** What was decided: everything asked for, some of it, or nothing. */
export type AuditOutcome = 'permit' | 'partial' | 'deny';

export const AUDIT_OUTCOMES: readonly AuditOutcome[] = ['permit', 'partial', 'deny'];

/**
 * A machine-readable reason for a decision: a denial code for one region (CONSENT_REQUIRED,
 * REGION_UNAVAILABLE, ...) or a policy engine reason (NO_CONSENT, BREAK_GLASS, ...) with
 * the category or label it concerns.
 */
export interface AuditReason {
  readonly code: string;
  readonly region?: string;
  readonly category?: string;
  readonly label?: string;
}

/** A policy version a decision applied, by the hash the ledger anchors. */
export interface PolicyEvidence {
  readonly jurisdiction: string;
  readonly version: string;
  readonly hash: string;
}

/** A consent version a decision relied on, by the hash the ledger anchors. */
export interface ConsentEvidence {
  readonly id: string;
  readonly version: string;
  readonly hash: string;
}

/** An emergency access claim: why, whether the policy granted it, and until when it lasts. */
export interface BreakGlassRecord {
  readonly justification: string;
  readonly granted: boolean;
  readonly expiresAt: string | null;
  /** What the policy obliges after the fact, e.g. notify_patient, post_hoc_review. */
  readonly obligations: readonly string[];
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
  /** Policy versions the decision applied. */
  readonly policies: readonly PolicyEvidence[];
  /** Consent versions the decision relied on. */
  readonly consents: readonly ConsentEvidence[];
  /** Set when break-glass was claimed. */
  readonly breakGlass?: BreakGlassRecord;
}

/** An access decision, as the audit service hands it to the log. */
export interface NewAuditEvent {
  /** The decision id a disclosure receipt names. */
  readonly id: string;
  readonly at: Date;
  /** Global (pseudonymous) patient id, as asked for; `erased:<erasure id>` once the patient's data was erased. */
  readonly patientId: string;
  /**
   * The patient id's commitment under the patient's own key (`patientCommitment`): chained in
   * place of the id, so the id can be erased without breaking the chain. Absent or null: the id
   * itself is chained (an id that names no patient, or an event from before patient keys).
   */
  readonly patientCommitment?: string | null;
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
  /** After-the-fact review of a break-glass access: outside the hash, as it comes later. */
  readonly reviewedAt: Date | null;
  readonly reviewedBy: string | null;
}

/** The `prevHash` of the first event of a chain. */
export const GENESIS_HASH = '0'.repeat(64);

/** The prefix of the patient id of an event whose patient's data was erased. */
export const ERASED_PATIENT_PREFIX = 'erased:';

/**
 * The hash that chains an event to its predecessor: sha256 of the canonical JSON of every
 * field the decision fixed, and the previous hash. Sequence number, ledger batch and review
 * fields are left out: they are assigned or change after the decision. The patient enters as
 * their commitment where the event has one, else as the id.
 */
export function auditEventHash(
  event: NewAuditEvent & { readonly prevHash: string },
  scheme: HashScheme = 'jcs',
): string {
  const patient =
    event.patientCommitment != null ? { patientCommitment: event.patientCommitment } : { patientId: event.patientId };
  return contentHash(
    {
      id: event.id,
      at: event.at.toISOString(),
      ...patient,
      requesterOrg: event.requesterOrg,
      requesterSubject: event.requesterSubject,
      requesterJurisdiction: event.requesterJurisdiction,
      purpose: event.purpose,
      operation: event.operation,
      outcome: event.outcome,
      breakGlass: event.breakGlass,
      body: event.body,
      prevHash: event.prevHash,
    },
    scheme,
  );
}

/** Whether the event still hashes to its `hash`, under the scheme it was chained with (RFC 8785 or the older one). */
export function auditEventIntact(event: AuditEvent): boolean {
  return matchingScheme((scheme) => auditEventHash(event, scheme), event.hash) !== null;
}

/** `altered`: the content no longer matches its hash; `broken-link`: it does not follow its predecessor. */
export type ChainProblem = 'altered' | 'broken-link';

/** What is wrong with `event` as the successor of the event whose hash is `prevHash`, if anything. */
export function chainProblem(event: AuditEvent, prevHash: string): ChainProblem | null {
  if (!auditEventIntact(event)) return 'altered';
  if (event.prevHash !== prevHash) return 'broken-link';
  return null;
}

/** A policy version as a receipt names it: its hash and the transaction that activated it. */
export interface PolicyReceipt extends PolicyEvidence {
  readonly txId: string;
}

/** A consent version as a receipt names it: its hash and the transaction that anchored the grant. */
export interface ConsentReceipt extends ConsentEvidence {
  readonly txId: string;
}

/**
 * What an answer carries so that its decision can be found in the audit log and proven
 * against the ledger later: the audit event's hash and the exact policy and consent
 * versions (with their hashes and ledger transactions) the decision used.
 */
export interface DisclosureReceipt {
  readonly decisionId: string;
  readonly at: Date;
  readonly outcome: AuditOutcome;
  readonly breakGlass: boolean;
  /** The audit event's hash: the leaf of the ledger batch that anchors it. */
  readonly auditHash: string;
  readonly policies: readonly PolicyReceipt[];
  readonly consents: readonly ConsentReceipt[];
}
