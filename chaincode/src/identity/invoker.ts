import type { LedgerIdentity } from '../ledger/ledger-context.js';

/** Certificate attributes (Fabric CA `attrs`, enrolled with `:ecert`) the contracts read. */
export const ATTRIBUTES = {
  role: 'meridian.role',
  jurisdiction: 'meridian.jurisdiction',
  user: 'meridian.user',
  patient: 'meridian.patient',
  delegateFor: 'meridian.delegateFor',
} as const;

export const ROLES = {
  complianceOfficer: 'compliance_officer',
  patientDelegate: 'patient_delegate',
} as const;

/** Who submitted the transaction, as far as the contracts care. */
export interface Invoker {
  readonly mspId: string;
  readonly role: string | undefined;
  readonly jurisdiction: string | undefined;
  readonly user: string | undefined;
  readonly patient: string | undefined;
  readonly delegateFor: string | undefined;
}

/** Reads the invoker from the transaction's client identity; empty attributes count as absent. */
export function invokerOf(identity: LedgerIdentity): Invoker {
  const attr = (name: string): string | undefined => identity.getAttributeValue(name) || undefined;
  return {
    mspId: identity.getMSPID(),
    role: attr(ATTRIBUTES.role),
    jurisdiction: attr(ATTRIBUTES.jurisdiction),
    user: attr(ATTRIBUTES.user),
    patient: attr(ATTRIBUTES.patient),
    delegateFor: attr(ATTRIBUTES.delegateFor),
  };
}
