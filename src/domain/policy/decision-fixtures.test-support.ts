import type { Consent } from '../consent/consent.js';
import type { CareInForce, Requester } from './decision-request.js';

/** The patient of the decision tables. */
export const PATIENT = 'mp-0123456789ab';
/** When their consents were granted and took effect. */
const T0 = new Date('2025-01-01T00:00:00Z');

/** An active permit of PATIENT for treatment by any treating provider since T0, changed as given. */
export function consent(id: string, change: Partial<Consent> = {}): Consent {
  return {
    id,
    patientId: PATIENT,
    version: '1',
    status: 'active',
    kind: 'permit',
    grantee: { kind: 'any_treating_provider' },
    purposes: ['TREAT'],
    validFrom: T0,
    grantedAt: T0,
    ...change,
  };
}

/** Care relationships of PATIENT with these requesters' organisations, open since T0 for years. */
export function treatedBy(...requesters: readonly Requester[]): CareInForce[] {
  return requesters.map((r) => ({
    patientId: PATIENT,
    organisationId: r.organisationId,
    openedAt: T0,
    expiresAt: new Date('2030-01-01T00:00:00Z'),
  }));
}

/** A clinician of an organisation in a jurisdiction. */
export const clinician = (organisationId: string, jurisdiction: string): Requester => ({
  organisationId,
  jurisdiction,
  roles: ['clinician'],
});
export const CHARITE = clinician('charite-berlin', 'DE');
export const APHP = clinician('aphp-paris', 'FR');
export const MGH = clinician('mgh-boston', 'US-MA');
export const NHS = clinician('guys-london', 'GB');
