import type {
  BatchAnchor,
  CareRecord,
  ChainHead,
  ConsentEvent,
  ConsentKind,
  ConsentRecord,
  PatientErasure,
  PatientState,
  PolicyEvent,
  PolicyVersion,
} from 'meridian-chaincode';
import type { Committed, Ledger, LedgerActor } from './ledger.js';

/** A batch of hashes to anchor by its Merkle root. */
export interface BatchToAnchor {
  readonly batchId: string;
  readonly kind: 'audit' | 'records';
  readonly region: string;
  readonly merkleRoot: string;
  readonly count: number;
  readonly fromTime: string;
  readonly toTime: string;
}

/** The batch contract's arguments, in its order. */
function batchArgs(b: BatchToAnchor): string[] {
  return [b.batchId, b.kind, b.region, b.merkleRoot, String(b.count), b.fromTime, b.toTime];
}

/** A committed transaction's typed result. */
export interface Anchored<T> {
  readonly value: T;
  readonly txId: string;
  readonly blockNumber: bigint;
}

/** The id the ledger knows a patient by (`PatientKeys.ledgerRef`). */
export interface PatientLedgerRefs {
  ledgerRef(globalId: string): Promise<string>;
}

/**
 * Patients by their global id, as they were before patient keys: for what never names a patient
 * (audit verification, benchmarks of policies and batches) and tests of the chaincode's wire.
 * A gateway, and anything that anchors or reads a patient's state, passes its `PatientKeys`.
 */
export const GLOBAL_IDS: PatientLedgerRefs = { ledgerRef: (globalId) => Promise.resolve(globalId) };

/**
 * Meridian's anchors, typed, over any `Ledger`: policy versions, consents and Merkle
 * batch roots. Arguments and results are exactly the chaincode's, except that a patient is
 * passed by global id and sent as the id the ledger knows them by (`refs`), a patient actor
 * included; results name the patient by that ledger id (`PatientState.patientRef`), which is
 * what the hashes of their index entries bind.
 */
export class LedgerClient {
  readonly #ledger: Ledger;
  readonly #refs: PatientLedgerRefs;

  constructor(ledger: Ledger, refs: PatientLedgerRefs) {
    this.#ledger = ledger;
    this.#refs = refs;
  }

  /** The id the ledger knows this patient by. */
  refOf(globalId: string): Promise<string> {
    return this.#refs.ledgerRef(globalId);
  }

  recordPolicyVersion(
    actor: LedgerActor,
    p: { jurisdiction: string; version: string; hash: string },
  ): Promise<Anchored<PolicyVersion>> {
    return this.#submit(actor, 'policy:recordPolicyVersion', [p.jurisdiction, p.version, p.hash, actor.user]);
  }

  approvePolicyVersion(
    actor: LedgerActor,
    p: { jurisdiction: string; version: string },
  ): Promise<Anchored<PolicyVersion>> {
    return this.#submit(actor, 'policy:approvePolicyVersion', [p.jurisdiction, p.version, actor.user]);
  }

  activatePolicyVersion(
    actor: LedgerActor,
    p: { jurisdiction: string; version: string },
  ): Promise<Anchored<PolicyVersion>> {
    return this.#submit(actor, 'policy:activatePolicyVersion', [p.jurisdiction, p.version]);
  }

  getActivePolicy(actor: LedgerActor, jurisdiction: string): Promise<PolicyVersion> {
    return this.#evaluate(actor, 'policy:getActivePolicy', [jurisdiction]);
  }

  getPolicyVersion(actor: LedgerActor, jurisdiction: string, version: string): Promise<PolicyVersion> {
    return this.#evaluate(actor, 'policy:getPolicyVersion', [jurisdiction, version]);
  }

  getPolicyHistory(actor: LedgerActor, jurisdiction: string): Promise<PolicyEvent[]> {
    return this.#evaluate(actor, 'policy:getPolicyHistory', [jurisdiction]);
  }

  async recordConsent(
    actor: LedgerActor,
    c: { consentId: string; patientRef: string; hash: string; version: string; kind?: ConsentKind },
  ): Promise<Anchored<ConsentRecord>> {
    return this.#submit(actor, 'consent:recordConsent', [
      c.consentId,
      await this.refOf(c.patientRef),
      c.hash,
      c.version,
      c.kind ?? 'permit',
    ]);
  }

  /** Records patient-index entries (at most `MAX_INDEX_ENTRIES` a call); moves each patient's epoch. */
  async recordPatientIndex(
    actor: LedgerActor,
    entries: readonly { patientRef: string; region: string; location: string; records: string; recordCount: number }[],
  ): Promise<Anchored<{ entries: number; patients: number }>> {
    const sent = await Promise.all(entries.map(async (e) => ({ ...e, patientRef: await this.refOf(e.patientRef) })));
    return this.#submit(actor, 'patient:recordPatientIndex', [JSON.stringify(sent)]);
  }

  /** The patient's index entries, consent set (each with its anchor) and epochs, in one read. */
  async getPatientState(actor: LedgerActor, patientRef: string): Promise<PatientState> {
    return this.#evaluate(actor, 'patient:getPatientState', [await this.refOf(patientRef)]);
  }

  /**
   * Erases the patient's anchors (gateway only, once): index entries vacated, consents revoked,
   * care ended, the erasure recorded; moves the patient's epoch. CONFLICT when already erased.
   */
  async erasePatient(actor: LedgerActor, patientRef: string, erasureId: string): Promise<Anchored<PatientErasure>> {
    return this.#submit(actor, 'patient:erasePatient', [await this.refOf(patientRef), erasureId]);
  }

  /** `reason` is a code such as `patient_request`, never free text. */
  revokeConsent(actor: LedgerActor, consentId: string, reason = ''): Promise<Anchored<ConsentRecord>> {
    return this.#submit(actor, 'consent:revokeConsent', [consentId, reason]);
  }

  getConsentStatus(actor: LedgerActor, consentId: string): Promise<ConsentRecord> {
    return this.#evaluate(actor, 'consent:getConsentStatus', [consentId]);
  }

  getConsentHistory(actor: LedgerActor, consentId: string): Promise<ConsentEvent[]> {
    return this.#evaluate(actor, 'consent:getConsentHistory', [consentId]);
  }

  /** The patient's consent epoch and the active policies' epoch: moved by every grant, revocation and activation. */
  async getEpochs(actor: LedgerActor, patientRef: string): Promise<{ consents: number; policies: number }> {
    const { consents, policies } = await this.#evaluate<{ consents: number; policies: number }>(
      actor,
      'consent:getEpochs',
      [await this.refOf(patientRef)],
    );
    return { consents, policies };
  }

  /** Anchors an opened care relationship by its hash (gateway only); moves the patient's epoch. */
  async recordCareRelationship(
    actor: LedgerActor,
    c: { relationshipId: string; patientRef: string; hash: string; expiresAt: Date },
  ): Promise<Anchored<CareRecord>> {
    return this.#submit(actor, 'care:recordCareRelationship', [
      c.relationshipId,
      await this.refOf(c.patientRef),
      c.hash,
      c.expiresAt.toISOString(),
    ]);
  }

  /** Ends a care relationship: the patient or their delegate only; moves the patient's epoch. */
  endCareRelationship(actor: LedgerActor, relationshipId: string): Promise<Anchored<CareRecord>> {
    return this.#submit(actor, 'care:endCareRelationship', [relationshipId]);
  }

  getCareRelationship(actor: LedgerActor, relationshipId: string): Promise<CareRecord> {
    return this.#evaluate(actor, 'care:getCareRelationship', [relationshipId]);
  }

  anchorBatch(actor: LedgerActor, b: BatchToAnchor): Promise<Anchored<BatchAnchor>> {
    return this.#submit(actor, 'batch:anchorBatch', batchArgs(b));
  }

  /** Anchors a batch of an off-ledger hash chain with the chain's head after it; the head only moves forward. */
  anchorChainBatch(
    actor: LedgerActor,
    b: BatchToAnchor & { headSeq: bigint; headHash: string },
  ): Promise<Anchored<BatchAnchor>> {
    return this.#submit(actor, 'batch:anchorChainBatch', [...batchArgs(b), String(b.headSeq), b.headHash]);
  }

  /** The newest anchored batch of a chain and the chain's head after it; NOT_FOUND while there is none. */
  getChainHead(actor: LedgerActor, kind: 'audit' | 'records', region: string): Promise<ChainHead> {
    return this.#evaluate(actor, 'batch:getChainHead', [kind, region]);
  }

  getBatch(actor: LedgerActor, batchId: string): Promise<BatchAnchor> {
    return this.#evaluate(actor, 'batch:getBatch', [batchId]);
  }

  /** A patient actor as the ledger knows them: named and attributed by their ledger id, never by token subject or global id. */
  async #actor(actor: LedgerActor): Promise<LedgerActor> {
    if (actor.delegateFor !== undefined) return { ...actor, delegateFor: await this.refOf(actor.delegateFor) };
    if (actor.patient === undefined) return actor;
    const ref = await this.refOf(actor.patient);
    return { ...actor, user: ref, patient: ref };
  }

  async #submit<T>(actor: LedgerActor, fn: string, args: string[]): Promise<Anchored<T>> {
    const committed: Committed = await this.#ledger.submit(await this.#actor(actor), fn, args);
    return { value: JSON.parse(committed.result) as T, txId: committed.txId, blockNumber: committed.blockNumber };
  }

  async #evaluate<T>(actor: LedgerActor, fn: string, args: string[]): Promise<T> {
    return JSON.parse(await this.#ledger.evaluate(await this.#actor(actor), fn, args)) as T;
  }
}
