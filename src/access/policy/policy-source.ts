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
   * @param epoch The ledger's policy epoch as this request read it (every activation moves it):
   *   while it is the epoch of the last verification and the stored rows are byte for byte the
   *   ones verified then, that verification's result stands without asking the ledger again.
   * @throws MeridianError LEDGER_UNAVAILABLE when the ledger cannot be reached and nothing verified is at hand.
   */
  active(epoch?: number): Promise<ActivePolicies>;
}
