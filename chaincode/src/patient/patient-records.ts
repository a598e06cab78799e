import type { LedgerStub } from '../ledger/ledger-context.js';
import type { RecordSchema } from '../validation/payload-guard.js';

/** Whether a consent permits or objects: a missing objection widens a disclosure, a missing permit narrows it. */
export type ConsentKind = 'permit' | 'deny';

/** One consent id in a patient's consent set: which consents exist, so a deleted row is noticed. */
export interface PatientConsentEntry {
  readonly patientRef: string;
  readonly consentId: string;
  readonly kind: ConsentKind;
}

export const PATIENT_CONSENT: RecordSchema<PatientConsentEntry> = {
  type: 'meridian.patient.consent',
  fields: { patientRef: true, consentId: true, kind: true },
};

/**
 * One patient-index entry: that a region holds the patient's records under one local id
 * (`location`, a hash binding patient, region and local id), and which records it holds
 * there (`records`, a digest of their keys, labels and content hashes). Hashes only.
 */
export interface PatientLocationEntry {
  readonly patientRef: string;
  readonly region: string;
  readonly location: string;
  readonly records: string;
  readonly recordCount: number;
  readonly txId: string;
}

export const PATIENT_LOCATION: RecordSchema<PatientLocationEntry> = {
  type: 'meridian.patient.location',
  fields: { patientRef: true, region: true, location: true, records: true, recordCount: true, txId: true },
};

export function patientConsentKey(stub: LedgerStub, patientRef: string, consentId: string): string {
  return stub.createCompositeKey(PATIENT_CONSENT.type, [patientRef, consentId]);
}

export function patientLocationKey(stub: LedgerStub, patientRef: string, region: string): string {
  return stub.createCompositeKey(PATIENT_LOCATION.type, [patientRef, region]);
}
