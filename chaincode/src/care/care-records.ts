import type { LedgerStub } from '../ledger/ledger-context.js';
import type { RecordSchema } from '../validation/payload-guard.js';

export type CareStatus = 'open' | 'ended';

/**
 * A care relationship anchored by hash: that an organisation treats the patient until
 * `expiresAt`. Which organisation is in the hashed document off-chain, not here: the ledger
 * holds a hash, a pseudonymous patient id and times, never who treats the patient for what.
 */
export interface CareRecord {
  readonly relationshipId: string;
  readonly patientRef: string;
  readonly hash: string;
  readonly expiresAt: string;
  readonly status: CareStatus;
  readonly recordedAt: string;
  readonly endedAt?: string;
  /** The transaction that ended it. */
  readonly endTxId?: string;
}

export const CARE: RecordSchema<CareRecord> = {
  type: 'meridian.care',
  fields: {
    relationshipId: true,
    patientRef: true,
    hash: true,
    expiresAt: true,
    status: true,
    recordedAt: true,
    endedAt: true,
    endTxId: true,
  },
};

/** One relationship id in a patient's set: a deleted row, or one the gateway never stored, is noticed. */
export interface PatientCareEntry {
  readonly patientRef: string;
  readonly relationshipId: string;
}

export const PATIENT_CARE: RecordSchema<PatientCareEntry> = {
  type: 'meridian.patient.care',
  fields: { patientRef: true, relationshipId: true },
};

export function careKey(stub: LedgerStub, relationshipId: string): string {
  return stub.createCompositeKey(CARE.type, [relationshipId]);
}

export function patientCareKey(stub: LedgerStub, patientRef: string, relationshipId: string): string {
  return stub.createCompositeKey(PATIENT_CARE.type, [patientRef, relationshipId]);
}
