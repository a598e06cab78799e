import { forbidden } from '../errors.js';
import type { LedgerStub } from '../ledger/ledger-context.js';
import { getRecord } from '../ledger/record-store.js';
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

/**
 * That a patient's data was erased (GDPR art. 17): the erasure's id and when. Under the
 * pseudonymous id only; nothing is anchored for the patient after it.
 */
export interface PatientErasure {
  readonly patientRef: string;
  readonly erasureId: string;
  readonly erasedAt: string;
  readonly txId: string;
}

export const PATIENT_ERASURE: RecordSchema<PatientErasure> = {
  type: 'meridian.patient.erasure',
  fields: { patientRef: true, erasureId: true, erasedAt: true, txId: true },
};

export function patientErasureKey(stub: LedgerStub, patientRef: string): string {
  return stub.createCompositeKey(PATIENT_ERASURE.type, [patientRef]);
}

export function erasureOf(stub: LedgerStub, patientRef: string): Promise<PatientErasure | undefined> {
  return getRecord<PatientErasure>(stub, patientErasureKey(stub, patientRef));
}

/** Refuses a write for a patient whose data was erased: nothing may be anchored for them again. */
export async function assertNotErased(stub: LedgerStub, patientRef: string): Promise<void> {
  if ((await erasureOf(stub, patientRef)) !== undefined) {
    throw forbidden(`the data of patient ${patientRef} was erased; nothing more is recorded for them`);
  }
}
