import type { PolicyDocument } from '../../domain/policy/index.js';

/** An active policy version whose stored document hashes to what the ledger anchors as active. */
export interface VerifiedPolicy {
  readonly document: PolicyDocument;
  /** `policyDocumentHash(document)`, equal to the ledger's anchor. */
  readonly hash: string;
  /** The ledger transaction that activated this version. */
  readonly activateTxId: string;
}

/** Something stored that does not match its ledger anchor: ids and hashes only, safe to log. */
export interface IntegrityProblem {
  /** What failed, e.g. `policy EU@2025.2`, `consent cns-…`, `record eu-de/Condition/c-1`. */
  readonly subject: string;
  readonly message: string;
}

/** The active policies a decision may use, and any that failed verification. */
export interface ActivePolicies {
  readonly policies: readonly VerifiedPolicy[];
  /** Non-empty: some stored policy disagrees with the ledger; nothing may be disclosed under it. */
  readonly violations: readonly IntegrityProblem[];
}

/** Where the read path gets its policies: verified against the ledger before use. */
export interface PolicySource {
  /**
   * The active policy of every jurisdiction, each checked against the ledger's active
   * version. When the ledger cannot be reached, the versions last verified are used if
   * their stored rows still hash the same.
   * @throws MeridianError LEDGER_UNAVAILABLE when the ledger cannot be reached and nothing verified is at hand.
   */
  active(): Promise<ActivePolicies>;
}
