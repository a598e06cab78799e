import { createHash } from 'node:crypto';
import type { TestIdentity } from './test-context.js';

/** A SHA-256 hex digest of some text, standing in for a document hash. */
export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function officer(mspId: string, jurisdiction: string, user: string): TestIdentity {
  return {
    mspId,
    attributes: { 'meridian.role': 'compliance_officer', 'meridian.jurisdiction': jurisdiction, 'meridian.user': user },
  };
}

export const deOfficerA = officer('ChariteMSP', 'DE', 'de-co-0001');
export const deOfficerB = officer('UniklinikMSP', 'DE', 'de-co-0002');
export const frOfficer = officer('APHPMSP', 'FR', 'fr-co-0001');
export const deClinician: TestIdentity = {
  mspId: 'ChariteMSP',
  attributes: { 'meridian.role': 'clinician', 'meridian.jurisdiction': 'DE', 'meridian.user': 'de-dr-0009' },
};

export const PATIENT_REF = 'mp-0123456789ab';
export const OTHER_PATIENT_REF = 'mp-ba9876543210';

export const patient: TestIdentity = { mspId: 'ChariteMSP', attributes: { 'meridian.patient': PATIENT_REF } };
export const otherPatient: TestIdentity = {
  mspId: 'ChariteMSP',
  attributes: { 'meridian.patient': OTHER_PATIENT_REF },
};
export const delegate: TestIdentity = {
  mspId: 'ChariteMSP',
  attributes: { 'meridian.role': 'patient_delegate', 'meridian.delegateFor': PATIENT_REF },
};
export const gateway: TestIdentity = { mspId: 'ChariteMSP', attributes: { 'meridian.role': 'gateway' } };
